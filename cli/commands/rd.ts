/** `stegavox rd`: the rate–distortion table, stegavox against classic k-bit LSB at several densities, same photos and clips. */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { StegError } from '../../src/util/errors.js';
import { capacity } from '../../src/pipeline/index.js';
import { payloadSlots, spreadRate } from '../../src/schemes/neural/spreading.js';
import { codedPlan } from '../../src/schemes/coded/payload.js';
import { disposeModel } from '../../src/schemes/neural/weights-format.js';
import { initBackend, type TrainingBackend } from '../../src/node/backend.js';
import { evaluatePair, type PairResult } from '../../evaluation/evaluate.js';
import { evaluateLsb, type LsbMode, type LsbResult } from '../../evaluation/lsb.js';
import { loadModelFromDir } from '../../src/node/load-model.js';
import { numberOption, parse, qualityOption, denoiseOption, UsageError } from './args.js';
import { loadEvalInputs } from './eval-inputs.js';

/** Densities of the table unless `--densities` says otherwise: full, a quarter, a sixteenth of capacity. */
export const DEFAULT_DENSITIES = '1,1/4,1/16';

/** One row of the table: a method at one density, means over the photos. */
export interface RdRow {
  /** `stegavox`, or k-bit LSB in one of its modes (see LsbMode in evaluation/lsb.ts); `lsb-filtered` is plain LSB with stegavox's audio processing (pre-emphasis, post-filter, de-emphasis). */
  method: 'stegavox' | 'coded' | 'lsb' | 'lsb-filtered' | 'lsb-spread' | 'lsb-thin';
  /** LSB bits per channel value (k); null for stegavox. */
  bits: number | null;
  density: number;
  /** The density as typed (`1/4`), for the table. */
  densityLabel: string;
  pairs: number;
  /** Mean clip length in seconds. */
  seconds: number;
  /** Mean share of the photo's channel values that carry audio (stegavox: all copies; LSB: values rewritten). */
  carrying: number;
  /** LSB channel values each sample spans; 1 for plain LSB and stegavox. Mean over photos. */
  valuesPerSample: number;
  /** Bits of each LSB sample code (mean over photos); null for stegavox. */
  codeBits: number | null;
  mse: number;
  psnr: number;
  ssim: number;
  pcc: number;
  siSnr: number;
  /** stegavox pairs the server would have refused as damaged; 0 for LSB. */
  refused: number;
}

/** Parses `1,1/4,0.0625` into densities in (0, 1]; anything else is a usage error. */
export function parseDensities(text: string): Array<{ value: number; label: string }> {
  return text.split(',').map((raw) => {
    const label = raw.trim();
    const m = /^(\d+(?:\.\d+)?)(?:\/(\d+(?:\.\d+)?))?$/.exec(label);
    const value = m ? Number(m[1]) / (m[2] === undefined ? 1 : Number(m[2])) : NaN;
    if (!(value > 0 && value <= 1))
      throw new UsageError(`--densities takes numbers or fractions in (0, 1] separated by commas, got "${label}"`);
    return { value, label };
  });
}

function parseBits(text: string): number[] {
  return text.split(',').map((raw) => {
    const k = Number(raw.trim());
    if (!Number.isInteger(k) || k < 1 || k > 8)
      throw new UsageError(`--bits takes integers 1–8 separated by commas, got "${raw.trim()}"`);
    return k;
  });
}

/** Thin and spread LSB differ from plain only where each sample has two or more values to itself. */
const spareRoom = (density: number) => density <= 0.5;

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

function row(
  method: RdRow['method'],
  bits: number | null,
  density: { value: number; label: string },
  pairs: Array<{
    pair: PairResult | LsbResult;
    seconds: number;
    carrying: number;
    valuesPerSample: number;
    codeBits: number | null;
    refused: boolean;
  }>,
): RdRow {
  const of = (f: (p: PairResult | LsbResult) => number) => mean(pairs.map((p) => f(p.pair)));
  return {
    method,
    bits,
    density: density.value,
    densityLabel: density.label,
    pairs: pairs.length,
    seconds: mean(pairs.map((p) => p.seconds)),
    carrying: mean(pairs.map((p) => p.carrying)),
    valuesPerSample: mean(pairs.map((p) => p.valuesPerSample)),
    codeBits: bits === null ? null : mean(pairs.map((p) => p.codeBits ?? 0)),
    mse: of((p) => p.mse),
    psnr: of((p) => p.psnr),
    ssim: of((p) => p.ssim),
    pcc: of((p) => p.pcc),
    siSnr: of((p) => p.siSnr),
    refused: pairs.filter((p) => p.refused).length,
  };
}

