/** The robust scheme's pixel side: JFIF luma, the orthonormal 8×8 DCT on the JPEG block grid, and a Lanczos luma resizer. */

/** Interleaved 8-bit RGB, `data.length === width * height * 3` (the scheme's input and output image type). */
export interface Rgb {
  width: number;
  height: number;
  data: Uint8Array;
}

/** Row-major 8×8 orthonormal DCT-II basis: `BASIS[u * 8 + x]` = c(u)·cos((2x+1)uπ/16). */
const BASIS = (() => {
  const b = new Float64Array(64);
  for (let u = 0; u < 8; u++) {
    const c = u === 0 ? Math.SQRT1_2 / 2 : 0.5;
    for (let x = 0; x < 8; x++) b[u * 8 + x] = c * Math.cos(((2 * x + 1) * u * Math.PI) / 16);
  }
  return b;
})();

/**
 * JPEG zigzag order: `ZIGZAG[k]` is the row-major index (v·8 + u) of the k-th coefficient. The scheme names its
 * coefficients by zigzag rank because every encoder's quantiser coarsens along it.
 */
export const ZIGZAG: readonly number[] = [
  0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28,
  35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47,
  55, 62, 63,
];

/**
 * The JPEG Annex K luminance table (row-major), which libjpeg, mozjpeg (sharp's default) and jpeg-js scale by quality:
 * q70 → ×0.6, q50 → ×1. QIM steps are set proportional to it so every coefficient sees the same relative
 * re-quantisation noise at any quality.
 */
export const JPEG_LUMA_TABLE: readonly number[] = [
  16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51,
  87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92, 49, 64, 78, 87, 103, 121, 120, 101,
  72, 92, 95, 98, 112, 100, 103, 99,
];

/** Smallest m with every zigzag rank 0…`rank` inside u, v < m (4 for ranks ≤ 9, 5 for ≤ 14…). */
export function frequencySpan(rank: number): number {
  let m = 1;
  for (let z = 0; z <= rank; z++) m = Math.max(m, (ZIGZAG[z]! >> 3) + 1, (ZIGZAG[z]! & 7) + 1);
  return m;
}

/** JFIF luma (Y = 0.299 R + 0.587 G + 0.114 B, what every JPEG encoder codes) of an RGB image, as floats. */
export function lumaOf(img: Rgb): Float32Array {
  const n = img.width * img.height;
  const y = new Float32Array(n);
  const d = img.data;
  for (let i = 0; i < n; i++) y[i] = 0.299 * d[3 * i]! + 0.587 * d[3 * i + 1]! + 0.114 * d[3 * i + 2]!;
  return y;
}

/**
 * Forward orthonormal DCT of the 8×8 block at (bx, by) of a `width`-wide plane into `out` (row-major v·8+u). With
 * `m` < 8 only frequencies u, v < m are computed (the rest of `out` is left as is): the scheme reads zigzag ranks
 * ≤ 9, all inside u, v < 4, which costs 384 multiply-adds instead of 1,024.
 */
export function dct8(
  plane: Float32Array,
  width: number,
  bx: number,
  by: number,
  out: Float64Array,
  tmp: Float64Array,
  m = 8,
): void {
  const base = by * 8 * width + bx * 8;
  // Rows: tmp[y·8+u] = Σx p[y][x]·B[u][x].
  for (let y = 0; y < 8; y++) {
    const row = base + y * width;
    for (let u = 0; u < m; u++) {
      let s = 0;
      for (let x = 0; x < 8; x++) s += plane[row + x]! * BASIS[u * 8 + x]!;
      tmp[y * 8 + u] = s;
    }
  }
  // Columns: out[v·8+u] = Σy B[v][y]·tmp[y·8+u].
  for (let v = 0; v < m; v++) {
    for (let u = 0; u < m; u++) {
      let s = 0;
      for (let y = 0; y < 8; y++) s += BASIS[v * 8 + y]! * tmp[y * 8 + u]!;
      out[v * 8 + u] = s;
    }
  }
}

/**
 * Inverse of {@link dct8} for a coefficient block `coef`, written as 64 pixel values (row-major) into `out`; with
 * `m` < 8 the coefficients outside u, v < m are taken as zero.
 */
export function idct8(coef: Float64Array, out: Float64Array, tmp: Float64Array, m = 8): void {
  for (let y = 0; y < 8; y++) {
    for (let u = 0; u < m; u++) {
      let s = 0;
      for (let v = 0; v < m; v++) s += BASIS[v * 8 + y]! * coef[v * 8 + u]!;
      tmp[y * 8 + u] = s;
    }
  }
  for (let y = 0; y < 8; y++) {
    for (let x = 0; x < 8; x++) {
      let s = 0;
      for (let u = 0; u < m; u++) s += tmp[y * 8 + u]! * BASIS[u * 8 + x]!;
      out[y * 8 + x] = s;
    }
  }
}
