/** JPEG reading: marker walk to the frame header (SOFn) and EXIF orientation, decoding with jpeg-js, orientation applied. */
import jpeg from 'jpeg-js';
import { StegError } from '../util/errors.js';
import type { RgbImage } from './image.js';

/** What the marker walk learns before any pixel is decoded. */
export interface JpegHeader {
  /** Stored size, before EXIF orientation. */
  width: number;
  height: number;
  components: number;
  progressive: boolean;
  /** EXIF orientation 1–8 (1 when absent or unreadable). */
  orientation: number;
}

function bad(detail: string, cause?: unknown): StegError {
  return new StegError('bad_image', `Invalid JPEG: ${detail}`, cause === undefined ? undefined : { cause });
}

function u16(b: Uint8Array, o: number): number {
  return (b[o]! << 8) | b[o + 1]!;
}

/**
 * Walks the markers after SOI up to the first frame header. Only baseline, extended and progressive Huffman
 * frames with 8-bit samples are accepted (what jpeg-js decodes); lossless, hierarchical and arithmetic-coded
 * frames and 12-bit samples are refused with `bad_image`, as are truncated segments and garbage between markers.
 */
export function readJpegHeader(bytes: Uint8Array): JpegHeader {
  const n = bytes.length;
  let orientation = 1;
  let off = 2;
  for (;;) {
    if (off >= n) throw bad('file ends before the frame header (truncated)');
    if (bytes[off] !== 0xff) throw bad('garbage where a marker was expected');
    while (off < n && bytes[off] === 0xff) off++; // fill bytes
    if (off >= n) throw bad('file ends before the frame header (truncated)');
    const marker = bytes[off++]!;
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) continue; // TEM, RSTn: no length
    if (marker === 0x00 || marker === 0xd8 || marker === 0xd9 || marker === 0xda) {
      throw bad(`unexpected marker 0xFF${marker.toString(16).toUpperCase()} before the frame header`);
    }
    if (off + 2 > n) throw bad('file ends inside a segment (truncated)');
    const len = u16(bytes, off);
    if (len < 2) throw bad('segment length below 2');
    const end = off + len;
    if (end > n) throw bad('file ends inside a segment (truncated)');
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      if (marker > 0xc2) throw bad('lossless, hierarchical or arithmetic-coded JPEG is not supported');
      if (len < 8) throw bad('frame header too short');
      const precision = bytes[off + 2]!;
      const height = u16(bytes, off + 3);
      const width = u16(bytes, off + 5);
      const components = bytes[off + 7]!;
      if (precision !== 8) throw bad(`${precision}-bit samples are not supported`);
      if (width === 0 || height === 0) throw bad(`impossible size ${width}×${height}`);
      if (components !== 1 && components !== 3 && components !== 4) throw bad(`${components} colour components`);
      if (len < 8 + 3 * components) throw bad('frame header too short');
      for (let c = 0; c < components; c++) {
        const hv = bytes[off + 9 + 3 * c]!;
        const h = hv >> 4;
        const v = hv & 15;
        if (h < 1 || h > 4 || v < 1 || v > 4) throw bad('sampling factor out of range');
      }
      return { width, height, components, progressive: marker === 0xc2, orientation };
    }
    if (marker === 0xe1 && orientation === 1) orientation = exifOrientation(bytes, off + 2, end);
    off = end;
  }
}

/** EXIF orientation from an APP1 segment's payload [start, end); 1 for anything missing or malformed. */
function exifOrientation(b: Uint8Array, start: number, end: number): number {
  // "Exif\0\0" then a TIFF header.
  if (end - start < 14 || b[start] !== 0x45 || b[start + 1] !== 0x78 || b[start + 2] !== 0x69 || b[start + 3] !== 0x66)
    return 1;
  const t = start + 6;
  const little = b[t] === 0x49 && b[t + 1] === 0x49;
  if (!little && !(b[t] === 0x4d && b[t + 1] === 0x4d)) return 1;
  const r16 = (o: number) => (little ? b[o]! | (b[o + 1]! << 8) : (b[o]! << 8) | b[o + 1]!);
  const r32 = (o: number) => (little ? r16(o) + r16(o + 2) * 65536 : r16(o) * 65536 + r16(o + 2));
  if (r16(t + 2) !== 42) return 1;
  const ifd = t + r32(t + 4);
  if (ifd + 2 > end) return 1;
  const count = r16(ifd);
  for (let i = 0; i < count; i++) {
    const e = ifd + 2 + 12 * i;
    if (e + 12 > end) return 1;
    if (r16(e) === 0x0112) {
      const value = r16(e + 8);
      return r16(e + 2) === 3 && value >= 1 && value <= 8 ? value : 1;
    }
  }
  return 1;
}

