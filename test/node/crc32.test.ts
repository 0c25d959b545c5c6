// CRC-32 (src/container/crc32.ts): the standard check value, and agreement with a bytewise reference at every tail length.
import { describe, expect, it } from 'vitest';
import { crc32 } from '../../src/container/crc32.js';
import { mulberry32 as rng } from '../../src/util/rng.js';

/** The textbook one-byte-at-a-time CRC-32, bit by bit. */
function reference(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const x of bytes) {
    c ^= x;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

describe('crc32', () => {
  it('gives the standard check value for "123456789"', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });

  it('matches the bitwise reference for lengths 0…70 and a long input (8-byte slices plus every tail)', () => {
    const rand = rng(4);
    const data = Uint8Array.from({ length: 100_003 }, () => Math.floor(rand() * 256));
    for (let n = 0; n <= 70; n++)
      expect(crc32(data.subarray(3, 3 + n)), `n = ${n}`).toBe(reference(data.subarray(3, 3 + n)));
    expect(crc32(data)).toBe(reference(data));
  });
});
