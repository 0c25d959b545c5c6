/** `stegavox embed` and `stegavox reveal`: the shared pipeline on files (or stdin/stdout), on the wasm backend. */
import { embedAudio, revealAudio } from '../../src/pipeline/index.js';
import { initBackend } from '../../src/node/backend.js';
import { lazyModel } from '../../src/node/load-model.js';
import {
  checkOneStdin,
  checkOutput,
  denoiseOption,
  parse,
  qualityOption,
  readInput,
  required,
  schemeOption,
  statusLog,
  writeOutput,
} from './args.js';

/** `embed --image cover --audio clip.wav --out container.png [--force] [--key K] [--quality Q] [--scheme S] [--weights DIR]` */
export async function embedCommand(argv: string[]): Promise<void> {
  const v = parse(argv, {
    image: { type: 'string' },
    audio: { type: 'string' },
    out: { type: 'string' },
    force: { type: 'boolean', default: false },
    key: { type: 'string' },
    quality: { type: 'string' },
    scheme: { type: 'string' },
    weights: { type: 'string' },
  });
  const quality = qualityOption(v);
  const scheme = schemeOption(v);
  const [imagePath, audioPath, outPath] = [required(v, 'image'), required(v, 'audio'), required(v, 'out')];
  checkOneStdin(v, ['image', 'audio']);
  checkOutput(outPath, v.force!);
  const log = statusLog(outPath);
  const imageBytes = await readInput(imagePath);
  const audioBytes = await readInput(audioPath);
  await initBackend('wasm');
  const model = lazyModel(v.weights);
  try {
    const result = await embedAudio(model.access, imageBytes, audioBytes, { key: v.key, quality, scheme });
    await writeOutput(outPath, result.png, v.force!);
    log(
      `${outPath === '-' ? 'stdout' : outPath}: ${result.width}×${result.height}, ${result.seconds.toFixed(2)} s of audio ` +
        `(capacity ${result.capacitySeconds.toFixed(2)} s)${result.spreadRate > 8000 ? `, spread to ${result.spreadRate / 1000} kHz` : ''}` +
        `${result.fedBack ? ', feedback pass' : ''}${v.key ? ', keyed' : ''}${result.model ? `, model ${result.model}` : `, ${result.scheme} scheme`}`,
    );
  } finally {
    model.dispose();
  }
}

/** `reveal --image container.png --out clip.wav [--force] [--key K] [--denoise on|off] [--weights DIR]` */
export async function revealCommand(argv: string[]): Promise<void> {
  const v = parse(argv, {
    image: { type: 'string' },
    out: { type: 'string' },
    force: { type: 'boolean', default: false },
    key: { type: 'string' },
    denoise: { type: 'string' },
    weights: { type: 'string' },
  });
  const denoise = denoiseOption(v);
  const [imagePath, outPath] = [required(v, 'image'), required(v, 'out')];
  checkOutput(outPath, v.force!);
  const log = statusLog(outPath);
  const imageBytes = await readInput(imagePath);
  await initBackend('wasm');
  const model = lazyModel(v.weights);
  try {
    const result = await revealAudio(model.access, imageBytes, { key: v.key, denoise });
    await writeOutput(outPath, result.wav, v.force!);
    log(
      `${outPath === '-' ? 'stdout' : outPath}: ${result.seconds.toFixed(2)} s, 8000 Hz, 16-bit mono${result.keyed ? ' (keyed payload)' : ''}${result.model ? '' : `, ${result.scheme} scheme`}${result.denoised ? '' : ', unfiltered'}`,
    );
  } finally {
    model.dispose();
  }
}
