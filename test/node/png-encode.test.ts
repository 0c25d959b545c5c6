// The PNG writer (src/formats/png-encode.ts): exact round trips through the project's decoder and through fflate's
// and Node's inflaters, at sizes that stress the windowed Sub filter and the zlib blocks (tiny images, rows longer
// than a 64 KiB block, runs across block edges, flat and noise images).
import { inflateSync } from 'node:zlib';
import { decode as fastPngDecode } from 'fast-png';
import { unzlibSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { decodeImage } from '../../src/formats/image.js';
import { writePngRgb } from '../../src/formats/png-encode.js';
import { mulberry32 as rng } from '../../src/util/rng.js';

/** Every row with filter byte 1 and Sub-filtered bytes, written the plain way. */
function subRows(width: number, height: number, data: Uint8Array): Uint8Array {
  const line = width * 3;
  const rows = new Uint8Array(height * (line + 1));
  for (let y = 0; y < height; y++) {
    rows[y * (line + 1)] = 1;
    for (let x = 0; x < line; x++)
      rows[y * (line + 1) + 1 + x] = data[y * line + x]! - (x >= 3 ? data[y * line + x - 3]! : 0);
  }
  return rows;
}

/** The concatenated IDAT data of a PNG. */
function idat(png: Uint8Array): Uint8Array {
  const view = new DataView(png.buffer, png.byteOffset);
  const parts: Uint8Array[] = [];
  for (let at = 8; at < png.length;) {
    const length = view.getUint32(at);
    if (String.fromCharCode(...png.subarray(at + 4, at + 8)) === 'IDAT')
      parts.push(png.subarray(at + 8, at + 8 + length));
    at += 12 + length;
  }
  return Buffer.concat(parts);
}

/** Encodes, then checks the pixels and the filtered rows come back exactly by every reader; returns the PNG. */
async function roundTrip(width: number, height: number, data: Uint8Array): Promise<Uint8Array> {
  const png = writePngRgb(width, height, data);
  const label = `${width}×${height}`;
  const back = await decodeImage(png);
  expect([back.width, back.height], label).toEqual([width, height]);
  expect(Buffer.from(back.data).equals(Buffer.from(data)), `${label} project decoder`).toBe(true);
  const rows = Buffer.from(subRows(width, height, data));
  expect(Buffer.from(unzlibSync(idat(png))).equals(rows), `${label} fflate`).toBe(true);
  expect(inflateSync(idat(png)).equals(rows), `${label} node:zlib`).toBe(true);
  return png;
}

describe('writePngRgb', () => {
  it('round-trips tiny images (1×1, 3×1, 1×3, 2×2) of flat, extreme and mixed values', async () => {
    for (const [w, h] of [
      [1, 1],
      [3, 1],
      [1, 3],
      [2, 2],
    ] as const) {
      for (const fill of [(_: number) => 0, (_: number) => 255, (i: number) => (i * 97) & 255])
        await roundTrip(
          w,
          h,
          Uint8Array.from({ length: w * h * 3 }, (_, i) => fill(i)),
        );
    }
  });

  it('round-trips an all-equal image (runs of 258 across every block edge) in a tiny file', async () => {
    for (const v of [0, 1, 200]) {
      const png = await roundTrip(300, 300, new Uint8Array(300 * 300 * 3).fill(v));
      expect(png.length).toBeLessThan(3000);
    }
  });

  it('round-trips random noise (almost no runs, every byte value) with under 1 % expansion', async () => {
    const rand = rng(21);
    const data = Uint8Array.from({ length: 211 * 157 * 3 }, () => Math.floor(rand() * 256));
    const png = await roundTrip(211, 157, data);
    expect(png.length).toBeLessThan(data.length * 1.01 + 200);
  });

  it('round-trips rows longer than a 64 KiB block, and rows that cross block edges mid-row', async () => {
    const rand = rng(8);
    // 21,846 pixels: 65,539 filtered bytes per row, so every block edge falls inside a row at a different place.
    for (const [w, h] of [
      [21_846, 3],
      [30_001, 4],
      [7_777, 11],
    ] as const) {
      const data = new Uint8Array(w * h * 3);
      for (let i = 0; i < data.length; i++) data[i] = (i >> 5) & 1 ? 77 : Math.floor(rand() * 256);
      await roundTrip(w, h, data);
    }
  });

  it('round-trips flat bands whose runs straddle the 64 KiB block edges at every offset near them', async () => {
    const w = 1000;
    const h = 200;
    const stride = 3 * w + 1;
    const rand = rng(5);
    const data = Uint8Array.from({ length: w * h * 3 }, () => Math.floor(rand() * 256));
    // Flat stretches (Sub turns them into runs of 0) starting just before, at and after each block edge.
    for (let edge = 65_536, d = -300; edge < h * stride; edge += 65_536, d += 37) {
      const y = Math.floor((edge + d) / stride);
      const x = edge + d - y * stride - 1;
      if (x >= 0) data.fill(9, y * 3 * w + x, Math.min(data.length, y * 3 * w + x + 700));
    }
    await roundTrip(w, h, data);
  });

  it('round-trips photo-like data at odd sizes and writes valid chunk CRCs', async () => {
    const rand = rng(13);
    for (const [w, h] of [
      [257, 131],
      [64, 1],
      [1, 64],
    ] as const) {
      const data = new Uint8Array(w * h * 3);
      for (let i = 0; i < data.length; i++) data[i] = (i >= 3 ? data[i - 3]! : 128) + Math.round((rand() - 0.5) * 12);
      const png = await roundTrip(w, h, data);
      expect(Buffer.from(fastPngDecode(png, { checkCrc: true }).data as Uint8Array).equals(Buffer.from(data))).toBe(
        true,
      );
    }
  });
});