/** Size after EXIF orientation: 5–8 turn the image a quarter. */
export function orientedSize(h: JpegHeader): { width: number; height: number } {
  return h.orientation >= 5 ? { width: h.height, height: h.width } : { width: h.width, height: h.height };
}

/** Applies an EXIF orientation to stored RGB pixels so the result looks as viewers show it. */
function orient(img: RgbImage, orientation: number): RgbImage {
  if (orientation === 1) return img;
  const { width: w, height: h, data } = img;
  const swap = orientation >= 5;
  const W = swap ? h : w;
  const H = swap ? w : h;
  const out = new Uint8Array(data.length);
  for (let Y = 0; Y < H; Y++) {
    for (let X = 0; X < W; X++) {
      let x: number;
      let y: number;
      switch (orientation) {
        case 2:
          x = w - 1 - X;
          y = Y;
          break; // mirrored
        case 3:
          x = w - 1 - X;
          y = h - 1 - Y;
          break; // turned 180°
        case 4:
          x = X;
          y = h - 1 - Y;
          break; // flipped
        case 5:
          x = Y;
          y = X;
          break; // transposed
        case 6:
          x = Y;
          y = h - 1 - X;
          break; // needs 90° clockwise
        case 7:
          x = w - 1 - Y;
          y = h - 1 - X;
          break; // transversed
        default:
          x = w - 1 - Y;
          y = X;
          break; // 8: needs 90° anticlockwise
      }
      const s = (y * w + x) * 3;
      const d = (Y * W + X) * 3;
      out[d] = data[s]!;
      out[d + 1] = data[s + 1]!;
      out[d + 2] = data[s + 2]!;
    }
  }
  return { width: W, height: H, data: out };
}

/**
 * Decodes a JPEG whose header has been read (and whose pixel count the caller has accepted) to 8-bit RGB,
 * EXIF orientation applied. Grey and Adobe CMYK/YCCK JPEGs become RGB. Every failure is `bad_image`.
 * `beforeAllocate` runs after the file-size plausibility check, before jpeg-js allocates (the caller's size ceiling).
 */
export function decodeJpegRgb(bytes: Uint8Array, header: JpegHeader, beforeAllocate: () => void = () => {}): RgbImage {
  const { width, height } = header;
  // Every 8×8 block of the largest component costs at least one bit of Huffman code, even in a progressive
  // DC scan, so a file smaller than that is truncated or lying about its size; refusing it here keeps jpeg-js
  // (which fills missing data with zeros) from allocating for pixels that are not there.
  const blocks = Math.ceil(width / 8) * Math.ceil(height / 8);
  if (blocks > 8 * bytes.length) {
    throw bad(`${bytes.length} bytes cannot hold a ${width}×${height} image (truncated or lying header)`);
  }
  beforeAllocate();
  let decoded: { width: number; height: number; data: Uint8Array };
  try {
    decoded = jpeg.decode(bytes, {
      useTArray: true,
      formatAsRGBA: false,
      tolerantDecoding: true,
      maxResolutionInMP: (width * height) / 1e6 + 1,
      // jpeg-js keeps 256 bytes per 8×8 block per component (over the MCU-padded area, up to 32×32 pixels per MCU),
      // one byte per sample in line buffers, and the output: at most ~6 bytes per padded pixel per component + 6.
      maxMemoryUsageInMB:
        Math.ceil((Math.ceil(width / 32) * 32 * Math.ceil(height / 32) * 32 * 6 * (header.components + 1)) / 2 ** 20) +
        16,
    });
  } catch (e) {
    // jpeg-js reports format problems as plain Errors with useful messages; a TypeError or RangeError is its code
    // tripping over corrupt data, whose message would only confuse a client.
    const plain = e instanceof Error && !(e instanceof TypeError) && !(e instanceof RangeError);
    throw bad(plain ? e.message : 'corrupt data', e);
  }
  if (decoded.width !== width || decoded.height !== height || decoded.data.length !== width * height * 3) {
    throw bad('decoder output does not match the frame header');
  }
  return orient({ width, height, data: decoded.data }, header.orientation);
}
