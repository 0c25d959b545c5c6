/** Synthetic secrets like the reference experiment: sums of 1–3 sines with random frequency, phase and amplitude. */
import { SAMPLE_RATE } from '../src/container/layout.js';
import type { Rng } from '../src/util/rng.js';

/** Ranges the random sines are drawn from. */
export interface SineOptions {
  /** Number of sines, drawn uniformly from [min, max]. Default [1, 3]. */
  count?: [number, number];
  /** Frequency range in Hz, drawn uniformly. Default [50, 3500] (below the 4 kHz Nyquist limit at 8 kHz). */
  frequency?: [number, number];
  /** Per-sine amplitude range before scaling. Default [0.1, 1]. */
  amplitude?: [number, number];
  /** The sum is scaled so its peak |x| is drawn uniformly from this range (within [0, 1]). Default [0.5, 1]. */
  peak?: [number, number];
  sampleRate?: number;
}

/**
 * `length` samples of a random sum of sines at `sampleRate` (default 8 kHz), scaled so the peak |x| is a random level
 * in `peak`, so the result is always inside [-1, 1].
 */
export function sineSecret(length: number, rng: Rng, options: SineOptions = {}): Float32Array {
  const [cMin, cMax] = options.count ?? [1, 3];
  const [fMin, fMax] = options.frequency ?? [50, 3500];
  const [aMin, aMax] = options.amplitude ?? [0.1, 1];
  const [pMin, pMax] = options.peak ?? [0.5, 1];
  const rate = options.sampleRate ?? SAMPLE_RATE;
  const count = cMin + rng.int(cMax - cMin + 1);
  const out = new Float32Array(length);
  for (let k = 0; k < count; k++) {
    const w = (2 * Math.PI * rng.uniform(fMin, fMax)) / rate;
    const phase = rng.uniform(0, 2 * Math.PI);
    const amp = rng.uniform(aMin, aMax);
    // rotate a unit phasor instead of calling Math.sin per sample (4× faster); renormalise so rounding cannot drift
    const c = Math.cos(w);
    const s = Math.sin(w);
    let re = Math.cos(phase);
    let im = Math.sin(phase);
    for (let i = 0; i < length; i++) {
      out[i] = out[i]! + amp * im;
      const nr = re * c - im * s;
      im = re * s + im * c;
      re = nr;
      if ((i & 1023) === 1023) {
        const norm = 1 / Math.hypot(re, im);
        re *= norm;
        im *= norm;
      }
    }
  }
  let peak = 0;
  for (let i = 0; i < length; i++) peak = Math.max(peak, Math.abs(out[i]!));
  const level = rng.uniform(pMin, pMax);
  if (peak > 0) {
    const scale = level / peak;
    for (let i = 0; i < length; i++) out[i] = Math.max(-1, Math.min(1, out[i]! * scale));
  }
  return out;
}
