// normaliseClip / denormaliseClip: percentile level, clipping, silence, inverse.
import { describe, expect, it } from 'vitest';
import { absPercentile, denormaliseClip, normaliseClip } from '../../src/audio/normalise.js';
import { isStegError } from '../../src/util/errors.js';
import { mulberry32 } from '../../src/util/rng.js';

describe('normaliseClip', () => {
  it('maps the 99.9th percentile of |x| to 0.95 (linear interpolation)', () => {
    const x = Float32Array.from({ length: 1000 }, (_, i) => (i % 2 ? -1 : 1) * (i / 1000));
    // sorted |x| = 0, 0.001, …, 0.999; position 0.999·999 = 998.001 → 0.998 + 0.001·0.001
    const p = 0.998 + 0.001 * 0.001;
    expect(absPercentile(x, 0.999)).toBeCloseTo(p, 6);
    const { samples, gain } = normaliseClip(x);
    expect(gain).toBeCloseTo(0.95 / p, 5);
    expect(samples[999]).toBeCloseTo(-0.999 * gain, 5);
    expect(Math.max(...samples.map(Math.abs))).toBeLessThan(1);
  });

  it('ignores a single click and clips it', () => {
    const x = Float32Array.from({ length: 10000 }, (_, i) => (i % 2 ? 0.1 : -0.1));
    const withClick = new Float32Array(10001);
    withClick.set(x);
    withClick[10000] = 5;
    const { samples, gain } = normaliseClip(withClick);
    expect(gain).toBeCloseTo(9.5, 4);
    expect(samples[0]).toBeCloseTo(-0.95, 5);
    expect(samples[10000]).toBe(1);
  });

  it('leaves silence alone with gain 1', () => {
    const zeros = new Float32Array(500);
    const { samples, gain } = normaliseClip(zeros);
    expect(gain).toBe(1);
    expect(samples).toEqual(zeros);
    expect(samples).not.toBe(zeros);
    expect(normaliseClip(new Float32Array(0)).gain).toBe(1);
  });

  it('uses the peak when the percentile is zero but the clip is not', () => {
    const x = new Float32Array(100000);
    x[123] = -0.5;
    const { samples, gain } = normaliseClip(x);
    expect(gain).toBeCloseTo(1.9, 6);
    expect(samples[123]).toBeCloseTo(-0.95, 6);
  });

  it('denormaliseClip restores the original level', () => {
    const x = Float32Array.from({ length: 800 }, (_, i) => 0.03 * Math.sin(i / 5));
    const { samples, gain } = normaliseClip(x);
    const back = denormaliseClip(samples, gain);
    for (let i = 0; i < x.length; i++) expect(back[i]).toBeCloseTo(x[i]!, 6);
  });

  it('refuses non-finite samples and bad gains with bad_audio', () => {
    for (const f of [() => normaliseClip(Float32Array.of(0.1, NaN)), () => denormaliseClip(new Float32Array(2), 0)]) {
      try {
        f();
        expect.unreachable();
      } catch (e) {
        expect(isStegError(e) && e.code).toBe('bad_audio');
      }
    }
  });
});

describe('absPercentile', () => {
  function bySort(x: Float32Array, p: number): number {
    const m = Float32Array.from(x, Math.abs).sort();
    const pos = p * (m.length - 1);
    const lo = Math.floor(pos);
    const hi = Math.min(lo + 1, m.length - 1);
    return m[lo]! + (pos - lo) * (m[hi]! - m[lo]!);
  }

  it('equals the sorted-array definition on random, quantised, constant and sorted inputs', () => {
    const rng = mulberry32(11);
    const cases: Float32Array[] = [
      Float32Array.from({ length: 4097 }, () => rng() * 2 - 1),
      Float32Array.from({ length: 3000 }, () => Math.round((rng() * 2 - 1) * 8) / 8), // many ties
      new Float32Array(777).fill(0.25),
      Float32Array.from({ length: 2048 }, (_, i) => i / 2048),
      Float32Array.from({ length: 2048 }, (_, i) => 1 - i / 2048),
      Float32Array.of(0.5),
      Float32Array.of(-0.2, 0.1),
    ];
    for (const x of cases)
      for (const p of [0, 0.001, 0.5, 0.9, 0.999, 1]) expect(absPercentile(x, p)).toBe(bySort(x, p));
  });
});