/** The rows as a markdown table, one line per method and density. */
export function rdTable(rows: RdRow[], label: string, stegavox = 'stegavox'): string {
  const name = (r: RdRow) => {
    if (r.method === 'stegavox')
      return r.valuesPerSample > 1.01 ? `${stegavox} (spread ×${r.valuesPerSample.toFixed(2)})` : stegavox;
    if (r.method === 'coded')
      return `stegavox coded (${Math.round(r.valuesPerSample)} value${r.valuesPerSample > 1.01 ? 's' : ''} per sample)`;
    if (r.method === 'lsb') return `LSB k = ${r.bits}`;
    if (r.method === 'lsb-filtered') return `LSB k = ${r.bits} + pre-emphasis + post-filter`;
    const how = `${Math.round(r.codeBits ?? 0)}-bit codes over ${Math.round(r.valuesPerSample)} values`;
    return `LSB k = ${r.bits} ${r.method === 'lsb-spread' ? 'spread' : 'thin'} (${how})`;
  };
  return [
    `| ${label} | density | clip s | values carrying audio | PSNR dB | SSIM | PCC | SI-SNR dB |`,
    '|---|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${name(r)} | ${r.densityLabel} | ${r.seconds.toFixed(1)} | ${(100 * r.carrying).toFixed(1)} % | ${r.psnr.toFixed(2)} | ${r.ssim.toFixed(4)} | ` +
        `${r.pcc.toFixed(4)} | ${r.siSnr.toFixed(2)} |`,
    ),
  ].join('\n');
}

