/** `stegavox capacity`: how much audio an image holds under each scheme, read from its header only. */
import { sniffImage } from '../../src/formats/image.js';
import { capacity } from '../../src/pipeline/index.js';
import { DEFAULT_SCHEME, SCHEME_NAMES } from '../../src/schemes/registry.js';
import { parse, readInput, required } from './args.js';

/** `capacity --image file|- [--json]` prints the default scheme's capacity in seconds and samples, then each other's. */
export async function capacityCommand(argv: string[]): Promise<void> {
  const v = parse(argv, { image: { type: 'string' }, json: { type: 'boolean' } });
  const bytes = await readInput(required(v, 'image'));
  const { width, height } = sniffImage(bytes);
  const cap = capacity(width, height, DEFAULT_SCHEME);
  const others = SCHEME_NAMES.filter((name) => name !== DEFAULT_SCHEME).map(
    (name) => [name, capacity(width, height, name)] as const,
  );
  if (v.json) {
    const rest = others.map(([name, { seconds, samples }]) => [name, { seconds, samples }]);
    console.log(JSON.stringify({ width, height, ...cap, ...Object.fromEntries(rest) }));
  } else {
    const rest = others.map(([name, c]) => `; ${name} scheme ${c.seconds.toFixed(2)} s`).join('');
    console.log(
      `${width}×${height}: ${cap.seconds.toFixed(2)} s (${cap.samples} samples at ${cap.sampleRate} Hz)${rest}`,
    );
  }
}
