/** PNG reading: IHDR parsing, chunk walk with CRC checks, size-bounded zlib inflate (the platform's zlib), unfiltering, Adam7, → 8-bit RGB. */
import { crc32 } from '../container/crc32.js';
import { StegError } from '../util/errors.js';
import type { RgbImage } from './image.js';
import { InflateError, inflateBounded } from './inflate.js';

/** The 8-byte PNG signature. */
export const PNG_SIGNATURE: readonly number[] = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** The fields of IHDR the decoder needs. */
export interface PngHeader {
  width: number;
  height: number;
  bitDepth: number;
  /** 0 grey, 2 RGB, 3 palette, 4 grey+alpha, 6 RGBA. */
  colorType: number;
  interlaced: boolean;
}

/** Samples per pixel for each valid colour type. */
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
/** Bit depths the PNG spec allows for each colour type. */
const DEPTHS: Record<number, readonly number[]> = {
  0: [1, 2, 4, 8, 16],
  2: [8, 16],
  3: [1, 2, 4, 8],
  4: [8, 16],
  6: [8, 16],
};
/** Adam7 passes: x0, y0, dx, dy. */
const ADAM7: ReadonlyArray<readonly [number, number, number, number]> = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
];
/** Deflate cannot expand data by more than about 1032:1, so more raw bytes than this per compressed byte is a lie. */
const MAX_DEFLATE_RATIO = 1032;
const MAX_U31 = 0x7fffffff;

const TYPE_IHDR = 0x49484452;
const TYPE_PLTE = 0x504c5445;
const TYPE_IDAT = 0x49444154;
const TYPE_IEND = 0x49454e44;

function bad(detail: string, cause?: unknown): StegError {
  return new StegError('bad_image', `Invalid PNG: ${detail}`, cause === undefined ? undefined : { cause });
}

function u32(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}

function typeName(b: Uint8Array, o: number): string {
  return String.fromCharCode(b[o]!, b[o + 1]!, b[o + 2]!, b[o + 3]!);
}

