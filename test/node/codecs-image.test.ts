// Image codecs: every PNG colour type / depth / interlace, baseline + progressive + grey JPEG, EXIF orientation, hostile files.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { convertIndexedToRgb, decode as fastPngDecode, encode as fastPngEncode } from 'fast-png';
import { zlibSync } from 'fflate';
import jpeg from 'jpeg-js';
import { describe, expect, it } from 'vitest';
import { HARD_MAX_PIXELS, decodeImage, encodePng, sniffImage, type RgbImage } from '../../src/formats/image.js';
import { JPEG_FIXTURE_SIZE, meanAbsDiff, pattern } from '../fixtures/pattern.js';
import {
  CHANNELS,
  SIGNATURE,
  chunk,
  concat,
  ihdr,
  rawImageData,
  writePng,
  type PngSpec,
} from '../fixtures/png-writer.js';
import { mulberry32 as rng } from '../../src/util/rng.js';
import { stegCodeOfAsync as codeOf } from '../helpers/errors.js';

const fixture = (name: string) =>
  new Uint8Array(readFileSync(fileURLToPath(new URL(`../fixtures/jpeg/${name}`, import.meta.url))));

/** 8-bit RGB the decoder must produce for a writer spec, computed from the spec's rules. */
function expectedRgb(spec: PngSpec): Uint8Array {
  const { width, height, colorType, bitDepth, samples, palette } = spec;
  const ch = CHANNELS[colorType];
  const to8 = (v: number) =>
    bitDepth === 16 ? Math.round(v / 257) : bitDepth < 8 ? (v * 255) / (2 ** bitDepth - 1) : v;
  const out = new Uint8Array(width * height * 3);
  for (let p = 0; p < width * height; p++) {
    const s = (c: number) => samples[p * ch + c]!;
    const rgb =
      colorType === 3
        ? [palette![3 * s(0)]!, palette![3 * s(0) + 1]!, palette![3 * s(0) + 2]!]
        : ch >= 3
          ? [to8(s(0)), to8(s(1)), to8(s(2))]
          : [to8(s(0)), to8(s(0)), to8(s(0))];
    out.set(rgb, p * 3);
  }
  return out;
}

function randomSpec(
  colorType: PngSpec['colorType'],
  bitDepth: PngSpec['bitDepth'],
  width: number,
  height: number,
  interlace: boolean,
  seed: number,
): PngSpec {
  const rand = rng(seed);
  const ch = CHANNELS[colorType];
  const entries = colorType === 3 ? (bitDepth === 8 ? 200 : 2 ** bitDepth) : 0;
  const max = colorType === 3 ? entries : 2 ** bitDepth;
  const samples = Array.from({ length: width * height * ch }, () => Math.floor(rand() * max));
  const palette = colorType === 3 ? Array.from({ length: entries * 3 }, () => Math.floor(rand() * 256)) : undefined;
  return { width, height, colorType, bitDepth, samples, interlace, filter: 'cycle', palette };
}

const COMBOS: Array<[PngSpec['colorType'], PngSpec['bitDepth']]> = [
  [0, 1],
  [0, 2],
  [0, 4],
  [0, 8],
  [0, 16],
  [2, 8],
  [2, 16],
  [3, 1],
  [3, 2],
  [3, 4],
  [3, 8],
  [4, 8],
  [4, 16],
  [6, 8],
  [6, 16],
];
const NAMES = { 0: 'grey', 2: 'rgb', 3: 'palette', 4: 'grey+alpha', 6: 'rgba' } as const;