/** `rd [options]`: see the CLI usage text. */
export async function rdCommand(argv: string[]): Promise<void> {
  const v = parse(argv, {
    weights: { type: 'string' },
    data: { type: 'string' },
    images: { type: 'string', multiple: true },
    speech: { type: 'string' },
    limit: { type: 'string' },
    densities: { type: 'string', default: DEFAULT_DENSITIES },
    bits: { type: 'string', default: '3,4,5' },
    out: { type: 'string', default: path.join('runs', 'rd') },
    backend: { type: 'string', default: 'wasm' },
    quality: { type: 'string' },
    denoise: { type: 'string' },
  });
  const quality = qualityOption(v);
  const denoise = denoiseOption(v);
  const densities = parseDensities(v.densities!);
  const bits = parseBits(v.bits!);
  const limit = numberOption(v, 'limit', Infinity);
  await initBackend(v.backend as TrainingBackend);
  const model = await loadModelFromDir(v.weights);
  const { imageDirs, paths, stream } = await loadEvalInputs({
    data: v.data,
    images: v.images,
    speech: v.speech,
    limit,
  });
  if (paths.length === 0) throw new StegError('bad_request', `no PNG or JPEG images in ${imageDirs.join(', ')}`);
  const speechLabel = v.speech ? `speech from ${v.speech}` : 'FSDD test speakers';
  console.log(
    `rate–distortion: ${model.version} vs LSB k = ${bits.join(', ')} on ${paths.length} images (${imageDirs.join(', ')}), ${speechLabel}, ` +
      `densities ${densities.map((d) => d.label).join(', ')}, backend ${tf.getBackend()}`,
  );
  await mkdir(v.out!, { recursive: true });
  type Measured = Parameters<typeof row>[3][number];
  const cells = new Map<string, Measured[]>();
  const add = (key: string, m: Measured) => cells.set(key, [...(cells.get(key) ?? []), m]);
  // Every density walks the speech stream on its own, as `stegavox eval --density d` does, so its stegavox row
  // matches that command and stegavox and LSB see the same clip in the same photo.
  const offsets = densities.map(() => 0);
  const perImage: Array<{ image: string; density: number; stegavox: PairResult; lsb: LsbResult[] }> = [];
  for (const p of paths) {
    const name = path.basename(p);
    const bytes = new Uint8Array(await readFile(p));
    for (const [di, d] of densities.entries()) {
      const { result, cover, clip } = await evaluatePair(model, name, bytes, stream, offsets[di]!, d.value, {
        quality,
        denoise,
      });
      offsets[di]! += clip.length;
      const values = cover.data.length;
      const slots = payloadSlots(clip.length, spreadRate(clip.length, capacity(cover.width, cover.height).samples));
      add(`stegavox|${di}`, {
        pair: result,
        seconds: result.seconds,
        carrying: slots / values,
        valuesPerSample: slots / clip.length,
        codeBits: null,
        refused: result.refused,
      });
      // The coded scheme on the same clip (at density 1 it holds 864 samples fewer: the header's values).
      const { result: coded, clip: codedClip } = await evaluatePair(
        model,
        name,
        bytes,
        stream,
        offsets[di]! - clip.length,
        d.value,
        { denoise, scheme: 'coded', clipSamples: clip.length },
      );
      const per = codedPlan(codedClip.length, cover.width, cover.height).digitsPerSample;
      add(`coded|${di}`, {
        pair: coded,
        seconds: coded.seconds,
        carrying: (codedClip.length * per) / values,
        valuesPerSample: per,
        codeBits: null,
        refused: coded.refused,
      });
      const lsb: LsbResult[] = [];
      const modes: LsbMode[] = spareRoom(d.value) ? ['plain', 'spread', 'thin'] : ['plain'];
      for (const mode of modes) {
        for (const k of bits) {
          const r = evaluateLsb(name, cover, clip, k, mode, mode === 'plain' && denoise);
          lsb.push(r);
          const measured = {
            seconds: result.seconds,
            carrying: r.touched,
            valuesPerSample: r.valuesPerSample,
            codeBits: r.codeBits,
            refused: false,
          };
          add(`${mode}|${k}|${di}`, { pair: r, ...measured });
          if (r.filtered) add(`filtered|${k}|${di}`, { pair: { ...r, ...r.filtered }, ...measured });
        }
      }
      perImage.push({ image: name, density: d.value, stegavox: result, lsb });
      const brief = lsb
        .filter((r) => r.mode === 'plain')
        .map((r) => `k=${r.bits} ${r.psnr.toFixed(1)}/${r.siSnr.toFixed(1)}`);
      console.log(
        `${name} @ ${d.label}: stegavox ${result.psnr.toFixed(2)} dB / PCC ${result.pcc.toFixed(4)} / ${result.siSnr.toFixed(2)} dB; ` +
          `coded ${coded.psnr.toFixed(2)} dB / PCC ${coded.pcc.toFixed(4)} / ${coded.siSnr.toFixed(2)} dB; ` +
          `LSB (PSNR/SI-SNR) ${brief.join(', ')}`,
      );
    }
  }
  const rows: RdRow[] = [];
  for (const [di, d] of densities.entries()) {
    rows.push(row('stegavox', null, d, cells.get(`stegavox|${di}`) ?? []));
    rows.push(row('coded', null, d, cells.get(`coded|${di}`) ?? []));
    for (const k of bits) rows.push(row('lsb', k, d, cells.get(`plain|${k}|${di}`) ?? []));
    if (denoise) for (const k of bits) rows.push(row('lsb-filtered', k, d, cells.get(`filtered|${k}|${di}`) ?? []));
    if (spareRoom(d.value)) {
      for (const k of bits) rows.push(row('lsb-thin', k, d, cells.get(`thin|${k}|${di}`) ?? []));
      for (const k of bits) rows.push(row('lsb-spread', k, d, cells.get(`spread|${k}|${di}`) ?? []));
    }
  }
  const label = `${model.version}, ${paths.length} images, ${speechLabel}`;
  const table = rdTable(rows, label, quality === 'high' ? 'stegavox, quality high' : 'stegavox');
  const refused = rows
    .filter((r) => r.method === 'stegavox' || r.method === 'coded')
    .reduce((n, r) => n + r.refused, 0);
  const note = `Means over ${paths.length} images; ${refused} stegavox containers would have been refused as damaged by the server.`;
  await writeFile(
    path.join(v.out!, 'rd.json'),
    JSON.stringify({ model: model.version, images: imageDirs, speech: speechLabel, bits, rows, perImage }, null, 2),
  );
  await writeFile(path.join(v.out!, 'rd.md'), `${table}\n\n${note}\n`);
  console.log(`\n${table}\n\n${note}\n\nwritten to ${v.out}`);
  disposeModel(model);
}
