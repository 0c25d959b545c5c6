/** Sample-rate conversion for any pair of integer rates: polyphase Kaiser-windowed sinc with an anti-aliasing cutoff. */
import { StegError } from '../util/errors.js';

/** Fraction of the lower Nyquist frequency kept flat (ripple ~0.001 dB): 3.4 kHz of a 4 kHz band at 8 kHz. */
export const PASSBAND = 0.85;
/** Fraction of the lower Nyquist frequency where full stopband attenuation is reached: nothing folds back. */
export const STOPBAND = 1.0;
/**
 * Stopband attenuation the Kaiser design aims at, in dB. 60 dB keeps aliases far below the hiding noise (~15 dB
 * under the speech) and needs 28 % fewer taps than 80 dB; the filter length is most of a request's resampling time.
 */
export const ATTENUATION_DB = 60;
/** Phases tabulated exactly; ratios needing more (e.g. 44099 → 8000) interpolate linearly between phases. */
const MAX_PHASES = 1024;

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** Modified Bessel function of the first kind, order 0 (power series; converges fast for the β used here). */
function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const q = (x * x) / 4;
  for (let k = 1; k < 100 && term > sum * 1e-17; k++) {
    term *= q / (k * k);
    sum += term;
  }
  return sum;
}

/**
 * Filter taps for fractional positions `frac` = row/rows (0 ≤ row ≤ lastRow), in input-sample units: tap i of a row
 * weights input sample k0 + i - half + 1 for an output at input time k0 + frac. Each row is normalised to sum 1,
 * so DC passes exactly whatever the phase.
 */
function buildTable(rows: number, lastRow: number, half: number, fc: number, beta: number): Float32Array {
  const taps = 2 * half;
  const table = new Float32Array((lastRow + 1) * taps);
  const i0beta = besselI0(beta);
  for (let r = 0; r <= lastRow; r++) {
    const frac = r / rows;
    let sum = 0;
    for (let i = 0; i < taps; i++) {
      const tau = frac - (i - half + 1);
      const x = tau / half;
      let h = 0;
      if (x > -1 && x < 1) {
        const arg = 2 * fc * tau;
        const sinc = arg === 0 ? 1 : Math.sin(Math.PI * arg) / (Math.PI * arg);
        h = 2 * fc * sinc * (besselI0(beta * Math.sqrt(1 - x * x)) / i0beta);
      }
      table[r * taps + i] = h;
      sum += h;
    }
    for (let i = 0; i < taps; i++) table[r * taps + i] = table[r * taps + i]! / sum;
  }
  return table;
}

/** Refuses rates that are not positive integers (`bad_audio`). */
export function checkRates(fromRate: number, toRate: number): void {
  for (const r of [fromRate, toRate]) {
    if (!Number.isInteger(r) || r < 1 || r > 2 ** 31) throw new StegError('bad_audio', `Cannot resample at ${r} Hz.`);
  }
}

/** Samples {@link resample} returns for `n` input samples: round(n·to/from). */
export function resampledLength(n: number, fromRate: number, toRate: number): number {
  return Math.round((n * toRate) / fromRate);
}

/** The polyphase filter {@link resample} uses between two different rates. */
export interface PolyphaseFilter {
  /** The rate ratio in lowest terms: `up` output samples per `down` input samples. */
  up: number;
  down: number;
  /** Taps per phase (= 2·half); tap i of an output at input time k0 + phase/up weights input sample k0 + i − half + 1. */
  taps: number;
  half: number;
  /** True when every phase is tabulated (up ≤ 1024); otherwise `table` holds 1025 rows to interpolate between. */
  exact: boolean;
  /** Row-major [rows, taps], each row summing to 1. */
  table: Float32Array;
}

/** Designs the Kaiser-windowed sinc filter for `fromRate` → `toRate` (see {@link resample} for its band edges). */
export function polyphaseFilter(fromRate: number, toRate: number): PolyphaseFilter {
  const g = gcd(fromRate, toRate);
  const up = toRate / g;
  const down = fromRate / g;
  // Frequencies in cycles per input sample.
  const nyquist = (0.5 * Math.min(fromRate, toRate)) / fromRate;
  const fc = (nyquist * (PASSBAND + STOPBAND)) / 2;
  const transition = nyquist * (STOPBAND - PASSBAND);
  const beta = 0.1102 * (ATTENUATION_DB - 8.7);
  const length = (ATTENUATION_DB - 7.95) / (2.285 * 2 * Math.PI * transition) + 1;
  const half = Math.ceil(length / 2);
  const taps = 2 * half;
  const exact = up <= MAX_PHASES;
  const table = buildTable(exact ? up : MAX_PHASES, exact ? up - 1 : MAX_PHASES, half, fc, beta);
  return { up, down, taps, half, exact, table };
}

/**
 * Resamples `samples` from `fromRate` to `toRate` (positive integers). Output sample j sits at input time
 * j·from/to and the output has round(n·to/from) samples; the input is taken as zero outside its ends.
 * The low-pass cutoff follows the lower of the two rates: flat to {@link PASSBAND} of its Nyquist frequency and
 * at least {@link ATTENUATION_DB} dB down from {@link STOPBAND} of it, so downsampling does not alias.
 * Equal rates return a copy. Rates that are not positive integers → `bad_audio`.
 */
export function resample(samples: Float32Array, fromRate: number, toRate: number): Float32Array {
  checkRates(fromRate, toRate);
  if (fromRate === toRate) return samples.slice();
  const n = samples.length;
  const outLen = resampledLength(n, fromRate, toRate);
  const out = new Float32Array(outLen);
  if (n === 0 || outLen === 0) return out;
  const { up, down, half, taps, exact, table } = polyphaseFilter(fromRate, toRate);

  // Zero padding on both sides removes every bounds check from the inner loop.
  const padded = new Float32Array(n + 2 * taps);
  padded.set(samples, taps);
  const base = taps - half + 1; // padded index of tap 0 for k0 = 0

  const stepInt = Math.floor(down / up);
  const stepRem = down % up;
  let k0 = 0;
  let phase = 0; // output time = k0 + phase / up
  for (let j = 0; j < outLen; j++) {
    const start = base + k0;
    let acc: number;
    if (exact) {
      const row = phase * taps;
      // Four partial sums let the CPU overlap the multiply-adds (~1.5× faster); the tail loop takes what is left.
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      let a3 = 0;
      let i = 0;
      for (; i + 3 < taps; i += 4) {
        a0 += padded[start + i]! * table[row + i]!;
        a1 += padded[start + i + 1]! * table[row + i + 1]!;
        a2 += padded[start + i + 2]! * table[row + i + 2]!;
        a3 += padded[start + i + 3]! * table[row + i + 3]!;
      }
      for (; i < taps; i++) a0 += padded[start + i]! * table[row + i]!;
      acc = a0 + a1 + a2 + a3;
    } else {
      const pos = (phase / up) * MAX_PHASES;
      const r = Math.min(Math.floor(pos), MAX_PHASES - 1);
      const a = pos - r;
      const row0 = r * taps;
      const row1 = row0 + taps;
      let acc0 = 0;
      let acc1 = 0;
      for (let i = 0; i < taps; i++) {
        const x = padded[start + i]!;
        acc0 += x * table[row0 + i]!;
        acc1 += x * table[row1 + i]!;
      }
      acc = acc0 + a * (acc1 - acc0);
    }
    out[j] = acc;
    k0 += stepInt;
    phase += stepRem;
    if (phase >= up) {
      phase -= up;
      k0++;
    }
  }
  return out;
}
