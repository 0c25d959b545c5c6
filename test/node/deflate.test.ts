// The PNG encoder's zlib writer (src/formats/deflate.ts): every output inflates back exactly with Node's zlib and
// with fflate, runs of every length and across block boundaries, complete length-limited codes, sane sizes.
import { constants, deflateSync, inflateSync } from 'node:zlib';
import fc from 'fast-check';
import { unzlibSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { adler32, codeLengths, zlibRle } from '../../src/formats/deflate.js';
import { mulberry32 as rng } from '../../src/util/rng.js';

/** zlibRle, then inflates with both independent inflaters and checks the bytes come back. */
function roundTrip(data: Uint8Array): Uint8Array {
  const z = zlibRle(data);
  expect(Buffer.from(inflateSync(z)).equals(Buffer.from(data)), 'node:zlib').toBe(true);
  expect(Buffer.from(unzlibSync(z)).equals(Buffer.from(data)), 'fflate').toBe(true);
  return z;
}

describe('zlibRle', () => {
  it('round-trips empty, tiny and single-valued inputs', () => {
    for (const data of [[], [0], [255], [7, 7], [7, 7, 7], [7, 7, 7, 7], [1, 2, 3], [9, 9, 9, 9, 9, 9, 1]])
      roundTrip(Uint8Array.from(data));
  });

  it('round-trips runs of every length 1…600 (one match, several, and the 258 limit)', () => {
    for (let len = 1; len <= 600; len++) {
      const data = new Uint8Array(len + 4);
      data.fill(42, 2, 2 + len);
      data[0] = 1;
      data[len + 3] = 3;
      roundTrip(data);
    }
  });

  it('round-trips runs that straddle the 64 KiB block boundaries', () => {
    const rand = rng(3);
    const data = Uint8Array.from({ length: 3 * 65536 + 999 }, () => Math.floor(rand() * 256));
    for (const at of [65536, 2 * 65536, 3 * 65536])
      for (const d of [-300, -258, -3, -1, 0, 1, 2]) data.fill(5, at + d, at + d + 400);
    roundTrip(data);
  });

  it('round-trips random byte strings with random runs (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 1, max: 700 })), { maxLength: 60 }),
        (pieces) => {
          const data = Uint8Array.from(pieces.flatMap(([v, n]) => Array<number>(n).fill(v)));
          roundTrip(data);
        },
      ),
      { numRuns: 300, seed: 11 },
    );
  });

  it('shrinks flat data ~100-fold and expands incompressible data by well under 1 %', () => {
    const flat = new Uint8Array(1 << 20).fill(128);
    expect(roundTrip(flat).length).toBeLessThan(12_000);
    const rand = rng(9);
    const noise = Uint8Array.from({ length: 200_000 }, () => Math.floor(rand() * 256));
    expect(roundTrip(noise).length).toBeLessThan(noise.length * 1.005 + 100);
  });

  it('compresses skewed data like a Huffman code should: near its entropy, within 2 % of zlib Z_HUFFMAN_ONLY', () => {
    const rand = rng(5);
    // Two-sided geometric residuals around 0, stored modulo 256 as a Sub filter leaves them.
    const data = Uint8Array.from({ length: 100_000 }, () => {
      const m = Math.floor(Math.log(1 - rand()) / Math.log(0.7));
      return (rand() < 0.5 ? m : -m) & 255;
    });
    const counts = new Array<number>(256).fill(0);
    for (const x of data) counts[x]!++;
    const entropyBits = counts.reduce((h, c) => (c ? h - c * Math.log2(c / data.length) : h), 0);
    const z = roundTrip(data);
    expect(z.length * 8).toBeLessThan(entropyBits * 1.03 + 8 * 2000);
    expect(z.length).toBeLessThan(1.02 * deflateSync(data, { strategy: constants.Z_HUFFMAN_ONLY }).length);
  });
});

describe('codeLengths', () => {
  /** Kraft sum of the lengths: exactly 1 for a complete prefix code. */
  const kraft = (lengths: Uint8Array) => Array.from(lengths).reduce((s, l) => s + (l ? 2 ** -l : 0), 0);

  it('limits Fibonacci frequencies (unlimited depth 29) to 15 bits with a complete code', () => {
    const freq = new Uint32Array(286);
    let [a, b] = [1, 1];
    for (let s = 0; s < 30; s++) {
      freq[s * 7] = a;
      [a, b] = [b, a + b];
    }
    const lengths = codeLengths(freq, 15);
    expect(Math.max(...lengths)).toBeLessThanOrEqual(15);
    expect(kraft(lengths)).toBe(1);
    for (let s = 0; s < 286; s++) expect(lengths[s]! > 0, `symbol ${s}`).toBe(freq[s]! > 0);
  });

  it('gives one used symbol a partner, so the code stays complete', () => {
    const freq = new Uint32Array(19);
    freq[8] = 100;
    const lengths = codeLengths(freq, 7);
    expect(lengths[8]).toBe(1);
    expect(kraft(lengths)).toBe(1);
  });
});

describe('adler32', () => {
  it('matches the RFC 1950 definition, including past the 5552-byte modulo window', () => {
    const rand = rng(2);
    for (const n of [0, 1, 5551, 5552, 5553, 100_000]) {
      const data = Uint8Array.from({ length: n }, () => (rand() < 0.5 ? 255 : Math.floor(rand() * 256)));
      let a = 1;
      let b = 0;
      for (const x of data) {
        a = (a + x) % 65521;
        b = (b + a) % 65521;
      }
      expect(adler32(data), `n = ${n}`).toBe(((b << 16) | a) >>> 0);
    }
  });
});
