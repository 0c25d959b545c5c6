// STOI: properties that a wrong port would break (identity, monotonic in noise, gain invariance, plausible range).
import { describe, expect, it } from 'vitest';
import { stoi } from '../../src/metrics/stoi.js';
import { speechLike } from '../helpers/signals.js';
import { mulberry32 } from '../../src/util/rng.js';

/** `x` plus white Gaussian noise at `snrDb` (deterministic). */
function withNoise(x: Float32Array, snrDb: number, seed = 7): Float32Array {
  const rnd = mulberry32(seed);
  let power = 0;
  for (const v of x) power += v * v;
  const sigma = Math.sqrt(power / x.length / 10 ** (snrDb / 10));
  return Float32Array.from(x, (v) => {
    const g = Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
    return v + sigma * g;
  });
}

describe('stoi', () => {
  const clean = speechLike(3 * 8000, 8000, 3);

  it('scores identical signals ≈ 1', () => {
    expect(stoi(clean, clean, 8000)).toBeGreaterThan(0.9999);
  });

  it('falls monotonically as white noise rises (SNR 20, 5, −5 dB)', () => {
    const scores = [20, 5, -5].map((snr) => stoi(clean, withNoise(clean, snr), 8000));
    expect(scores[0]!).toBeGreaterThan(scores[1]!);
    expect(scores[1]!).toBeGreaterThan(scores[2]!);
    expect(scores[0]!).toBeLessThan(1);
  });

  it('is insensitive to a gain on the degraded signal', () => {
    const noisy = withNoise(clean, 5);
    const a = stoi(clean, noisy, 8000);
    const b = stoi(
      clean,
      noisy.map((v) => v * 0.3),
      8000,
    );
    expect(Math.abs(a - b)).toBeLessThan(1e-6);
  });

  it('gives a plausible mid-range score for speech-like signal in noise at 0 dB SNR', () => {
    const s = stoi(clean, withNoise(clean, 0), 8000);
    expect(s).toBeGreaterThan(0.3);
    expect(s).toBeLessThan(0.95);
  });

  it('works at other rates (16 kHz input is resampled to 10 kHz)', () => {
    const c16 = speechLike(2 * 16000, 16000, 5);
    expect(stoi(c16, c16, 16000)).toBeGreaterThan(0.9999);
    expect(stoi(c16, withNoise(c16, 0), 16000)).toBeLessThan(0.95);
  });

  it('returns 1e-5 when fewer than 30 non-silent frames remain (as pystoi)', () => {
    const short = speechLike(2000, 8000, 1);
    expect(stoi(short, short, 8000)).toBe(1e-5);
  });
});