describe('PNG', () => {
  it('round-trips RGB exactly through encodePng / decodeImage, and fast-png reads our PNG identically', async () => {
    const rand = rng(1);
    const img: RgbImage = {
      width: 37,
      height: 23,
      data: Uint8Array.from({ length: 37 * 23 * 3 }, () => Math.floor(rand() * 256)),
    };
    const png = encodePng(img);
    expect(sniffImage(png)).toEqual({ format: 'png', width: 37, height: 23 });
    const back = await decodeImage(png);
    expect(back.width).toBe(37);
    expect(back.height).toBe(23);
    expect(Buffer.from(back.data).equals(Buffer.from(img.data))).toBe(true);
    const ref = fastPngDecode(png, { checkCrc: true });
    expect(ref.channels).toBe(3);
    expect(ref.depth).toBe(8);
    expect(Buffer.from(ref.data as Uint8Array).equals(Buffer.from(img.data))).toBe(true);
  });

  for (const [colorType, bitDepth] of COMBOS) {
    for (const interlace of [false, true]) {
      it(`decodes ${NAMES[colorType]} ${bitDepth}-bit${interlace ? ' Adam7-interlaced' : ''} with every filter type`, async () => {
        for (const [w, h] of [
          [13, 11],
          [1, 1],
          [3, 2],
          [9, 17],
        ] as const) {
          const spec = randomSpec(colorType, bitDepth, w, h, interlace, w * 100 + h + colorType * 7 + bitDepth);
          const png = writePng(spec);
          const img = await decodeImage(png);
          expect([img.width, img.height]).toEqual([w, h]);
          expect(Array.from(img.data)).toEqual(Array.from(expectedRgb(spec)));
          // The writer itself is checked against fast-png where fast-png can read the format
          // (fast-png 8 fails on Adam7 below 8 bits: "Unsupported filter"; it leaves sub-byte data packed).
          if (bitDepth >= 8) {
            const ref = fastPngDecode(png, { checkCrc: true });
            expect(Array.from(ref.data)).toEqual(Array.from(spec.samples));
          } else if (colorType === 3 && !interlace) {
            const ref = fastPngDecode(png, { checkCrc: true });
            expect(Array.from(convertIndexedToRgb(ref))).toEqual(Array.from(expectedRgb(spec)));
          }
        }
      });
    }
  }

  it('encodePng round-trips edge sizes (1×1, one column, one row) and photo-like data, read back by fast-png too', async () => {
    const rand = rng(4);
    for (const [w, h] of [
      [1, 1],
      [1, 6],
      [6, 1],
      [2, 3],
      [64, 40],
    ] as const) {
      // Smooth ramps with noise: neighbouring values differ by small amounts of both signs (the Sub filter wraps).
      const data = Uint8Array.from({ length: w * h * 3 }, (_, i) => (i * 7 + Math.floor(rand() * 9)) & 255);
      const png = encodePng({ width: w, height: h, data });
      expect(Array.from((await decodeImage(png)).data), `${w}×${h}`).toEqual(Array.from(data));
      expect(Array.from(fastPngDecode(png, { checkCrc: true }).data as Uint8Array), `${w}×${h} fast-png`).toEqual(
        Array.from(data),
      );
    }
  });

  it('encodePng writes smaller files than unfiltered rows on smooth images', async () => {
    const w = 96;
    const h = 64;
    const data = new Uint8Array(w * h * 3);
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) data.set([(x * 2 + y) & 255, (x + 3 * y) & 255, (x * y) >> 4], (y * w + x) * 3);
    const unfiltered = fastPngEncode({ width: w, height: h, data, channels: 3, depth: 8 });
    expect(encodePng({ width: w, height: h, data }).length).toBeLessThan(unfiltered.length);
  });

  for (const filter of [1, 2, 3, 4] as const) {
    it(`decodes filter ${filter} on every row, the first row and first pixel included, at every depth`, async () => {
      for (const [colorType, bitDepth] of COMBOS) {
        for (const [w, h] of [
          [1, 1],
          [1, 4],
          [7, 5],
        ] as const) {
          const spec = { ...randomSpec(colorType, bitDepth, w, h, false, filter * 1000 + w * 10 + h), filter };
          expect(
            Array.from((await decodeImage(writePng(spec))).data),
            `${NAMES[colorType]} ${bitDepth}-bit ${w}×${h}`,
          ).toEqual(Array.from(expectedRgb(spec)));
        }
      }
    });
  }

  it('maxRows decodes exactly the top rows, for every colour type, depth and interlace, split IDATs included', async () => {
    for (const [colorType, bitDepth] of COMBOS) {
      for (const interlace of [false, true]) {
        const spec = { ...randomSpec(colorType, bitDepth, 11, 13, interlace, colorType * 31 + bitDepth), idatSize: 17 };
        const png = writePng(spec);
        const full = expectedRgb(spec);
        for (const maxRows of [1, 2, 7, 12, 13, 40, 0, -3, 2.7]) {
          const rows = Math.max(1, Math.min(13, Math.floor(maxRows)));
          const top = await decodeImage(png, { maxRows });
          expect([top.width, top.height], `maxRows ${maxRows}`).toEqual([11, rows]);
          expect(Array.from(top.data), `${NAMES[colorType]} ${bitDepth} ${interlace} maxRows ${maxRows}`).toEqual(
            Array.from(full.subarray(0, rows * 11 * 3)),
          );
        }
      }
    }
  });

  it('maxRows reads a non-interlaced PNG only that far: damage below is not seen, damage above still is', async () => {
    const w = 64;
    const h = 64;
    // Photo-like (gradients and a little noise): deflate then emits rows as their data arrives.
    const rand = rng(77);
    const samples = Array.from(
      { length: w * h * 3 },
      (_, i) => (Math.floor(i / 3) % w) + Math.floor(i / (3 * w)) + (i % 3) * 40 + Math.floor(rand() * 4),
    );
    const spec: PngSpec = { width: w, height: h, colorType: 2, bitDepth: 8, samples, filter: 'cycle' };
    const z = zlibSync(rawImageData(spec));
    const png = (idat: Uint8Array) =>
      concat([SIGNATURE, ihdr(w, h, 8, 2), chunk('IDAT', idat), chunk('IEND', new Uint8Array(0))]);
    const truncated = png(z.subarray(0, z.length >> 1));
    expect(await codeOf(() => decodeImage(truncated))).toBe('bad_image');
    const top = await decodeImage(truncated, { maxRows: 5 });
    expect(Array.from(top.data)).toEqual(Array.from(expectedRgb(spec).subarray(0, 5 * w * 3)));
    // A filter-type byte of 9 on row 2 is refused whether or not the rows below are asked for.
    const raw = rawImageData(spec);
    raw[2 * (w * 3 + 1)] = 9;
    const badFilter = png(zlibSync(raw));
    await expect(decodeImage(badFilter, { maxRows: 3 })).rejects.toThrow(/filter type 9/);
    expect(await codeOf(() => decodeImage(badFilter, { maxRows: 2 }))).toBe('ok');
  });

  it('maxRows on a JPEG returns its top rows', async () => {
    const rgba = new Uint8Array(16 * 12 * 4).map((_, i) => (i * 13) & 255);
    const bytes = new Uint8Array(jpeg.encode({ width: 16, height: 12, data: rgba }, 90).data);
    const full = await decodeImage(bytes);
    const top = await decodeImage(bytes, { maxRows: 5 });
    expect([top.width, top.height]).toEqual([16, 5]);
    expect(Array.from(top.data)).toEqual(Array.from(full.data.subarray(0, 16 * 5 * 3)));
  });

  it('fast-png 8 really fails on sub-byte Adam7 (why the decoder is not fast-png)', async () => {
    const png = writePng(randomSpec(0, 1, 13, 11, true, 5));
    expect(() => fastPngDecode(png)).toThrow();
    expect(await codeOf(() => decodeImage(png))).toBe('ok');
  });

  it('decodes PNGs written by fast-png: grey, grey+alpha, RGBA, 16-bit, Adam7', async () => {
    const rand = rng(2);
    const w = 21;
    const h = 14;
    for (const channels of [1, 2, 3, 4]) {
      for (const depth of [8, 16] as const) {
        for (const interlace of ['null', 'Adam7'] as const) {
          const max = depth === 16 ? 65536 : 256;
          const src = Array.from({ length: w * h * channels }, () => Math.floor(rand() * max));
          const data = depth === 16 ? Uint16Array.from(src) : Uint8Array.from(src);
          const png = fastPngEncode({ width: w, height: h, data, channels, depth }, { interlace });
          const img = await decodeImage(png);
          const to8 = (v: number) => (depth === 16 ? Math.round(v / 257) : v);
          for (let p = 0; p < w * h; p++) {
            const rgb =
              channels >= 3
                ? [src[p * channels]!, src[p * channels + 1]!, src[p * channels + 2]!]
                : [src[p * channels]!, src[p * channels]!, src[p * channels]!];
            expect([img.data[p * 3], img.data[p * 3 + 1], img.data[p * 3 + 2]]).toEqual(rgb.map(to8));
          }
        }
      }
    }
  });

  it('maps 16-bit samples with round(v / 257) at the rounding edges', async () => {
    const samples = [0, 128, 129, 385, 386, 65406, 65407, 65535];
    const png = writePng({ width: samples.length, height: 1, colorType: 0, bitDepth: 16, samples });
    expect(Array.from((await decodeImage(png)).data.filter((_, i) => i % 3 === 0))).toEqual([
      0, 0, 1, 1, 2, 254, 255, 255,
    ]);
  });

  it('accepts split IDATs, ancillary chunks (even with a bad CRC), a missing IEND and bytes after IEND', async () => {
    const spec = randomSpec(2, 8, 16, 9, false, 3);
    const z = zlibSync(rawImageData(spec));
    const text = chunk('tEXt', new TextEncoder().encode('Comment\0hello'));
    text[text.length - 1]! ^= 0xff; // broken CRC on an ancillary chunk: ignored, as browsers do
    const idats = [chunk('IDAT', z.subarray(0, 10)), chunk('IDAT', z.subarray(10, 11)), chunk('IDAT', z.subarray(11))];
    const head = [SIGNATURE, ihdr(16, 9, 8, 2), text, chunk('abCd', new Uint8Array([1, 2, 3]))];
    const want = Array.from(expectedRgb(spec));
    for (const file of [
      concat([...head, ...idats, chunk('IEND', new Uint8Array(0))]),
      concat([...head, ...idats]),
      concat([...head, ...idats, chunk('IEND', new Uint8Array(0)), new Uint8Array([1, 2, 3, 4, 5])]),
    ]) {
      expect(Array.from((await decodeImage(file)).data)).toEqual(want);
    }
  });
});

