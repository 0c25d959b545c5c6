// PNG decoder: the bounded inflate (fflate) against every kind of deflate stream node:zlib writes, IDATs split
// anywhere, every scanline filter on RGB and RGBA, maxRows, truncation, corruption and bombs.
import { constants, deflateSync, inflateRawSync, type ZlibOptions } from 'node:zlib';
import { zlibSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { decodeImage } from '../../src/formats/image.js';
import { StegError } from '../../src/util/errors.js';
import { SIGNATURE, chunk, concat, ihdr, rawImageData, tableBombPng, type PngSpec } from '../fixtures/png-writer.js';
import { mulberry32 as rng } from '../../src/util/rng.js';

/** Photo-like samples (gradients, texture, a little noise) for 8-bit RGB or RGBA; alpha varies too. */
function photoSpec(width: number, height: number, colorType: 2 | 6, filter: PngSpec['filter'], seed = 1): PngSpec {
  const rand = rng(seed);
  const ch = colorType === 2 ? 3 : 4;
  const samples = new Uint8Array(width * height * ch);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < ch; c++) {
        const v = 60 + x * (c + 1) * 0.7 + y * (3 - c) * 0.5 + 20 * Math.sin((x + 2 * y) / (7 + c)) + rand() * 12;
        samples[(y * width + x) * ch + c] = Math.max(0, Math.min(255, Math.round(v)));
      }
    }
  }
  return { width, height, colorType, bitDepth: 8, samples, filter };
}

/** What the decoder must return for an 8-bit RGB/RGBA spec: the samples with alpha dropped. */
function rgbOf(spec: PngSpec): Uint8Array {
  const ch = spec.colorType === 2 ? 3 : 4;
  const n = spec.width * spec.height;
  const out = new Uint8Array(n * 3);
  for (let p = 0; p < n; p++) for (let c = 0; c < 3; c++) out[p * 3 + c] = spec.samples[p * ch + c]!;
  return out;
}

/** A PNG around zlib data `z`, split into IDATs of `idatSize` bytes (with an empty IDAT between each if asked). */
function pngOf(spec: PngSpec, z: Uint8Array, idatSize = z.length, empties = false): Uint8Array {
  const parts = [SIGNATURE, ihdr(spec.width, spec.height, 8, spec.colorType)];
  for (let i = 0; i < z.length; i += idatSize) {
    parts.push(chunk('IDAT', z.subarray(i, i + idatSize)));
    if (empties) parts.push(chunk('IDAT', new Uint8Array(0)));
  }
  parts.push(chunk('IEND', new Uint8Array(0)));
  return concat(parts);
}

function same(a: Uint8Array, b: Uint8Array): boolean {
  return (
    a.length === b.length &&
    Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length))
  );
}

/** The message of the bad_image StegError `fn` throws; fails on success or on any other error. */
async function badImage(fn: () => unknown): Promise<string> {
  try {
    await fn();
  } catch (e) {
    if (e instanceof StegError && e.code === 'bad_image') return e.message;
    throw e;
  }
  throw new Error('decoded without error');
}

const ZLIB_SETTINGS: Array<[string, ZlibOptions]> = [
  ['stored', { level: 0 }],
  ['level 1', { level: 1 }],
  ['level 6', { level: 6 }],
  ['level 9', { level: 9 }],
  ['fixed Huffman', { strategy: constants.Z_FIXED }],
  ['Huffman only', { strategy: constants.Z_HUFFMAN_ONLY }],
  ['RLE', { strategy: constants.Z_RLE }],
  ['filtered', { strategy: constants.Z_FILTERED }],
  ['small window, small memory', { windowBits: 9, memLevel: 1, level: 9 }],
];

