/** `stegavox eval`: held-out photos + unseen speech through the real pipeline; JSON, markdown table and figures. */
import { schemeNamed } from '../../src/schemes/registry.js';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { disposeModel } from '../../src/schemes/neural/weights-format.js';
import { initBackend, type TrainingBackend } from '../../src/node/backend.js';
import { evaluatePair, markdownTable, summarise, type PairResult } from '../../evaluation/evaluate.js';
import { coverContainerFigure, spectrogramFigure, waveformFigure } from '../../evaluation/figures.js';
import { loadModelFromDir } from '../../src/node/load-model.js';
import { numberOption, parse, qualityOption, denoiseOption, schemeOption } from './args.js';
import { loadEvalInputs } from './eval-inputs.js';

/** `eval [options]`: see the CLI usage text. */
export async function evalCommand(argv: string[]): Promise<void> {
  const v = parse(argv, {
    weights: { type: 'string' },
    data: { type: 'string' },
    images: { type: 'string', multiple: true },
    speech: { type: 'string' },
    audio: { type: 'string', default: 'speech' },
    density: { type: 'string' },
    limit: { type: 'string' },
    out: { type: 'string', default: path.join('runs', 'eval') },
    figures: { type: 'boolean', default: false },
    key: { type: 'string' },
    quality: { type: 'string' },
    scheme: { type: 'string' },
    denoise: { type: 'string' },
    backend: { type: 'string', default: 'wasm' },
    seed: { type: 'string' },
  });
  const density = numberOption(v, 'density', 0.9);
  const limit = numberOption(v, 'limit', Infinity);
  const seed = numberOption(v, 'seed', 5);
  const quality = qualityOption(v);
  const denoise = denoiseOption(v);
  const scheme = schemeOption(v);
  await initBackend(v.backend as TrainingBackend);
  const model = await loadModelFromDir(v.weights);
  const { imageDirs, paths, stream } = await loadEvalInputs({
    data: v.data,
    images: v.images,
    speech: v.speech,
    audio: v.audio,
    seed,
    limit,
  });
  const engine = schemeNamed(scheme).needsModel ? model.version : `the ${scheme} scheme`;
  console.log(
    `evaluating ${engine} on ${paths.length} images (${imageDirs.join(', ')}), ${v.audio} at density ${density}, backend ${tf.getBackend()}`,
  );
  await mkdir(v.out!, { recursive: true });
  const results: PairResult[] = [];
  let offset = 0;
  for (const [i, p] of paths.entries()) {
    const name = path.basename(p);
    const { result, cover, container, clip, revealed } = await evaluatePair(
      model,
      name,
      new Uint8Array(await readFile(p)),
      stream,
      offset,
      density,
      { key: v.key, quality, denoise, scheme },
    );
    offset += clip.length;
    results.push(result);
    console.log(
      `${name}: ${result.psnr.toFixed(2)} dB, SSIM ${result.ssim.toFixed(4)}, PCC ${result.pcc.toFixed(4)}, SI-SNR ${result.siSnr.toFixed(2)} dB` +
        ` (float ${result.float.psnr.toFixed(2)} dB / ${result.float.pcc.toFixed(4)})`,
    );
    if (v.figures && i === 0) {
      const stem = path.join(v.out!, name.replace(/\.\w+$/, ''));
      await writeFile(`${stem}-images.png`, coverContainerFigure(cover, container));
      const second = Math.min(clip.length, 8000 * 2);
      await writeFile(`${stem}-waveform.png`, waveformFigure(clip.subarray(0, 800), revealed.subarray(0, 800), 8000));
      await writeFile(
        `${stem}-spectrogram.png`,
        spectrogramFigure(clip.subarray(0, second), revealed.subarray(0, second), 8000),
      );
    }
  }
  const summary = summarise(results, density);
  const label = `${schemeNamed(scheme).needsModel ? model.version : `${scheme} (${model.version} unused)`}, ${paths.length} images, ${v.audio}, density ${density}${denoise ? '' : ', no post-filter'}`;
  const table = markdownTable(summary, label);
  await writeFile(path.join(v.out!, 'eval.json'), JSON.stringify({ model: model.version, summary, results }, null, 2));
  await writeFile(path.join(v.out!, 'eval.md'), `${table}\n`);
  console.log(`\n${table}\n\nwritten to ${v.out}`);
  disposeModel(model);
}
