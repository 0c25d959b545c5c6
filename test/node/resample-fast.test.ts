// resampleFast (src/audio/resample-tf.ts) against the reference resampler (src/audio/resample.ts) on tfjs-wasm.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { resample } from '../../src/audio/resample.js';
import { isStegError } from '../../src/util/errors.js';
import { resampleFast } from '../../src/audio/resample-tf.js';
import { initBackend } from '../../src/node/backend.js';

beforeAll(async () => {
  await initBackend('wasm');
});

/** A few tones and noise, like speech in level, deterministic. */
function signal(length: number, seed = 1): Float32Array {
  let s = seed;
  const rand = () => (s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32 - 0.5;
  return Float32Array.from(
    { length },
    (_, i) => 0.4 * Math.sin(i * 0.031) + 0.2 * Math.sin(i * 0.53 + 1) + 0.1 * rand(),
  );
}

function maxDifference(a: Float32Array, b: Float32Array): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}

describe('resampleFast', () => {
  it.each([
    [16000, 8000],
    [44100, 8000],
    [48000, 8000],
    [22050, 8000],
    [11025, 8000],
    [8000, 12000],
    [8000, 15000],
    [8000, 24000],
    [18000, 8000],
    [24000, 8000],
    [8000, 44100],
  ])('%i → %i Hz gives what resample gives, to float32 rounding', (from, to) => {
    for (const length of [1, 7, 100, 4321, 2 * 2048 * 64 + 333]) {
      const x = signal(length);
      const reference = resample(x, from, to);
      const before = tf.memory().numTensors;
      const fast = resampleFast(x, from, to);
      expect(tf.memory().numTensors).toBe(before);
      expect(fast.length, `length ${length}`).toBe(reference.length);
      expect(maxDifference(fast, reference), `length ${length}`).toBeLessThan(2e-6);
    }
  });

  it('takes the reference path for ratios it cannot tabulate, equal rates and empty clips', () => {
    const x = signal(5000);
    expect(resampleFast(x, 44099, 8000)).toEqual(resample(x, 44099, 8000));
    const same = resampleFast(x, 8000, 8000);
    expect(same).toEqual(x);
    expect(same).not.toBe(x);
    expect(resampleFast(new Float32Array(0), 16000, 8000).length).toBe(0);
  });

  it('refuses impossible rates as bad_audio, like resample', () => {
    for (const [from, to] of [
      [0, 8000],
      [8000, 1.5],
      [-1, 8000],
      [Number.NaN, 8000],
    ] as const) {
      let code = '';
      try {
        resampleFast(signal(10), from, to);
      } catch (e) {
        if (isStegError(e)) code = e.code;
      }
      expect(code, `${from} → ${to}`).toBe('bad_audio');
    }
  });
});