/** A small valid 8-bit RGB PNG and its spec. */
function smallPng(): { png: Uint8Array; spec: PngSpec } {
  const spec = randomSpec(2, 8, 12, 10, false, 9);
  return { png: writePng(spec), spec };
}

/** Replaces the first chunk of `type` in `png` with `replacement` chunks (or removes it). */
function replaceChunk(png: Uint8Array, type: string, ...replacement: Uint8Array[]): Uint8Array {
  let off = 8;
  while (off < png.length) {
    const len = new DataView(png.buffer, png.byteOffset).getUint32(off);
    if (String.fromCharCode(...png.subarray(off + 4, off + 8)) === type) {
      return concat([png.subarray(0, off), ...replacement, png.subarray(off + 12 + len)]);
    }
    off += 12 + len;
  }
  throw new Error(`no ${type}`);
}

describe('PNG errors', () => {
  it('empty file and a truncated signature are bad_image', async () => {
    expect(await codeOf(() => sniffImage(new Uint8Array(0)))).toBe('bad_image');
    expect(await codeOf(() => decodeImage(new Uint8Array(0)))).toBe('bad_image');
    expect(await codeOf(() => decodeImage(SIGNATURE.subarray(0, 5)))).toBe('bad_image');
  });

  it('every truncation before the end of the image data is bad_image', async () => {
    const { png } = smallPng();
    const iendStart = png.length - 12;
    for (let cut = 1; cut < iendStart; cut++) {
      expect(await codeOf(() => decodeImage(png.subarray(0, cut))), `cut at ${cut}`).toBe('bad_image');
    }
  });

  it('a bad CRC on IHDR or IDAT is bad_image', async () => {
    const { png } = smallPng();
    const ihdrCrc = png.slice();
    ihdrCrc[29]! ^= 1;
    expect(await codeOf(() => sniffImage(ihdrCrc))).toBe('bad_image');
    const idatByte = png.slice();
    idatByte[8 + 25 + 8 + 5]! ^= 0x10; // a byte inside the IDAT data; its CRC no longer matches
    expect(await codeOf(() => decodeImage(idatByte))).toBe('bad_image');
    await expect(decodeImage(idatByte)).rejects.toThrow(/checksum/);
  });

  it('broken zlib data with valid CRCs is bad_image', async () => {
    const { png, spec } = smallPng();
    const z = zlibSync(rawImageData(spec));
    const garbage = Uint8Array.from({ length: 60 }, (_, i) => (i * 97 + 13) & 255);
    const badHeader = z.slice();
    badHeader[0] = 0x79; // not deflate
    const corruptBody = z.slice();
    for (let i = 2; i < corruptBody.length - 4; i += 3) corruptBody[i] = 0xff;
    for (const idat of [garbage, badHeader, corruptBody, z.subarray(0, z.length >> 1)]) {
      expect(await codeOf(() => decodeImage(replaceChunk(png, 'IDAT', chunk('IDAT', idat))))).toBe('bad_image');
    }
  });

  it('a 60000×60000 IHDR in a 1 KB file: too_large with maxPixels, bad_image without, nothing allocated from it', async () => {
    const idat = chunk('IDAT', zlibSync(new Uint8Array(900)));
    const png = concat([SIGNATURE, ihdr(60000, 60000, 8, 2), idat, chunk('IEND', new Uint8Array(0))]);
    expect(png.length).toBeLessThan(1100);
    expect(sniffImage(png)).toEqual({ format: 'png', width: 60000, height: 60000 });
    expect(await codeOf(() => decodeImage(png, { maxPixels: 4_000_000 }))).toBe('too_large');
    expect(await codeOf(() => decodeImage(png))).toBe('bad_image');
    await expect(decodeImage(png)).rejects.toThrow(/cannot hold/);
  });

  it('image data shorter than IHDR says is bad_image (truncated)', async () => {
    const png = concat([
      SIGNATURE,
      ihdr(100, 100, 8, 2),
      chunk('IDAT', zlibSync(new Uint8Array(1000).fill(7))),
      chunk('IEND', new Uint8Array(0)),
    ]);
    await expect(decodeImage(png)).rejects.toThrow(/truncated/);
  });

  it('a zlib bomb (16×16 header, 8 MB of inflated data in ~8 KB) is refused as bad_image', async () => {
    const bomb = zlibSync(new Uint8Array(8 << 20), { level: 1 });
    const png = concat([SIGNATURE, ihdr(16, 16, 8, 2), chunk('IDAT', bomb), chunk('IEND', new Uint8Array(0))]);
    expect(png.length).toBeLessThan(40_000);
    await expect(decodeImage(png)).rejects.toThrow(/far more image data/);
  });

  it('more than HARD_MAX_PIXELS with plausible data size is too_large before inflating', async () => {
    const side = Math.ceil(Math.sqrt(HARD_MAX_PIXELS)) + 1;
    const idat = chunk('IDAT', new Uint8Array(Math.ceil((side * side) / 1000)));
    const png = concat([SIGNATURE, ihdr(side, side, 1, 0), idat]);
    expect(await codeOf(() => decodeImage(png))).toBe('too_large');
  });

  it('structural errors are bad_image', async () => {
    const { png, spec } = smallPng();
    const z = zlibSync(rawImageData(spec));
    const iend = chunk('IEND', new Uint8Array(0));
    const cases: Record<string, Uint8Array> = {
      'colour type 2 at depth 4': concat([SIGNATURE, ihdr(4, 4, 4, 2), chunk('IDAT', z), iend]),
      'colour type 5': concat([SIGNATURE, ihdr(4, 4, 8, 5), chunk('IDAT', z), iend]),
      'interlace method 2': concat([SIGNATURE, ihdr(12, 10, 8, 2, 2), chunk('IDAT', z), iend]),
      'zero width': concat([SIGNATURE, ihdr(0, 10, 8, 2), chunk('IDAT', z), iend]),
      'CgBI before IHDR': concat([
        SIGNATURE,
        chunk('CgBI', new Uint8Array(4)),
        ihdr(12, 10, 8, 2),
        chunk('IDAT', z),
        iend,
      ]),
      'unknown critical chunk': replaceChunk(png, 'IEND', chunk('ABCD', new Uint8Array(2)), iend),
      'second IHDR': replaceChunk(png, 'IEND', ihdr(12, 10, 8, 2), iend),
      'split IDATs': concat([
        SIGNATURE,
        ihdr(12, 10, 8, 2),
        chunk('IDAT', z.subarray(0, 9)),
        chunk('tEXt', new Uint8Array([65, 0, 66])),
        chunk('IDAT', z.subarray(9)),
        iend,
      ]),
      'no IDAT': concat([SIGNATURE, ihdr(12, 10, 8, 2), iend]),
      'chunk type with a digit': replaceChunk(png, 'IEND', chunk('te1t', new Uint8Array(1)), iend),
      'palette image without PLTE': writePng({ ...randomSpec(3, 8, 4, 4, false, 1), palette: undefined }),
      'PLTE of 4 bytes': writePng({ ...randomSpec(3, 1, 4, 4, false, 1), palette: [1, 2, 3, 4] }),
      'palette index out of range': writePng({
        width: 2,
        height: 1,
        colorType: 3,
        bitDepth: 8,
        samples: [0, 2],
        palette: [1, 2, 3, 4, 5, 6],
      }),
    };
    const raw = rawImageData(spec);
    raw[0] = 7; // filter type 7 does not exist
    cases['filter type 7'] = replaceChunk(png, 'IDAT', chunk('IDAT', zlibSync(raw)));
    for (const [name, file] of Object.entries(cases)) {
      expect(await codeOf(() => decodeImage(file)), name).toBe('bad_image');
    }
  });

  it('non-images are unsupported_media_type', async () => {
    const enc = (s: string) => new TextEncoder().encode(s);
    const files = [
      enc('GIF89a\x01\x00\x01\x00'),
      enc('RIFF\x10\x00\x00\x00WEBPVP8 '),
      enc('RIFF\x24\x00\x00\x00WAVEfmt '),
      enc('BM6\x00\x00\x00'),
      enc('ID3\x04\x00\x00\x00\x00\x00\x00'),
      new Uint8Array([0xff, 0xfb, 0x90, 0x64, 0, 0, 0, 0]), // MP3 frame sync
      enc('OggS\x00\x02\x00\x00'),
      enc('%PDF-1.7'),
      enc('{"image": "no"}'),
      enc('x'),
    ];
    for (const f of files) {
      expect(await codeOf(() => sniffImage(f))).toBe('unsupported_media_type');
      expect(await codeOf(() => decodeImage(f))).toBe('unsupported_media_type');
    }
  });

  it('encodePng refuses data that does not match the size', async () => {
    expect(await codeOf(() => encodePng({ width: 2, height: 2, data: new Uint8Array(11) }))).toBe('bad_request');
    expect(await codeOf(() => encodePng({ width: 0, height: 2, data: new Uint8Array(0) }))).toBe('bad_request');
  });
});

