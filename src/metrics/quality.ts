/** Quality metrics for evaluation and tests: image MSE/PSNR/SSIM and audio PCC/SI-SNR, pure TypeScript. */
import { StegError } from '../util/errors.js';

/** Pixels as 8-bit values (0–255) or as floats on the [0, 1] scale. */
export type Pixels = Uint8Array | Uint8ClampedArray | Float32Array | Float64Array;

/** A pixel value on the [0, 1] scale: 8-bit arrays are divided by 255, float arrays are taken as already in [0, 1]. */
function unit(a: Pixels, i: number): number {
  return a instanceof Uint8Array || a instanceof Uint8ClampedArray ? a[i]! / 255 : a[i]!;
}

function sameLength(a: ArrayLike<number>, b: ArrayLike<number>, what: string): void {
  if (a.length !== b.length)
    throw new StegError('bad_request', `${what}: lengths differ (${a.length} vs ${b.length}).`);
  if (a.length === 0) throw new StegError('bad_request', `${what}: empty input.`);
}

/**
 * Mean squared error on the [0, 1] pixel scale (the reference's "MSE (image)"): 8-bit inputs are divided by 255,
 * float inputs are used as they are. The two may be of different types. Equal lengths required.
 */
export function mse(a: Pixels, b: Pixels): number {
  sameLength(a, b, 'mse');
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = unit(a, i) - unit(b, i);
    sum += d * d;
  }
  return sum / a.length;
}

/** Peak signal-to-noise ratio in dB for an MSE on the [0, 1] scale (peak 1): 10·log10(1/mse); Infinity for mse 0. */
export function psnr(meanSquaredError: number): number {
  return meanSquaredError === 0 ? Infinity : 10 * Math.log10(1 / meanSquaredError);
}

/** The 11-tap Gaussian (σ = 1.5) of Wang et al., normalised to sum 1. */
function gaussianWindow(size = 11, sigma = 1.5): Float64Array {
  const w = new Float64Array(size);
  const c = (size - 1) / 2;
  let sum = 0;
  for (let i = 0; i < size; i++) {
    w[i] = Math.exp(-((i - c) ** 2) / (2 * sigma * sigma));
    sum += w[i]!;
  }
  for (let i = 0; i < size; i++) w[i] = w[i]! / sum;
  return w;
}

/** Separable 'valid' filtering of a w×h plane with a symmetric 1-D window: output (w−k+1)×(h−k+1). */
function filterValid(plane: Float64Array, w: number, h: number, win: Float64Array): Float64Array {
  const k = win.length;
  const ow = w - k + 1;
  const oh = h - k + 1;
  const tmp = new Float64Array(ow * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < ow; x++) {
      let s = 0;
      const base = y * w + x;
      for (let t = 0; t < k; t++) s += win[t]! * plane[base + t]!;
      tmp[y * ow + x] = s;
    }
  }
  const out = new Float64Array(ow * oh);
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) {
      let s = 0;
      for (let t = 0; t < k; t++) s += win[t]! * tmp[(y + t) * ow + x]!;
      out[y * ow + x] = s;
    }
  }
  return out;
}

/**
 * Mean SSIM (Wang, Bovik, Sheikh & Simoncelli 2004) of two interleaved RGB images of `width`×`height`, computed on each
 * of R, G, B separately and averaged over the three channels. Values on the 8-bit scale (dynamic range L = 255; float
 * inputs in [0, 1] are multiplied by 255), 11×11 Gaussian window with σ = 1.5, K1 = 0.01, K2 = 0.03, averaged over the
 * 'valid' window positions (no padding), as in Wang's reference ssim_index.m. Both sides must be at least 11 pixels.
 */
export function ssim(a: Pixels, b: Pixels, width: number, height: number): number {
  sameLength(a, b, 'ssim');
  if (a.length !== width * height * 3) {
    throw new StegError('bad_request', `ssim: ${a.length} values is not ${width}×${height}×3.`);
  }
  const win = gaussianWindow();
  if (width < win.length || height < win.length) {
    throw new StegError(
      'bad_request',
      `ssim: images must be at least ${win.length}×${win.length}, got ${width}×${height}.`,
    );
  }
  const L = 255;
  const C1 = (0.01 * L) ** 2;
  const C2 = (0.03 * L) ** 2;
  const n = width * height;
  let total = 0;
  for (let ch = 0; ch < 3; ch++) {
    const x = new Float64Array(n);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      x[i] = unit(a, i * 3 + ch) * L;
      y[i] = unit(b, i * 3 + ch) * L;
    }
    const xx = x.map((v) => v * v);
    const yy = y.map((v) => v * v);
    const xy = x.map((v, i) => v * y[i]!);
    const mx = filterValid(x, width, height, win);
    const my = filterValid(y, width, height, win);
    const sxx = filterValid(xx, width, height, win);
    const syy = filterValid(yy, width, height, win);
    const sxy = filterValid(xy, width, height, win);
    let sum = 0;
    for (let i = 0; i < mx.length; i++) {
      const mux = mx[i]!;
      const muy = my[i]!;
      const vx = sxx[i]! - mux * mux;
      const vy = syy[i]! - muy * muy;
      const cxy = sxy[i]! - mux * muy;
      sum += ((2 * mux * muy + C1) * (2 * cxy + C2)) / ((mux * mux + muy * muy + C1) * (vx + vy + C2));
    }
    total += sum / mx.length;
  }
  return total / 3;
}

/**
 * Pearson correlation coefficient of two equal-length signals. Returns 0 when either has zero variance (the
 * correlation is undefined there; 0 keeps averages over many clips finite and says "no linear relation").
 */
export function pcc(x: ArrayLike<number>, y: ArrayLike<number>): number {
  sameLength(x, y, 'pcc');
  const n = x.length;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i]!;
    my += y[i]!;
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i]! - mx;
    const dy = y[i]! - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (sxx === 0 || syy === 0) return 0;
  return sxy / Math.sqrt(sxx * syy);
}

/**
 * Scale-invariant signal-to-noise ratio in dB (SI-SDR, Le Roux et al. 2019): both signals made zero-mean, the target
 * is the projection of `estimate` onto `reference`, and the result is 10·log10(|target|² / |estimate − target|²).
 * Infinity for a perfect (scaled) estimate; NaN when the reference has no energy (undefined).
 */
export function siSnr(reference: ArrayLike<number>, estimate: ArrayLike<number>): number {
  sameLength(reference, estimate, 'siSnr');
  const n = reference.length;
  let mr = 0;
  let me = 0;
  for (let i = 0; i < n; i++) {
    mr += reference[i]!;
    me += estimate[i]!;
  }
  mr /= n;
  me /= n;
  let dot = 0;
  let rr = 0;
  for (let i = 0; i < n; i++) {
    const r = reference[i]! - mr;
    dot += r * (estimate[i]! - me);
    rr += r * r;
  }
  if (rr === 0) return NaN;
  const alpha = dot / rr;
  let tt = 0;
  let ee = 0;
  for (let i = 0; i < n; i++) {
    const t = alpha * (reference[i]! - mr);
    const e = estimate[i]! - me - t;
    tt += t * t;
    ee += e * e;
  }
  if (ee === 0) return Infinity;
  return 10 * Math.log10(tt / ee);
}
