/** `stegavox capacity`: how much audio an image holds, read from its header only. */
import { readFile } from 'node:fs/promises';
import { sniffImage } from '../../src/formats/image.js';
import { capacity } from '../../src/pipeline.js';
import { codedCapacitySamples } from '../../src/schemes/coded/payload.js';
import { parse, required } from './args.js';

/** `capacity --image file` prints the capacity in seconds and samples (neural, and the coded scheme's). */
export async function capacityCommand(argv: string[]): Promise<void> {
  const v = parse(argv, { image: { type: 'string' }, json: { type: 'boolean' } });
  const bytes = new Uint8Array(await readFile(required(v, 'image')));
  const { width, height } = sniffImage(bytes);
  const cap = capacity(width, height);
  const coded = codedCapacitySamples(width, height);
  if (v.json) console.log(JSON.stringify({ width, height, ...cap, coded: { seconds: coded / cap.sampleRate, samples: coded } }));
  else console.log(`${width}×${height}: ${cap.seconds.toFixed(2)} s (${cap.samples} samples at ${cap.sampleRate} Hz); coded scheme ${(coded / cap.sampleRate).toFixed(2)} s`);
}