/** Walks JPEG segments: [marker, offset of the length field, segment end]. */
function segments(j: Uint8Array): Array<{ marker: number; at: number; end: number }> {
  const out = [];
  let off = 2;
  while (off < j.length) {
    const marker = j[off + 1]!;
    const len = (j[off + 2]! << 8) | j[off + 3]!;
    out.push({ marker, at: off + 2, end: off + 2 + len });
    if (marker === 0xda) break;
    off += 2 + len;
  }
  return out;
}

function encodeJpeg(rgb: Uint8Array, width: number, height: number, quality = 95): Uint8Array {
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    rgba.set(rgb.subarray(i * 3, i * 3 + 3), i * 4);
    rgba[i * 4 + 3] = 255;
  }
  return new Uint8Array(jpeg.encode({ width, height, data: rgba }, quality).data);
}

/** APP1 Exif segment with one IFD0 entry: Orientation = `o`, in the given byte order. */
function exifSegment(o: number, little: boolean): Uint8Array {
  const tiff = new Uint8Array(8 + 2 + 12 + 4);
  const dv = new DataView(tiff.buffer);
  tiff.set(little ? [0x49, 0x49] : [0x4d, 0x4d]);
  dv.setUint16(2, 42, little);
  dv.setUint32(4, 8, little);
  dv.setUint16(8, 1, little);
  dv.setUint16(10, 0x0112, little);
  dv.setUint16(12, 3, little);
  dv.setUint32(14, 1, little);
  dv.setUint16(18, o, little);
  const payload = concat([new TextEncoder().encode('Exif\0\0'), tiff]);
  return concat([new Uint8Array([0xff, 0xe1, (payload.length + 2) >> 8, (payload.length + 2) & 255]), payload]);
}

