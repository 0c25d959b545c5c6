/** `stegavox info`: what a container holds, read from its header alone (no weights, no reveal). */
import { parseArgs } from 'node:util';
import { decodeImage, sniffImage } from '../../src/formats/image.js';
import { HEADER_VALUES } from '../../src/container/header.js';
import { SAMPLE_RATE } from '../../src/container/layout.js';
import { readPayloadHeaderInfo } from '../../src/pipeline/index.js';
import { schemeNamed } from '../../src/schemes/registry.js';
import { StegError } from '../../src/util/errors.js';
import { readInput, UsageError } from './args.js';

/** What `info --json` prints. */
export interface ContainerInfo {
  file: string;
  scheme: string;
  seconds: number;
  samples: number;
  width: number;
  height: number;
  /** Whether revealing needs a key: the header was sealed under one, or (legacy) the audio was keyed. */
  keyNeeded: boolean;
  /** `sealed` for containers made since the sealed header; `legacy` for headers in the clear (versions 1–4). */
  frame: 'sealed' | 'legacy';
  /** How the header opened: with the key given, keyless, or in the clear. */
  opened: 'key' | 'keyless' | 'clear';
  /** The header layout version (for legacy containers, the version byte 1–4). */
  headerVersion: number;
  /** Whether reveal needs the nets' weights. */
  modelNeeded: boolean;
  /** Neural only: the rate the clip was spread to before embedding (8000 when it was not). */
  spreadRate?: number;
  /** Set when the header names another size than the image has: reveal would refuse it as damaged. */
  damaged?: string;
}

/** `info CONTAINER.png | --image FILE|- [--key K] [--json]` */
export async function infoCommand(argv: string[]): Promise<void> {
  const { values: v, positionals } = parseArgs({
    args: argv,
    options: { image: { type: 'string' }, key: { type: 'string' }, json: { type: 'boolean', default: false } },
    strict: true,
    allowPositionals: true,
  });
  const files = [...(v.image === undefined ? [] : [v.image]), ...positionals];
  if (files.length !== 1) throw new UsageError('give one container: info CONTAINER.png (or --image FILE, - for stdin)');
  const file = files[0]!;
  const bytes = await readInput(file);
  const { format, width, height } = sniffImage(bytes);
  if (format !== 'png')
    throw new StegError('unsupported_media_type', 'nothing found: containers are PNG files and this is a JPEG');
  // The header lives in the first rows: decode only those, as reveal does.
  const top = await decodeImage(bytes, { maxRows: Math.ceil(HEADER_VALUES / (3 * width)) });
  const { header, frame, version } = await readPayloadHeaderInfo(top.data, v.key);
  const scheme = schemeNamed(header.scheme);
  const info: ContainerInfo = {
    file,
    scheme: header.scheme,
    seconds: header.sampleCount / SAMPLE_RATE,
    samples: header.sampleCount,
    width,
    height,
    keyNeeded: frame === 'key' || header.keyed,
    frame: frame === 'clear' ? 'legacy' : 'sealed',
    opened: frame,
    headerVersion: version,
    modelNeeded: scheme.needsModel,
    ...(header.scheme === 'neural' ? { spreadRate: header.spreadRate } : {}),
    ...(header.width !== width || header.height !== height
      ? { damaged: `made at ${header.width}×${header.height}: resized or cropped, reveal will refuse it` }
      : {}),
  };
  if (v.json) {
    console.log(JSON.stringify(info));
    return;
  }
  const opened =
    frame === 'key' ? 'sealed, opened with the key given' : frame === 'keyless' ? 'sealed, opened without a key' : '';
  const lines = [
    `${file === '-' ? 'stdin' : file}: ${header.scheme} scheme, ${info.seconds.toFixed(2)} s (${info.samples} samples at ${SAMPLE_RATE} Hz)`,
    `  image:    ${width}×${height}${info.damaged ? ` (DAMAGED: ${info.damaged})` : ''}`,
    `  header:   ${frame === 'clear' ? `legacy version ${version}, in the clear` : opened}`,
    `  key:      ${info.keyNeeded ? 'needed to reveal' : 'not needed'}`,
    `  model:    ${info.modelNeeded ? 'needed (the neural nets\u2019 weights)' : 'not needed'}`,
    ...(info.spreadRate !== undefined
      ? [`  spread:   ${info.spreadRate === SAMPLE_RATE ? 'none (8000 Hz)' : `to ${info.spreadRate} Hz`}`]
      : []),
  ];
  console.log(lines.join('\n'));
}
