/** STOI, short-time objective intelligibility (Taal, Hendriks, Heusdens & Jensen 2011), as pystoi computes it. */
import { fftOfLength } from '../audio/fft.js';
import { resample } from '../audio/resample.js';

/** Internal rate: every signal is resampled to 10 kHz, which covers the 15 one-third-octave bands (top edge 4.3 kHz). */
export const STOI_RATE = 10_000;
const FRAME = 256;
const HOP = FRAME / 2;
const NFFT = 512;
const BANDS = 15;
const MIN_FREQ = 150;
/** Frames per short-time segment: 30 × 12.8 ms ≈ 384 ms, the envelope window the measure correlates over. */
const SEGMENT = 30;
/** Lower bound of the signal-to-distortion ratio, −15 dB, expressed as the clip factor 10^(15/20). */
const CLIP = 10 ** (15 / 20);
/** Frames more than 40 dB under the loudest clean frame are dropped from both signals first. */
const DYN_RANGE = 40;
/** numpy's float64 epsilon, added where pystoi adds it, so scores match it to ~1e-6. */
const EPS = 2.220446049250313e-16;

/** numpy's `np.hanning(n + 2)[1:-1]`: a Hann window without its zero end points. */
function hanning(n: number): Float64Array {
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) w[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * (i + 1)) / (n + 1));
  return w;
}

/** Drops frames of both signals where the clean one is more than {@link DYN_RANGE} dB under its loudest frame, then
 * overlap-adds the windowed frames that remain (pystoi's `remove_silent_frames`). */
function removeSilentFrames(x: Float64Array, y: Float64Array, w: Float64Array): [Float64Array, Float64Array] {
  const starts: number[] = [];
  for (let i = 0; i < x.length - FRAME; i += HOP) starts.push(i);
  const energies = starts.map((s) => {
    let e = 0;
    for (let j = 0; j < FRAME; j++) e += (w[j]! * x[s + j]!) ** 2;
    return 20 * Math.log10(Math.sqrt(e) + EPS);
  });
  const max = Math.max(...energies);
  const kept = starts.filter((_, k) => max - DYN_RANGE - energies[k]! < 0);
  const len = kept.length === 0 ? 0 : (kept.length - 1) * HOP + FRAME;
  const xs = new Float64Array(len);
  const ys = new Float64Array(len);
  kept.forEach((s, k) => {
    for (let j = 0; j < FRAME; j++) {
      xs[k * HOP + j]! += w[j]! * x[s + j]!;
      ys[k * HOP + j]! += w[j]! * y[s + j]!;
    }
  });
  return [xs, ys];
}

/** One-third-octave band edges as FFT bin ranges [lo, hi) (pystoi's `thirdoct`: nearest bins to the edges). */
function bandBins(): Array<[number, number]> {
  const bins: Array<[number, number]> = [];
  // numpy's argmin over (f_k − edge)²: the first bin nearest the edge.
  const nearest = (f: number): number => {
    let best = 0;
    for (let k = 1; k <= NFFT / 2; k++)
      if (Math.abs((k * STOI_RATE) / NFFT - f) < Math.abs((best * STOI_RATE) / NFFT - f)) best = k;
    return best;
  };
  for (let k = 0; k < BANDS; k++) {
    bins.push([nearest(MIN_FREQ * 2 ** ((2 * k - 1) / 6)), nearest(MIN_FREQ * 2 ** ((2 * k + 1) / 6))]);
  }
  return bins;
}

/** Band envelopes [band][frame]: sqrt of the summed power spectrum in each band of each Hann-windowed frame. */
function bandEnvelopes(x: Float64Array, w: Float64Array, bins: Array<[number, number]>): Float64Array[] {
  const fft = fftOfLength(NFFT);
  const frames: number[] = [];
  for (let i = 0; i < x.length - FRAME; i += HOP) frames.push(i);
  const out = Array.from({ length: BANDS }, () => new Float64Array(frames.length));
  const re = new Float64Array(NFFT);
  const im = new Float64Array(NFFT);
  frames.forEach((s, m) => {
    re.fill(0);
    im.fill(0);
    for (let j = 0; j < FRAME; j++) re[j] = w[j]! * x[s + j]!;
    fft(re, im);
    bins.forEach(([lo, hi], b) => {
      let p = 0;
      for (let k = lo; k < hi; k++) p += re[k]! * re[k]! + im[k]! * im[k]!;
      out[b]![m] = Math.sqrt(p);
    });
  });
  return out;
}

/**
 * STOI of `degraded` against `clean`, both at `sampleRate` (any positive integer rate; they are resampled to 10 kHz).
 * Follows pystoi (the reference port of Taal's MATLAB): 256-sample Hann frames with 50 % overlap, 512-point FFT,
 * 15 one-third-octave bands from 150 Hz, 30-frame segments, −15 dB clipping, silent frames (40 dB under the loudest
 * clean frame) removed. Scores lie in about [−1, 1], higher is more intelligible; the measure is invariant to a gain on
 * `degraded`. Signals are truncated to the shorter length; fewer than 30 non-silent frames return 1e-5 (as pystoi).
 */
export function stoi(clean: Float32Array, degraded: Float32Array, sampleRate: number): number {
  const n = Math.min(clean.length, degraded.length);
  const x10 = resample(clean.subarray(0, n), sampleRate, STOI_RATE);
  const y10 = resample(degraded.subarray(0, n), sampleRate, STOI_RATE);
  const w = hanning(FRAME);
  const [xs, ys] = removeSilentFrames(Float64Array.from(x10), Float64Array.from(y10), w);
  const bins = bandBins();
  const xt = bandEnvelopes(xs, w, bins);
  const yt = bandEnvelopes(ys, w, bins);
  const frames = xt[0]!.length;
  if (frames < SEGMENT) return 1e-5;
  let total = 0;
  let count = 0;
  const yp = new Float64Array(SEGMENT);
  for (let m = SEGMENT; m <= frames; m++) {
    for (let b = 0; b < BANDS; b++) {
      const xb = xt[b]!.subarray(m - SEGMENT, m);
      const yb = yt[b]!.subarray(m - SEGMENT, m);
      let nx = 0;
      let ny = 0;
      for (let j = 0; j < SEGMENT; j++) {
        nx += xb[j]! * xb[j]!;
        ny += yb[j]! * yb[j]!;
      }
      // Scale the degraded envelope to the clean one's energy, then clip it to at most (1 + 10^(15/20))× clean.
      const alpha = Math.sqrt(nx) / (Math.sqrt(ny) + EPS);
      let mx = 0;
      let my = 0;
      for (let j = 0; j < SEGMENT; j++) {
        yp[j] = Math.min(yb[j]! * alpha, xb[j]! * (1 + CLIP));
        mx += xb[j]!;
        my += yp[j]!;
      }
      mx /= SEGMENT;
      my /= SEGMENT;
      let sxy = 0;
      let sxx = 0;
      let syy = 0;
      for (let j = 0; j < SEGMENT; j++) {
        const a = xb[j]! - mx;
        const c = yp[j]! - my;
        sxy += a * c;
        sxx += a * a;
        syy += c * c;
      }
      total += sxy / ((Math.sqrt(sxx) + EPS) * (Math.sqrt(syy) + EPS));
      count++;
    }
  }
  return total / count;
}