const withSegment = (j: Uint8Array, seg: Uint8Array) => concat([j.subarray(0, 2), seg, j.subarray(2)]);

describe('JPEG', () => {
  const { width: FW, height: FH } = JPEG_FIXTURE_SIZE;
  const picture = pattern(FW, FH);

  it('decodes baseline JPEG (jpeg-js encoder) to what jpeg-js itself decodes, close to the source', async () => {
    const j = encodeJpeg(picture, FW, FH);
    expect(sniffImage(j)).toEqual({ format: 'jpeg', width: FW, height: FH });
    const img = await decodeImage(j);
    const ref = jpeg.decode(j, { useTArray: true, formatAsRGBA: false });
    expect(Buffer.from(img.data).equals(Buffer.from(ref.data))).toBe(true);
    expect(meanAbsDiff(img.data, picture)).toBeLessThan(4);
  });

  it('decodes progressive 4:2:0 (libjpeg-turbo fixture) like its baseline twin', async () => {
    const prog = fixture('progressive-420.jpg');
    const base = fixture('baseline-420-restart.jpg');
    expect(sniffImage(prog)).toEqual({ format: 'jpeg', width: FW, height: FH });
    const a = await decodeImage(prog);
    const b = await decodeImage(base); // also exercises restart markers (one per MCU row)
    expect([a.width, a.height, b.width, b.height]).toEqual([FW, FH, FW, FH]);
    expect(meanAbsDiff(a.data, picture)).toBeLessThan(8);
    expect(meanAbsDiff(a.data, b.data)).toBeLessThan(0.5);
  });

  it('decodes a greyscale JPEG to R = G = B close to the source luma', async () => {
    const img = await decodeImage(fixture('grey.jpg'));
    const luma = new Uint8Array(FW * FH * 3);
    for (let p = 0; p < FW * FH; p++) {
      const y = Math.round(0.299 * picture[p * 3]! + 0.587 * picture[p * 3 + 1]! + 0.114 * picture[p * 3 + 2]!);
      luma.fill(y, p * 3, p * 3 + 3);
      expect(img.data[p * 3]).toBe(img.data[p * 3 + 1]);
      expect(img.data[p * 3]).toBe(img.data[p * 3 + 2]);
    }
    expect(meanAbsDiff(img.data, luma)).toBeLessThan(3);
  });

  it('applies all eight EXIF orientations (both byte orders) to size and pixels', async () => {
    // Quadrants: top-left red, top-right green, bottom-left blue, bottom-right white; 32×16 so each is two blocks.
    const [w, h] = [32, 16];
    const colours = { R: [255, 0, 0], G: [0, 255, 0], B: [0, 0, 255], W: [255, 255, 255] } as const;
    const src = new Uint8Array(w * h * 3);
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++)
        src.set(colours[y < h / 2 ? (x < w / 2 ? 'R' : 'G') : x < w / 2 ? 'B' : 'W'], (y * w + x) * 3);
    const j = encodeJpeg(src, w, h);
    // Expected corner colours (top-left, top-right, bottom-left, bottom-right) after each orientation.
    const corners: Record<number, string> = {
      1: 'RGBW',
      2: 'GRWB',
      3: 'WBGR',
      4: 'BWRG',
      5: 'RBGW',
      6: 'BRWG',
      7: 'WGBR',
      8: 'GWRB',
    };
    for (const little of [true, false]) {
      for (let o = 1; o <= 8; o++) {
        const file = withSegment(j, exifSegment(o, little));
        const size = o >= 5 ? { width: h, height: w } : { width: w, height: h };
        expect(sniffImage(file)).toEqual({ format: 'jpeg', ...size });
        const img = await decodeImage(file);
        expect([img.width, img.height]).toEqual([size.width, size.height]);
        const at = (x: number, y: number) =>
          Array.from(img.data.subarray((y * img.width + x) * 3, (y * img.width + x) * 3 + 3));
        const got = [at(1, 1), at(img.width - 2, 1), at(1, img.height - 2), at(img.width - 2, img.height - 2)];
        const want = corners[o]!.split('').map((c) => colours[c as keyof typeof colours]);
        got.forEach((px, i) =>
          px.forEach((v, c) => expect(Math.abs(v - want[i]![c]!), `orientation ${o} corner ${i}`).toBeLessThan(40)),
        );
      }
    }
  });

  it('ignores a malformed EXIF block', async () => {
    const j = encodeJpeg(picture, FW, FH);
    const broken = exifSegment(6, true);
    broken[4 + 6 + 4]! = 0xff; // IFD offset far past the segment
    expect(sniffImage(withSegment(j, broken))).toEqual({ format: 'jpeg', width: FW, height: FH });
    expect((await decodeImage(withSegment(j, broken))).width).toBe(FW);
  });
});