function isLetter(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

/**
 * Reads and validates IHDR (which must be the first chunk, right after the signature, with a good CRC).
 * The caller has checked the signature. Throws `bad_image` for anything truncated or out of spec.
 */
export function readPngHeader(bytes: Uint8Array): PngHeader {
  if (bytes.length < 8 + 8 + 13 + 4) throw bad('file ends inside the header');
  if (u32(bytes, 8) !== 13 || u32(bytes, 12) !== TYPE_IHDR) throw bad('the first chunk is not a 13-byte IHDR');
  if (crc32(bytes.subarray(12, 12 + 4 + 13)) !== u32(bytes, 29)) throw bad('IHDR checksum mismatch');
  const width = u32(bytes, 16);
  const height = u32(bytes, 20);
  const bitDepth = bytes[24]!;
  const colorType = bytes[25]!;
  if (width === 0 || height === 0 || width > MAX_U31 || height > MAX_U31)
    throw bad(`impossible size ${width}×${height}`);
  const depths = DEPTHS[colorType];
  if (!depths) throw bad(`unknown colour type ${colorType}`);
  if (!depths.includes(bitDepth)) throw bad(`bit depth ${bitDepth} is not allowed for colour type ${colorType}`);
  if (bytes[26] !== 0) throw bad(`unknown compression method ${bytes[26]}`);
  if (bytes[27] !== 0) throw bad(`unknown filter method ${bytes[27]}`);
  if (bytes[28]! > 1) throw bad(`unknown interlace method ${bytes[28]}`);
  return { width, height, bitDepth, colorType, interlaced: bytes[28] === 1 };
}

/** Bytes of one filtered scanline (without its filter-type byte) for `width` pixels. */
function rowBytes(header: PngHeader, width: number): number {
  return Math.ceil((width * CHANNELS[header.colorType]! * header.bitDepth) / 8);
}

/** The sub-images the raw data consists of: one for a plain image, up to seven for Adam7. */
function passesOf(header: PngHeader): Array<{ x0: number; y0: number; dx: number; dy: number; w: number; h: number }> {
  const list = header.interlaced ? ADAM7 : [[0, 0, 1, 1] as const];
  const out = [];
  for (const [x0, y0, dx, dy] of list) {
    const w = Math.ceil((header.width - x0) / dx);
    const h = Math.ceil((header.height - y0) / dy);
    if (w > 0 && h > 0) out.push({ x0, y0, dx, dy, w, h });
  }
  return out;
}

/** Exact size of the decompressed image data IHDR implies (filter bytes included). */
export function expectedRawBytes(header: PngHeader): number {
  let total = 0;
  for (const p of passesOf(header)) total += p.h * (1 + rowBytes(header, p.w));
  return total;
}

/** What the chunk walk collects: the palette (if any) and the IDAT payloads in order. */
interface PngChunks {
  palette: Uint8Array | null;
  idat: Uint8Array[];
  idatBytes: number;
}

/**
 * Walks every chunk after IHDR: lengths must stay inside the file, critical chunks must have good CRCs
 * (ancillary chunks are never read, so their CRCs are not checked, as browsers do), IDATs must be consecutive,
 * unknown critical chunks are refused as the spec requires. A missing IEND is tolerated; bytes after IEND are ignored.
 */
function walkChunks(bytes: Uint8Array, header: PngHeader): PngChunks {
  const n = bytes.length;
  let off = 8 + 8 + 13 + 4;
  let palette: Uint8Array | null = null;
  const idat: Uint8Array[] = [];
  let idatBytes = 0;
  let idatDone = false;
  while (off < n) {
    if (off + 12 > n) throw bad('file ends inside a chunk header');
    const len = u32(bytes, off);
    const type = u32(bytes, off + 4);
    if (len > MAX_U31) throw bad('chunk length out of range');
    for (let i = 0; i < 4; i++) if (!isLetter(bytes[off + 4 + i]!)) throw bad('garbled chunk type');
    const dataStart = off + 8;
    const dataEnd = dataStart + len;
    if (dataEnd + 4 > n) throw bad(`file ends inside the ${typeName(bytes, off + 4)} chunk (truncated)`);
    const critical = (bytes[off + 4]! & 0x20) === 0;
    if (critical && crc32(bytes.subarray(off + 4, dataEnd)) !== u32(bytes, dataEnd)) {
      throw bad(`${typeName(bytes, off + 4)} checksum mismatch (corrupted file)`);
    }
    if (type !== TYPE_IDAT && idat.length > 0) idatDone = true;
    if (type === TYPE_IEND) break;
    if (type === TYPE_IDAT) {
      if (idatDone) throw bad('image data chunks are not consecutive');
      idat.push(bytes.subarray(dataStart, dataEnd));
      idatBytes += len;
    } else if (type === TYPE_PLTE) {
      if (idat.length > 0) throw bad('palette after image data');
      if (palette) throw bad('more than one palette');
      if (header.colorType === 3 && (len === 0 || len % 3 !== 0 || len > 768)) throw bad(`palette of ${len} bytes`);
      // Colour types 2 and 6 may carry a suggested palette; it is only a hint and is ignored.
      if (header.colorType === 3) palette = bytes.subarray(dataStart, dataEnd);
    } else if (type === TYPE_IHDR) {
      throw bad('more than one IHDR');
    } else if (critical) {
      throw bad(`unknown critical chunk ${typeName(bytes, off + 4)}`);
    }
    off = dataEnd + 4;
  }
  if (idat.length === 0) throw bad('no image data (IDAT) chunk');
  if (header.colorType === 3 && !palette) throw bad('palette image without a PLTE chunk');
  return { palette, idat, idatBytes };
}

/** {@link inflateBounded} with its failures as this format's `bad_image` errors. */
async function inflateIdat(parts: Uint8Array[], expected: number, needed: number): Promise<Uint8Array> {
  try {
    return await inflateBounded(parts, expected, needed);
  } catch (e) {
    if (!(e instanceof InflateError)) throw e; // inflateBounded reports every data fault as an InflateError
    switch (e.reason) {
      case 'trap':
        throw bad('compressed image data that inflates to almost nothing (a decompression trap)');
      case 'surplus':
        throw bad('far more image data than the header describes');
      case 'truncated':
        throw bad(`image data is truncated (${e.got} of ${needed} bytes)`, e.cause);
      default:
        throw bad('corrupt compressed image data', e.cause);
    }
  }
}

/**
 * Reverses the filter of one scanline in place: `line` is the offset of its first byte (after the filter-type byte),
 * `up` the distance back to the row above (0 for the first row of an image or pass, which has none). Each filter has
 * its own loops, with the first pixel (nothing to the left) split off, so the inner loops carry no per-byte branches:
 * this runs over every byte of every photo.
 */
function unfilterRow(raw: Uint8Array, line: number, lineBytes: number, bpp: number, up: number): void {
  const f = raw[line - 1]!;
  const end = line + lineBytes;
  const lead = Math.min(end, line + bpp);
  switch (f) {
    case 0:
      break;
    case 1:
      unfilterSub(raw, line, end, bpp);
      break;
    case 2:
      if (up !== 0) for (let i = line; i < end; i++) raw[i] = raw[i]! + raw[i - up]!;
      break;
    case 3:
      if (up === 0) {
        for (let i = line + bpp; i < end; i++) raw[i] = raw[i]! + (raw[i - bpp]! >> 1);
      } else {
        for (let i = line; i < lead; i++) raw[i] = raw[i]! + (raw[i - up]! >> 1);
        // One channel at a time, so the left neighbour stays in a register instead of being stored and reloaded.
        for (let k = line; k < lead; k++) {
          let a = raw[k]!;
          for (let i = k + bpp; i < end; i += bpp) {
            a = (raw[i]! + ((a + raw[i - up]!) >> 1)) & 255;
            raw[i] = a;
          }
        }
      }
      break;
    case 4:
      if (up === 0) {
        // No row above: the Paeth predictor is always the left neighbour (Sub).
        unfilterSub(raw, line, end, bpp);
      } else {
        // No left neighbour: the predictor is the byte above (Up).
        for (let i = line; i < lead; i++) raw[i] = raw[i]! + raw[i - up]!;
        // One channel at a time, so the left (a) and upper-left (c) neighbours stay in registers; the predictor is
        // chosen with sign masks rather than branches, which photos would mispredict about half the time
        // (twice as fast on Kodak files). Ties go to a, then b, as the spec says.
        for (let k = line; k < lead; k++) {
          let a = raw[k]!;
          let c = raw[k - up]!;
          for (let i = k + bpp; i < end; i += bpp) {
            const b = raw[i - up]!;
            let pa = b - c; // |p − a| with p = a + b − c
            let pb = a - c; // |p − b|
            let pc = pa + pb; // |p − c|
            let sign = pa >> 31;
            pa = (pa ^ sign) - sign;
            sign = pb >> 31;
            pb = (pb ^ sign) - sign;
            sign = pc >> 31;
            pc = (pc ^ sign) - sign;
            const cBeatsB = (pc - pb) >> 31; // −1 when pc < pb
            const bOrC = b ^ ((b ^ c) & cBeatsB);
            const least = pb ^ ((pb ^ pc) & cBeatsB); // min(pb, pc)
            const notA = (least - pa) >> 31; // −1 when min(pb, pc) < pa
            a = (raw[i]! + (a ^ ((a ^ bOrC) & notA))) & 255;
            raw[i] = a;
            c = b;
          }
        }
      }
      break;
    default:
      throw bad(`unknown scanline filter type ${f}`);
  }
}

/** Sub: each byte adds the one a pixel to its left. For RGB and RGBA the running pixel is kept in registers. */
function unfilterSub(raw: Uint8Array, line: number, end: number, bpp: number): void {
  if (bpp === 3 && end - line >= 3) {
    let r = raw[line]!;
    let g = raw[line + 1]!;
    let b = raw[line + 2]!;
    for (let i = line + 3; i < end; i += 3) {
      r = (r + raw[i]!) & 255;
      g = (g + raw[i + 1]!) & 255;
      b = (b + raw[i + 2]!) & 255;
      raw[i] = r;
      raw[i + 1] = g;
      raw[i + 2] = b;
    }
  } else if (bpp === 4 && end - line >= 4) {
    let r = raw[line]!;
    let g = raw[line + 1]!;
    let b = raw[line + 2]!;
    let a = raw[line + 3]!;
    for (let i = line + 4; i < end; i += 4) {
      r = (r + raw[i]!) & 255;
      g = (g + raw[i + 1]!) & 255;
      b = (b + raw[i + 2]!) & 255;
      a = (a + raw[i + 3]!) & 255;
      raw[i] = r;
      raw[i + 1] = g;
      raw[i + 2] = b;
      raw[i + 3] = a;
    }
  } else {
    for (let i = line + bpp; i < end; i++) raw[i] = raw[i]! + raw[i - bpp]!;
  }
}

/**
 * Converts one unfiltered scanline of `count` pixels to 8-bit RGB, writing pixel i at `outOff + i * outStep`.
 * 16-bit samples become round(v / 257); sub-byte grey is scaled to 0–255; alpha is dropped.
 */
function convertLine(
  raw: Uint8Array,
  line: number,
  count: number,
  header: PngHeader,
  palette: Uint8Array | null,
  out: Uint8Array,
  outOff: number,
  outStep: number,
): void {
  const { bitDepth: depth, colorType } = header;
  const channels = CHANNELS[colorType]!;
  let o = outOff;
  if (depth === 8 && colorType === 2 && outStep === 3) {
    // The common case (every container, most photos): the scanline already is the output row.
    out.set(raw.subarray(line, line + 3 * count), outOff);
    return;
  }
  if (depth === 8 && colorType !== 3) {
    for (let i = 0, s = line; i < count; i++, s += channels, o += outStep) {
      if (channels >= 3) {
        out[o] = raw[s]!;
        out[o + 1] = raw[s + 1]!;
        out[o + 2] = raw[s + 2]!;
      } else {
        out[o] = out[o + 1] = out[o + 2] = raw[s]!;
      }
    }
    return;
  }
  if (depth === 16) {
    const to8 = (s: number) => ((((raw[s]! << 8) | raw[s + 1]!) + 128) / 257) | 0;
    for (let i = 0, s = line; i < count; i++, s += 2 * channels, o += outStep) {
      if (channels >= 3) {
        out[o] = to8(s);
        out[o + 1] = to8(s + 2);
        out[o + 2] = to8(s + 4);
      } else {
        out[o] = out[o + 1] = out[o + 2] = to8(s);
      }
    }
    return;
  }
  // Grey or palette with one sample per pixel at 1, 2, 4 or 8 bits, packed from the high bit.
  const mask = (1 << depth) - 1;
  const entries = palette ? palette.length / 3 : 0;
  for (let i = 0, bit = 0; i < count; i++, bit += depth, o += outStep) {
    const v = (raw[line + (bit >> 3)]! >> (8 - depth - (bit & 7))) & mask;
    if (colorType === 3) {
      if (v >= entries) throw bad(`palette index ${v} out of range (${entries} entries)`);
      out[o] = palette![3 * v]!;
      out[o + 1] = palette![3 * v + 1]!;
      out[o + 2] = palette![3 * v + 2]!;
    } else {
      out[o] = out[o + 1] = out[o + 2] = (v * 255) / mask;
    }
  }
}

/** Rows a `maxRows` request decodes: all without one (or for a non-number), else 1 … height. */
export function rowsToDecode(height: number, maxRows: number | undefined): number {
  if (maxRows === undefined || Number.isNaN(maxRows)) return height;
  return Math.max(1, Math.min(height, Math.floor(maxRows)));
}

/**
 * Decodes a PNG whose header has already been read (and whose pixel count the caller has accepted) to 8-bit RGB.
 * Every failure is a `bad_image` StegError; nothing is allocated in proportion to the header before the
 * compressed data has been checked to be able to hold that many pixels. `beforeAllocate` runs right after that
 * check (the caller's size ceiling).
 *
 * With `maxRows` below the height, only the top `maxRows` rows are decoded and returned (an image of that height):
 * a non-interlaced PNG is inflated only that far, so damage further down goes unnoticed. Adam7 spreads every row
 * over the whole stream, so an interlaced PNG is decoded whole and then cut.
 */
export async function decodePngRgb(
  bytes: Uint8Array,
  header: PngHeader,
  beforeAllocate: () => void = () => {},
  maxRows?: number,
): Promise<RgbImage> {
  const { palette, idat, idatBytes } = walkChunks(bytes, header);
  const expected = expectedRawBytes(header);
  if (expected > MAX_DEFLATE_RATIO * idatBytes + 1024) {
    throw bad(
      `${idatBytes} bytes of compressed data cannot hold a ${header.width}×${header.height} image (truncated or lying header)`,
    );
  }
  beforeAllocate();
  const { width } = header;
  const height = rowsToDecode(header.height, maxRows);
  const bpp = Math.max(1, (CHANNELS[header.colorType]! * header.bitDepth) >> 3);
  const partial = !header.interlaced && height < header.height;
  const raw = await inflateIdat(idat, expected, partial ? height * (1 + rowBytes(header, width)) : expected);
  const out = new Uint8Array(width * height * 3);
  let start = 0;
  for (const p of passesOf(header)) {
    const lineBytes = rowBytes(header, p.w);
    const stride = lineBytes + 1;
    // Rows of this pass that land in the output (all of them unless the image is cut).
    const rows = Math.min(p.h, Math.ceil((height - p.y0) / p.dy));
    for (let r = 0; r < rows; r++) {
      const line = start + r * stride + 1;
      unfilterRow(raw, line, lineBytes, bpp, r === 0 ? 0 : stride);
      convertLine(raw, line, p.w, header, palette, out, ((p.y0 + r * p.dy) * width + p.x0) * 3, p.dx * 3);
    }
    start += p.h * stride;
  }
  return { width, height, data: out };
}
