// The sealed header (src/container/sealed-header.ts): opens with its key only, any altered sealed bit is refused,
// and no LSB among the first 4,096 values is constant across containers, keyed or not (the old "SVX" header's were).
import { describe, expect, it } from 'vitest';
import { HEADER_VALUES } from '../../src/container/header.js';
import { openHeader, sealHeader } from '../../src/container/sealed-header.js';
import { encodePng, decodeImage } from '../../src/formats/image.js';
import { encodeWav16 } from '../../src/formats/wav.js';
import { embedAudio, revealAudio } from '../../src/pipeline/index.js';
import { writeHeaderBits } from '../../src/schemes/registry.js';
import { mulberry32 } from '../../src/util/rng.js';
import { stegErrorOf } from '../helpers/errors.js';
import { speechLike } from '../helpers/signals.js';

const HEADER = Uint8Array.from({ length: 36 }, (_, i) => (i * 37 + 5) & 255);

function noisyImage(seed: number, values: number): Uint8Array {
  const random = mulberry32(seed);
  return Uint8Array.from({ length: values }, () => Math.floor(random() * 256));
}

/** LSB positions among the first `n` values that hold the same bit in every one of `images`. */
function constantLsbs(images: Uint8Array[], n: number): number {
  let constant = 0;
  for (let i = 0; i < n; i++) if (images.every((im) => (im[i]! & 1) === (images[0]![i]! & 1))) constant++;
  return constant;
}

describe('sealHeader / openHeader', () => {
  it('opens with the key it was sealed with, and with nothing else', async () => {
    const keyless = noisyImage(1, HEADER_VALUES);
    await sealHeader(keyless, HEADER);
    expect(await openHeader(keyless)).toEqual(HEADER);
    expect(await openHeader(keyless, 'any key')).toBeNull();
    const keyed = noisyImage(2, HEADER_VALUES);
    await sealHeader(keyed, HEADER, 'correct horse');
    expect(await openHeader(keyed, 'correct horse')).toEqual(HEADER);
    for (const wrong of [undefined, '', 'correct horse ', 'Correct horse'])
      expect(await openHeader(keyed, wrong)).toBeNull();
    // A photo with nothing sealed in it.
    expect(await openHeader(noisyImage(3, HEADER_VALUES))).toBeNull();
  });

  it('refuses every altered salt or ciphertext bit: exactly 128 + 416 of the 864 header LSBs are load-bearing', async () => {
    const sealed = noisyImage(4, HEADER_VALUES);
    await sealHeader(sealed, HEADER);
    let refused = 0;
    for (let i = 0; i < HEADER_VALUES; i++) {
      const altered = sealed.slice();
      altered[i]! ^= 1;
      if ((await openHeader(altered)) === null) refused++;
    }
    expect(refused).toBe(128 + (36 + 16) * 8);
  });

  it('only the LSBs change, and the same header sealed twice shares no bit pattern', async () => {
    const cover = noisyImage(5, HEADER_VALUES);
    const [a, b] = [cover.slice(), cover.slice()];
    await sealHeader(a, HEADER, 'k');
    await sealHeader(b, HEADER, 'k');
    for (let i = 0; i < HEADER_VALUES; i++) expect(a[i]! >> 1).toBe(cover[i]! >> 1);
    let same = 0;
    for (let i = 0; i < HEADER_VALUES; i++) if ((a[i]! & 1) === (b[i]! & 1)) same++;
    // Independent random bits agree about half the time (864 bits: 432 ± 15).
    expect(same).toBeGreaterThan(360);
    expect(same).toBeLessThan(504);
  });
});

describe('no signature', () => {
  const [W, H] = [64, 48];
  const covers = Array.from({ length: 100 }, (_, i) =>
    encodePng({ width: W, height: H, data: noisyImage(100 + i, W * H * 3) }),
  );
  const clip = encodeWav16(speechLike(4000, 8000, 3, 0.5), 8000);

  it('no LSB among the first 4,096 values is constant across 100 keyless or 100 keyed containers; the old header had hundreds', async () => {
    for (const key of [undefined, 'k']) {
      const containers: Uint8Array[] = [];
      for (const cover of covers) {
        const { png } = await embedAudio(null, cover, clip, { scheme: 'coded', key });
        containers.push((await decodeImage(png)).data);
      }
      expect(constantLsbs(containers, 4096), `key ${String(key)}`).toBe(0);
      // Every one of them still reveals with its key.
      const back = await revealAudio(null, encodePng({ width: W, height: H, data: containers[0]! }), { key });
      expect(back.samples.length).toBe(4000);
    }
    // The same check finds the legacy header's fixed bits ("SVX", version, sizes): the test can fail.
    const legacy = await Promise.all(
      covers.map(async (cover) => {
        const rgb = (await decodeImage(cover)).data;
        writeHeaderBits(rgb, {
          scheme: 'coded',
          width: W,
          height: H,
          sampleCount: 4000,
          gain: 1,
          keyed: true,
          codec: 1,
          base: 7,
          digitsPerSample: 1,
          digitCrc: 1,
          nonce: 2,
        });
        return rgb;
      }),
    );
    expect(constantLsbs(legacy, 4096)).toBeGreaterThan(100);
  });

  it('an altered sealed header is refused as 422 no_payload, like a wrong key', async () => {
    const { png } = await embedAudio(null, covers[0]!, clip, { scheme: 'coded' });
    const rgb = (await decodeImage(png)).data;
    rgb[5]! ^= 1; // a salt bit
    const refused = await stegErrorOf(() => revealAudio(null, encodePng({ width: W, height: H, data: rgb })));
    expect(refused.code).toBe('no_payload');
  });
});
