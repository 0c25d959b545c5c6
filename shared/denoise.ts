/** Reveal's post-filter: a short-time Wiener filter against the Reveal net's near-white error, its level estimated blind. */
import { StegError } from './errors.js';

/**
 * Filter settings, chosen on training photos (bsds500) and training speakers (FSDD recordings 5–49), never on the
 * held-out set: 32 ms frames at 8 kHz with half overlap, the noise level from the 30th percentile of each bin's power,
 * decision-directed smoothing 0.7 and a gain floor of 0.2 (−14 dB), which keeps speech onsets and avoids musical noise.
 */
export const DENOISE = { frame: 256, hop: 128, noiseQuantile: 0.3, smoothing: 0.7, gainFloor: 0.2, maxEstimateFrames: 1024 } as const;

/** Values of the `denoise` request field and `--denoise` option: the post-filter on (default) or off. */
export const DENOISE_SETTINGS = ['on', 'off'] as const;

/** True for a valid `denoise` value. */
export function isDenoiseSetting(value: unknown): value is (typeof DENOISE_SETTINGS)[number] {
  return (DENOISE_SETTINGS as readonly unknown[]).includes(value);
}

/** Reads the `denoise` field (API): absent or empty → true (on), `off` → false, anything else → `bad_request`. */
export function parseDenoise(value: string | undefined): boolean {
  if (value === undefined || value === '') return true;
  if (isDenoiseSetting(value)) return value === 'on';
  throw new StegError('bad_request', `denoise must be one of ${DENOISE_SETTINGS.join(', ')}; got "${value.slice(0, 40)}"`);
}

const N = DENOISE.frame;
const HALF = N / 2;
/** sqrt-Hann (periodic) for analysis and synthesis: at half overlap the squared windows sum to exactly 1. */
const WINDOW = Float64Array.from({ length: N }, (_, i) => Math.sqrt(0.5 - 0.5 * Math.cos((2 * Math.PI * i) / N)));
const COS = Float64Array.from({ length: HALF }, (_, k) => Math.cos((2 * Math.PI * k) / N));
const SIN = Float64Array.from({ length: HALF }, (_, k) => Math.sin((2 * Math.PI * k) / N));
const BIT_REVERSED = Uint16Array.from({ length: N }, (_, i) => {
  let r = 0;
  for (let b = 1, v = i; b < N; b <<= 1, v >>= 1) r = (r << 1) | (v & 1);
  return r;
});

/** In-place radix-2 FFT of length {@link N} (inverse without the 1/N, which the caller folds in). */
function fft(re: Float64Array, im: Float64Array, inverse: boolean): void {
  for (let i = 0; i < N; i++) {
    const j = BIT_REVERSED[i]!;
    if (i < j) {
      const tr = re[i]!;
      re[i] = re[j]!;
      re[j] = tr;
      const ti = im[i]!;
      im[i] = im[j]!;
      im[j] = ti;
    }
  }
  const sign = inverse ? 1 : -1;
  for (let len = 2; len <= N; len <<= 1) {
    const half = len >> 1;
    const step = N / len;
    for (let i = 0; i < N; i += len) {
      for (let k = 0; k < half; k++) {
        const wr = COS[k * step]!;
        const wi = sign * SIN[k * step]!;
        const a = i + k;
        const b = a + half;
        const vr = re[b]! * wr - im[b]! * wi;
        const vi = re[b]! * wi + im[b]! * wr;
        re[b] = re[a]! - vr;
        im[b] = im[a]! - vi;
        re[a]! += vr;
        im[a]! += vi;
      }
    }
  }
}

/** Frames cover the clip with one frame of padding each side, so every sample gets the full window sum. */
function frameCount(length: number): number {
  return Math.ceil((length + N) / DENOISE.hop);
}

/** Loads frame `f` of `x` (windowed, zero outside the clip) into re, clearing im. */
function loadFrame(x: Float32Array, f: number, re: Float64Array, im: Float64Array): void {
  const start = f * DENOISE.hop - N;
  for (let i = 0; i < N; i++) {
    const t = start + i;
    re[i] = t >= 0 && t < x.length ? x[t]! * WINDOW[i]! : 0;
    im[i] = 0;
  }
}

/**
 * Noise power per bin (per frame, windowed), assuming white noise: for each bin the {@link DENOISE.noiseQuantile}
 * quantile of its power over frames, corrected to a mean for exponentially distributed power, then the median over
 * bins, over frames that are not digital silence. Quiet frames and bins without speech set it; a steady tone lifts
 * only its own bins, which the median skips. 0 when every frame is silent.
 */
export function noiseLevel(x: Float32Array): number {
  const frames = frameCount(x.length);
  const sampled = Math.min(frames, DENOISE.maxEstimateFrames);
  const power = Array.from({ length: HALF - 1 }, () => new Float64Array(sampled));
  const re = new Float64Array(N);
  const im = new Float64Array(N);
  let used = 0;
  for (let u = 0; u < sampled; u++) {
    loadFrame(x, Math.floor((u * frames) / sampled), re, im);
    fft(re, im, false);
    let total = 0;
    for (let k = 1; k < HALF; k++) total += power[k - 1]![used] = re[k]! ** 2 + im[k]! ** 2;
    // Digital silence (padding, exact zeros) says nothing about the noise; counting it would set the level to 0.
    if (total > 0) used++;
  }
  if (used === 0) return 0;
  const q = DENOISE.noiseQuantile;
  const perBin = power.map((p) => p.subarray(0, used).sort()[Math.floor(q * (used - 1))]! / -Math.log(1 - q)).sort((a, b) => a - b);
  return perBin[perBin.length >> 1]!;
}

/**
 * Wiener-filters revealed audio (any rate; tuned at 8 kHz) against white noise of the level {@link noiseLevel}
 * finds, with decision-directed a-priori SNR (Ephraim–Malah). Returns a new array of the same length; silence
 * comes back unchanged. Gains: +1.3 to +1.6 dB SI-SNR on speech, +2.7 on sines (training covers, see DENOISE).
 */
export function denoiseRevealed(x: Float32Array): Float32Array {
  const noise = noiseLevel(x);
  if (!(noise > 1e-20)) return x.slice();
  const { smoothing, gainFloor, hop } = DENOISE;
  const out = new Float64Array(x.length);
  const previous = new Float64Array(HALF + 1);
  const re = new Float64Array(N);
  const im = new Float64Array(N);
  const gain = new Float64Array(HALF + 1);
  const frames = frameCount(x.length);
  for (let f = 0; f < frames; f++) {
    loadFrame(x, f, re, im);
    fft(re, im, false);
    for (let k = 0; k <= HALF; k++) {
      const p = re[k]! ** 2 + im[k]! ** 2;
      const prior = (smoothing * previous[k]!) / noise + (1 - smoothing) * Math.max(p / noise - 1, 0);
      const g = Math.max(prior / (1 + prior), gainFloor);
      gain[k] = g;
      previous[k] = g * g * p;
    }
    for (let k = 0; k < N; k++) {
      const g = gain[k <= HALF ? k : N - k]!;
      re[k]! *= g;
      im[k]! *= g;
    }
    fft(re, im, true);
    const start = f * hop - N;
    for (let i = 0; i < N; i++) {
      const t = start + i;
      if (t >= 0 && t < x.length) out[t]! += (re[i]! / N) * WINDOW[i]!;
    }
  }
  return Float32Array.from(out);
}
