/** `stegavox embed` and `stegavox reveal`: the shared pipeline on files (or stdin/stdout), on the wasm backend. */
import { CONTAINER_FORMATS, embedAudio, revealAudio } from '../../src/pipeline/index.js';
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
  numberOption,
  choiceOption,
  UsageError,
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
    fit: { type: 'string' },
    format: { type: 'string' },
    weights: { type: 'string' },
  });
  const quality = qualityOption(v);
  const scheme = schemeOption(v);
  const fit = v.fit === undefined ? undefined : numberOption(v, 'fit', 0);
  if (fit !== undefined && (!Number.isInteger(fit) || fit < 64))
    throw new UsageError('--fit must be a long side in pixels, at least 64');
  const format = v.format === undefined ? undefined : choiceOption(v, 'format', CONTAINER_FORMATS, 'png');
  const [imagePath, audioPath, outPath] = [required(v, 'image'), required(v, 'audio'), required(v, 'out')];
  checkOneStdin(v, ['image', 'audio']);
  checkOutput(outPath, v.force!);
  const log = statusLog(outPath);
  const imageBytes = await readInput(imagePath);
  const audioBytes = await readInput(audioPath);
  await initBackend('wasm');
  const model = lazyModel(v.weights);
  try {
    const result = await embedAudio(model.access, imageBytes, audioBytes, { key: v.key, quality, scheme, fit, format });
    await writeOutput(outPath, result.container, v.force!);
    log(
      `${outPath === '-' ? 'stdout' : outPath}: ${result.width}×${result.height}, ${result.seconds.toFixed(2)} s of audio ` +
        `(capacity ${result.capacitySeconds.toFixed(2)} s)${result.spreadRate > 8000 ? `, spread to ${result.spreadRate / 1000} kHz` : ''}` +
        `${result.fedBack ? ', feedback pass' : ''}${v.key ? ', keyed' : ''}${result.model ? `, model ${result.model}` : `, ${result.scheme} scheme`}` +
        `${result.format === 'jpeg' ? ', JPEG' : ''}`,
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
      `${outPath === '-' ? 'stdout' : outPath}: ${result.seconds.toFixed(2)} s, 8000 Hz, 16-bit mono${result.keyed ? ' (keyed payload)' : ''}${result.model ? '' : `, ${result.scheme} scheme`}${result.denoised ? '' : ', unfiltered'}` +
        `${result.frames ? `, ${result.frames.lost} of ${result.frames.total} frames lost and concealed` : ''}`,
    );
  } finally {
    model.dispose();
  }
}