describe('PNG decoder: inflate', () => {
  for (const colorType of [2, 6] as const) {
    for (const filter of [0, 1, 2, 3, 4, 'cycle'] as const) {
      it(`${colorType === 2 ? 'RGB' : 'RGBA'} 8-bit, filter ${filter}: every zlib setting decodes exactly`, async () => {
        const spec = photoSpec(131, 47, colorType, filter, colorType * 10 + (filter === 'cycle' ? 5 : filter));
        const raw = rawImageData(spec);
        const want = rgbOf(spec);
        for (const [name, options] of ZLIB_SETTINGS) {
          const got = await decodeImage(pngOf(spec, new Uint8Array(deflateSync(raw, options))));
          expect([got.width, got.height]).toEqual([131, 47]);
          expect(same(got.data, want), name).toBe(true);
        }
        expect(same((await decodeImage(pngOf(spec, zlibSync(raw, { level: 9 })))).data, want)).toBe(true);
      });
    }
  }

  it('long matches up to the very last byte, and stored blocks longer than 64 KiB', async () => {
    const flat: PngSpec = {
      width: 300,
      height: 200,
      colorType: 2,
      bitDepth: 8,
      samples: new Uint8Array(300 * 200 * 3).fill(77),
      filter: 0,
    };
    const noise: PngSpec = {
      ...flat,
      colorType: 6,
      samples: Uint8Array.from({ length: 300 * 200 * 4 }, rng(4)).map((v) => v * 256),
    };
    for (const spec of [flat, noise]) {
      for (const options of [{ level: 0 }, { level: 9 }, { strategy: constants.Z_RLE }]) {
        const got = await decodeImage(pngOf(spec, new Uint8Array(deflateSync(rawImageData(spec), options))));
        expect(same(got.data, rgbOf(spec))).toBe(true);
      }
    }
  });

  it('IDATs split anywhere (1 … 9 bytes, empty IDATs between) decode the same', async () => {
    for (const colorType of [2, 6] as const) {
      const spec = photoSpec(29, 13, colorType, 'cycle', 7);
      const want = rgbOf(spec);
      for (const [, options] of ZLIB_SETTINGS.slice(0, 6)) {
        const z = new Uint8Array(deflateSync(rawImageData(spec), options));
        for (const size of [1, 2, 3, 5, 8, 9, 1000]) {
          expect(same((await decodeImage(pngOf(spec, z, size))).data, want), `${size}`).toBe(true);
        }
        expect(same((await decodeImage(pngOf(spec, z, 3, true))).data, want)).toBe(true);
      }
    }
  });

  it('maxRows on RGB and RGBA returns exactly the top rows, split IDATs included', async () => {
    for (const colorType of [2, 6] as const) {
      const spec = photoSpec(57, 40, colorType, 'cycle', 11);
      const want = rgbOf(spec);
      const z = new Uint8Array(deflateSync(rawImageData(spec), { level: 9 }));
      for (const png of [pngOf(spec, z), pngOf(spec, z, 7)]) {
        for (const rows of [1, 2, 3, 17, 39, 40, 41]) {
          const got = await decodeImage(png, { maxRows: rows });
          const n = Math.min(rows, 40);
          expect(got.height).toBe(n);
          expect(got.data.length).toBe(57 * n * 3);
          expect(same(got.data, want.subarray(0, 57 * n * 3)), `${colorType} ${rows}`).toBe(true);
        }
      }
    }
  });

  it('a little surplus data after the image is accepted; a stream that ends early says truncated', async () => {
    const spec = photoSpec(20, 10, 2, 1, 3);
    const raw = rawImageData(spec);
    const surplus = concat([raw, new Uint8Array(500).fill(9)]);
    expect(same((await decodeImage(pngOf(spec, zlibSync(surplus)))).data, rgbOf(spec))).toBe(true);
    expect(await badImage(() => decodeImage(pngOf(spec, zlibSync(raw.subarray(0, raw.length - 5)))))).toMatch(
      /truncated \(605 of 610 bytes\)/,
    );
  });
});