describe('JPEG errors', () => {
  const j = encodeJpeg(pattern(40, 30), 40, 30);
  const sof = () => segments(j).find((s) => s.marker === 0xc0)!;

  it('SOI followed by garbage is bad_image', async () => {
    const rand = rng(4);
    for (let k = 0; k < 50; k++) {
      const f = concat([
        new Uint8Array([0xff, 0xd8, 0xff]),
        Uint8Array.from({ length: 1 + k * 7 }, () => Math.floor(rand() * 256)),
      ]);
      expect(await codeOf(() => decodeImage(f))).toBe('bad_image');
    }
  });

  it('truncated JPEGs are bad_image', async () => {
    for (let cut = 1; cut < sof().end + 40; cut++)
      expect(await codeOf(() => decodeImage(j.subarray(0, cut))), `cut at ${cut}`).toBe('bad_image');
    for (const f of [0.5, 0.8, 0.95])
      expect(await codeOf(() => decodeImage(j.subarray(0, Math.floor(j.length * f))))).toBe('bad_image');
    for (const name of ['progressive-420.jpg', 'grey.jpg']) {
      const p = fixture(name);
      expect(await codeOf(() => decodeImage(p.subarray(0, Math.floor(p.length * 0.7))))).toBe('bad_image');
    }
  });

  it('a bad Huffman table is bad_image', async () => {
    const dht = segments(j).find((s) => s.marker === 0xc4)!;
    const f = j.slice();
    f[dht.at + 3] = 3; // three 1-bit codes cannot exist
    expect(await codeOf(() => decodeImage(f))).toBe('bad_image');
    const empty = j.slice();
    empty.fill(0, dht.at + 3, dht.at + 3 + 16); // no codes at all
    expect(await codeOf(() => decodeImage(empty))).toBe('bad_image');
  });

  it('a 65000×65000 SOF in a small file: too_large with maxPixels, bad_image without', async () => {
    const f = j.slice();
    const s = sof();
    f.set([65000 >> 8, 65000 & 255, 65000 >> 8, 65000 & 255], s.at + 3);
    expect(sniffImage(f)).toEqual({ format: 'jpeg', width: 65000, height: 65000 });
    expect(await codeOf(() => decodeImage(f, { maxPixels: 4_000_000 }))).toBe('too_large');
    expect(await codeOf(() => decodeImage(f))).toBe('bad_image');
    await expect(decodeImage(f)).rejects.toThrow(/cannot hold/);
  });

  it('maxPixels admits exactly the limit', async () => {
    expect((await decodeImage(j, { maxPixels: 1200 })).width).toBe(40);
    expect(await codeOf(() => decodeImage(j, { maxPixels: 1199 }))).toBe('too_large');
  });

  it('unsupported JPEG processes and odd frame headers are bad_image', async () => {
    const s = sof();
    const patch = (at: number, v: number) => {
      const f = j.slice();
      f[at] = v;
      return f;
    };
    const cases: Record<string, Uint8Array> = {
      'arithmetic coding (cjpeg)': fixture('arithmetic.jpg'),
      'SOF9 marker': patch(s.at - 1, 0xc9),
      'lossless SOF3': patch(s.at - 1, 0xc3),
      '12-bit precision': patch(s.at + 2, 12),
      'zero height': (() => {
        const f = patch(s.at + 3, 0);
        f[s.at + 4] = 0;
        return f;
      })(),
      'two components': patch(s.at + 7, 2),
      'sampling factor 0': patch(s.at + 9, 0x01),
      'scan before frame': concat([j.subarray(0, 2), new Uint8Array([0xff, 0xda, 0, 2]), j.subarray(2)]),
    };
    for (const [name, f] of Object.entries(cases)) expect(await codeOf(() => decodeImage(f)), name).toBe('bad_image');
  });
});
