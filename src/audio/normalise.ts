/** Per-clip loudness normalisation before embedding, and its inverse after reveal (training and serving share it). */
import { StegError } from '../util/errors.js';

/** Level the 99.9th percentile of |x| is mapped to: loud enough to use the range, with headroom for peaks. */
export const NORMALISE_TARGET = 0.95;
/** Percentile of |x| that sets the gain; a high percentile ignores a few clicks without ignoring speech peaks. */
export const NORMALISE_PERCENTILE = 0.999;

/**
 * Percentile `p` (0..1) of |x| with linear interpolation between order statistics (numpy's default method):
 * position p·(n−1) in the sorted magnitudes.
 */
export function absPercentile(samples: Float32Array, p: number): number {
  const n = samples.length;
  if (n === 0) return 0;
  const mags = new Float32Array(n);
  for (let i = 0; i < n; i++) mags[i] = Math.abs(samples[i]!);
  const pos = p * (n - 1);
  const lo = Math.floor(pos);
  const atLo = selectInPlace(mags, lo);
  if (lo + 1 >= n) return atLo;
  // After selection everything right of `lo` is ≥ the lo-th value, so the next order statistic is their minimum.
  let atHi = Infinity;
  for (let i = lo + 1; i < n; i++) if (mags[i]! < atHi) atHi = mags[i]!;
  return atLo + (pos - lo) * (atHi - atLo);
}

/**
 * Hoare quickselect: reorders `a` so a[k] is the k-th smallest, smaller-or-equal values left of it and larger-or-equal
 * right of it, and returns a[k]. Linear time on average; a full sort of a minute of audio costs ~10× more.
 */
export function selectInPlace(a: Float32Array | Float64Array, k: number): number {
  let left = 0;
  let right = a.length - 1;
  while (right > left) {
    // Median of three as pivot keeps sorted or constant stretches (silence) from going quadratic.
    const mid = (left + right) >>> 1;
    const x = a[left]!,
      y = a[mid]!,
      z = a[right]!;
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    let i = left;
    let j = right;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else return a[k]!;
  }
  return a[k]!;
}

/**
 * Scales a clip so the {@link NORMALISE_PERCENTILE} of |x| lands on {@link NORMALISE_TARGET}, then clips to [-1, 1].
 * Returns the scaled copy and the `gain` applied (output = clip(input · gain)); reveal divides by `gain`
 * ({@link denormaliseClip}) to restore the original level. An all-zero or empty clip gets gain 1. When the
 * percentile is zero but the clip is not (a few isolated non-zero samples), the peak sets the gain instead.
 * Non-finite samples are refused with `bad_audio`.
 */
export function normaliseClip(samples: Float32Array): { samples: Float32Array; gain: number } {
  const peak = finitePeak(samples);
  if (peak === 0) return { samples: new Float32Array(samples), gain: 1 };
  let level = absPercentile(samples, NORMALISE_PERCENTILE);
  if (!(level > 0)) level = peak;
  const gain = NORMALISE_TARGET / level;
  const out = new Float32Array(samples.length);
  for (let i = 0; i < samples.length; i++) {
    const v = samples[i]! * gain;
    out[i] = v > 1 ? 1 : v < -1 ? -1 : v;
  }
  return { samples: out, gain };
}

/**
 * Scales a clip so its peak lands on {@link NORMALISE_TARGET}: nothing is clipped. For the coded scheme, whose codec
 * adapts its step to any level; {@link normaliseClip}'s clipping of the loudest 0.1 % of samples would cap a clip near
 * 27 dB SI-SNR there. An all-zero or empty clip gets gain 1; non-finite samples are refused with `bad_audio`.
 */
export function peakNormalise(samples: Float32Array): { samples: Float32Array; gain: number } {
  const peak = finitePeak(samples);
  const gain = peak > 0 ? NORMALISE_TARGET / peak : 1;
  const out = new Float32Array(samples.length);
  for (let i = 0; i < samples.length; i++) out[i] = samples[i]! * gain;
  return { samples: out, gain };
}

/** Largest |x| of the clip; a non-finite sample is refused with `bad_audio`. */
function finitePeak(samples: Float32Array): number {
  let peak = 0;
  for (let i = 0; i < samples.length; i++) {
    const v = samples[i]!;
    if (!Number.isFinite(v)) throw new StegError('bad_audio', `Audio sample ${i} is not a finite number.`);
    const a = Math.abs(v);
    if (a > peak) peak = a;
  }
  return peak;
}

/** Inverse of {@link normaliseClip} (up to its clipping): divides by `gain`. A gain that is not a positive finite number is refused. */
export function denormaliseClip(samples: Float32Array, gain: number): Float32Array {
  if (!(gain > 0) || !Number.isFinite(gain)) throw new StegError('bad_audio', `Invalid audio gain ${gain}.`);
  const out = new Float32Array(samples.length);
  for (let i = 0; i < samples.length; i++) out[i] = samples[i]! / gain;
  return out;
}