describe('PNG decoder: damaged streams', () => {
  it('every cut of the zlib stream is a clean bad_image; with maxRows the rows that arrived are exact', async () => {
    for (const colorType of [2, 6] as const) {
      const spec = photoSpec(23, 9, colorType, 'cycle', 5);
      const want = rgbOf(spec);
      for (const [name, options] of [ZLIB_SETTINGS[0]!, ZLIB_SETTINGS[3]!, ZLIB_SETTINGS[4]!]) {
        const z = new Uint8Array(deflateSync(rawImageData(spec), options));
        // Once every pixel is out, a cut in what follows (end-of-block code, Adler-32) is a benign quirk: the image
        // decodes. Any earlier cut is bad_image.
        let failures = 0;
        for (let cut = 1; cut < z.length; cut++) {
          const png = pngOf(spec, z.subarray(0, cut), 5);
          try {
            expect(same((await decodeImage(png)).data, want), `${name} cut ${cut}`).toBe(true);
            expect(cut, name).toBeGreaterThan(z.length - 8);
          } catch (e) {
            if (!(e instanceof StegError)) throw e;
            expect(e.code).toBe('bad_image');
            expect(e.message, `${name} cut ${cut}`).toMatch(/corrupt compressed image data|truncated|cannot hold/);
            failures++;
          }
          try {
            const top = await decodeImage(png, { maxRows: 3 });
            expect(same(top.data, want.subarray(0, 23 * 3 * 3)), `${name} cut ${cut}`).toBe(true);
          } catch (e) {
            expect(e instanceof StegError && e.code === 'bad_image', `${name} cut ${cut}`).toBe(true);
          }
        }
        expect(failures, name).toBeGreaterThan(z.length - 12);
      }
    }
  });

  it('damaged deflate data that node:zlib still inflates to the right size decodes to what zlib produced', async () => {
    const spec = photoSpec(40, 20, 2, 'cycle', 13);
    const rand = rng(21);
    let agreed = 0;
    for (const [, options] of ZLIB_SETTINGS.slice(1, 6)) {
      const z = new Uint8Array(deflateSync(rawImageData(spec), options));
      for (let trial = 0; trial < 150; trial++) {
        const bad = z.slice();
        for (let k = 0; k < 1 + Math.floor(rand() * 2); k++)
          bad[2 + Math.floor(rand() * (bad.length - 6))]! ^= 1 << Math.floor(rand() * 8);
        let ref: Uint8Array | null = null;
        try {
          ref = new Uint8Array(inflateRawSync(bad.subarray(2))); // raw deflate: no Adler-32, which the decoder skips too
        } catch {
          ref = null;
        }
        let got: Uint8Array | string;
        try {
          got = (await decodeImage(pngOf(spec, bad, 11))).data;
        } catch (e) {
          if (!(e instanceof StegError) || e.code !== 'bad_image') throw e;
          got = e.message;
        }
        if (ref && ref.length === 121 * 20 && !ref.some((v, i) => i % 121 === 0 && v > 4)) {
          // zlib accepts the deflate data and every filter byte is valid: the same pixels must come out.
          expect(got instanceof Uint8Array && same(got, (await decodeImage(pngOf(spec, zlibSync(ref)))).data)).toBe(
            true,
          );
          agreed++;
        }
      }
    }
    expect(agreed).toBeGreaterThan(200);
  });

  /** A 1×1 RGB PNG around the deflate bytes `body` (zlib header 78 01 added, plus a dummy Adler-32). */
  const onePixel = (body: number[]): Uint8Array =>
    concat([
      SIGNATURE,
      ihdr(1, 1, 8, 2),
      chunk('IDAT', Uint8Array.from([0x78, 0x01, ...body, 0, 0, 0, 0])),
      chunk('IEND', new Uint8Array(0)),
    ]);

  it('hand-made broken deflate streams are bad_image (corrupt compressed image data)', async () => {
    // Sanity: a stored block with the 4 bytes of a 1×1 RGB image decodes.
    expect(Array.from((await decodeImage(onePixel([0x01, 4, 0, 0xfb, 0xff, 0, 1, 2, 3]))).data)).toEqual([1, 2, 3]);
    const cases: Record<string, number[]> = {
      'block type 3': [0x07, 0, 0, 0],
      // Fixed Huffman: BFINAL 1, BTYPE 01, then length code 257 (0000001) and distance code 0 as the first symbol.
      'distance before the start': [0x03, 0x02, 0x00, 0x00],
      // Dynamic: HLIT 0, HDIST 0, HCLEN 0 (4 code-length codes), all of length 1: over-subscribed.
      'over-subscribed code': [0x05, 0x00, 0x92, 0x04, 0x00],
      // Fixed Huffman: literal/length symbol 286 (11000110), which does not exist.
      'length symbol 286': [0x1b, 0x03, 0x00],
    };
    for (const [name, body] of Object.entries(cases)) {
      expect(await badImage(() => decodeImage(onePixel(body))), name).toMatch(/corrupt compressed image data/);
    }
    const badHeader = concat([
      SIGNATURE,
      ihdr(1, 1, 8, 2),
      chunk('IDAT', Uint8Array.from([0x78, 0x21, 0x01, 4, 0, 0xfb, 0xff, 0, 1, 2, 3, 0, 0, 0, 0])),
      chunk('IEND', new Uint8Array(0)),
    ]);
    expect(await badImage(() => decodeImage(badHeader))).toMatch(/corrupt compressed image data/);
  });

  it('a stream of thousands of empty blocks is refused as a trap; a few such blocks still decode', async () => {
    expect(Array.from((await decodeImage(tableBombPng(3))).data).every((v) => v === 0)).toBe(true);
    // 10,000 blocks (125 kB) are still inside the trap check's slack: a valid if odd stream, decoded.
    expect(Array.from((await decodeImage(tableBombPng(10_000))).data).every((v) => v === 0)).toBe(true);
    for (const blocks of [30_000, 300_000])
      expect(await badImage(() => decodeImage(tableBombPng(blocks)))).toMatch(/decompression trap/);
    // Empty blocks that declare a 15-bit code are an incomplete code: zlib refuses them outright.
    expect(await badImage(() => decodeImage(tableBombPng(3, 16, 16, 15)))).toMatch(/corrupt compressed image data/);
  });

  it('a top-rows read of a zlib bomb stops at those rows (the inflater is released, nothing waits on unread output)', async () => {
    const bomb = zlibSync(new Uint8Array(8 << 20), { level: 9 });
    const top = await decodeImage(pngOf(photoSpec(16, 16, 2, 0), bomb, 100), { maxRows: 2 });
    expect([top.width, top.height]).toEqual([16, 2]);
    expect(top.data.every((v) => v === 0)).toBe(true);
  });

  it('a zlib bomb spread over many small IDATs is refused', async () => {
    const bomb = zlibSync(new Uint8Array(8 << 20), { level: 9 });
    const spec = photoSpec(16, 16, 2, 0);
    expect(await badImage(() => decodeImage(pngOf(spec, bomb, 100)))).toMatch(/far more image data/);
    // Big enough header for the compressed size, still far less than the stream holds.
    expect(await badImage(() => decodeImage(pngOf({ ...spec, width: 100, height: 100 }, bomb, 1000)))).toMatch(
      /far more image data/,
    );
  });
});
