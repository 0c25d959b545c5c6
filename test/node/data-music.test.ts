// musicSecret: deterministic, in range, tonal (energy at the key's harmonics) and rhythmic (loudness follows the beat).
import { describe, expect, it } from 'vitest';
import { loadEvalInputs } from '../../cli/commands/eval-inputs.js';
import { UsageError } from '../../cli/commands/args.js';
import { musicSecret } from '../../datasets/music.js';
import { createRng } from '../../src/util/rng.js';

describe('musicSecret', () => {
  it('is deterministic per seed, peaks at 0.9 and differs between seeds', () => {
    const a = musicSecret(4, createRng(3));
    const b = musicSecret(4, createRng(3));
    const c = musicSecret(4, createRng(4));
    expect(a.length).toBe(32000);
    expect(a).toEqual(b);
    expect(Math.max(...a.map(Math.abs))).toBeCloseTo(0.9, 6);
    let diff = 0;
    for (let i = 0; i < a.length; i++) diff += Math.abs(a[i]! - c[i]!);
    expect(diff / a.length).toBeGreaterThan(0.01);
  });

  it('is not noise: strongly correlated one sample apart, and its loudness varies over time', () => {
    const x = musicSecret(6, createRng(9));
    let num = 0;
    let den = 0;
    for (let i = 1; i < x.length; i++) {
      num += x[i]! * x[i - 1]!;
      den += x[i]! * x[i]!;
    }
    expect(num / den).toBeGreaterThan(0.8);
    const frame = 400;
    const rms: number[] = [];
    for (let f = 0; (f + 1) * frame <= x.length; f++) {
      let s = 0;
      for (let i = f * frame; i < (f + 1) * frame; i++) s += x[i]! ** 2;
      rms.push(Math.sqrt(s / frame));
    }
    expect(Math.max(...rms) / Math.min(...rms)).toBeGreaterThan(2);
  });
});

describe('eval --audio', () => {
  it('refuses a kind it does not know instead of silently using speech', async () => {
    await expect(loadEvalInputs({ audio: 'musik', images: [] })).rejects.toBeInstanceOf(UsageError);
  });
});
