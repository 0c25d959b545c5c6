// Synthetic sine secrets and the seeded PRNG.
import { describe, expect, it } from 'vitest';
import { createRng, mulberry32 } from '../../src/util/rng.js';
import { sineSecret } from '../../datasets/sines.js';

describe('rng', () => {
  it('is reproducible per seed and roughly uniform', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const xs = Array.from({ length: 10000 }, () => a());
    expect(xs.slice(0, 5)).toEqual(Array.from({ length: 5 }, () => b()));
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    const mean = xs.reduce((p, q) => p + q, 0) / xs.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.02);
    expect(mulberry32(43)()).not.toBe(mulberry32(42)());
    const r = createRng(1);
    const ints = Array.from({ length: 1000 }, () => r.int(3));
    expect(new Set(ints)).toEqual(new Set([0, 1, 2]));
  });
});

describe('sineSecret', () => {
  it('stays in [-1, 1] with its peak in the requested range, reproducibly', () => {
    for (let seed = 0; seed < 50; seed++) {
      const x = sineSecret(3072, createRng(seed));
      const peak = Math.max(...x.map(Math.abs));
      expect(peak).toBeGreaterThanOrEqual(0.5 - 1e-6);
      expect(peak).toBeLessThanOrEqual(1);
    }
    expect(sineSecret(100, createRng(3))).toEqual(sineSecret(100, createRng(3)));
    expect(sineSecret(100, createRng(3))).not.toEqual(sineSecret(100, createRng(4)));
  });

  it('draws the frequency from the range given (a 1 kHz tone repeats every 8 samples at 8 kHz)', () => {
    const x = sineSecret(800, createRng(9), { count: [1, 1], frequency: [1000, 1000] });
    for (let i = 0; i + 8 < x.length; i++) expect(x[i + 8]).toBeCloseTo(x[i]!, 4);
    // and is not constant over half a period
    expect(Math.abs(x[0]! - x[4]!)).toBeGreaterThan(0);
  });
});
