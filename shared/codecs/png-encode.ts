/** PNG writing: 8-bit RGB → signature, IHDR, one IDAT (every row Sub-filtered, Huffman + run zlib), IEND. */
import { crc32 } from '../crc32.js';
import { zlibRle } from './deflate.js';
import { PNG_SIGNATURE } from './png.js';

/**
 * Encodes 8-bit RGB (`data.length === width * height * 3`, checked by the caller) as a non-interlaced colour-type-2
 * PNG. Every scanline uses filter 1 (Sub, the difference to the pixel on the left): photos' neighbouring pixels
 * are close, so the differences compress far better than raw values, and the filter is one subtraction per byte.
 * The zlib stream is {@link zlibRle}'s. Measured on 512×512 photos (synthetic, Kodak crops): about half the CPU of
 * fflate level 1 on the same rows and a third of fast-png's level 3 on unfiltered rows, with files from 2 % larger
 * to 16 % smaller than level 1's.
 */
export function writePngRgb(width: number, height: number, data: Uint8Array): Uint8Array {
  const line = width * 3;
  const raw = new Uint8Array(height * (line + 1));
  for (let y = 0, s = 0, o = 0; y < height; y++, s += line) {
    raw[o++] = 1;
    raw[o++] = data[s]!;
    raw[o++] = data[s + 1]!;
    raw[o++] = data[s + 2]!;
    // Uint8Array stores the difference modulo 256, which is what the Sub filter defines.
    for (let i = s + 3, end = s + line; i < end; i++) raw[o++] = data[i]! - data[i - 3]!;
  }
  const z = zlibRle(raw);
  const out = new Uint8Array(8 + 25 + 12 + z.length + 12);
  const view = new DataView(out.buffer);
  out.set(PNG_SIGNATURE, 0);
  let at = 8;
  const chunk = (type: string, length: number, fill: (dataStart: number) => void) => {
    view.setUint32(at, length);
    for (let i = 0; i < 4; i++) out[at + 4 + i] = type.charCodeAt(i);
    fill(at + 8);
    view.setUint32(at + 8 + length, crc32(out.subarray(at + 4, at + 8 + length)));
    at += 12 + length;
  };
  chunk('IHDR', 13, (d) => {
    view.setUint32(d, width);
    view.setUint32(d + 4, height);
    // Bit depth 8, colour type 2 (RGB), compression 0, filter method 0, no interlace.
    out.set([8, 2, 0, 0, 0], d + 8);
  });
  chunk('IDAT', z.length, (d) => out.set(z, d));
  chunk('IEND', 0, () => undefined);
  return out;
}
