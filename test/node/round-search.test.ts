// The rounding search (src/schemes/neural/round-search.ts) with the shipped weights: one level at most from the float container,
// plain rounding outside the mask, a smaller reveal error than plain rounding, no tensors left behind.
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { audioToBlocks, BLOCK_CHANNELS, rgbToBlocks } from '../../src/container/layout.js';
import { embed, reveal } from '../../src/schemes/neural/model.js';
import { searchRounding } from '../../src/schemes/neural/round-search.js';
import { disposeModel, type LoadedModel } from '../../src/schemes/neural/weights-format.js';
import { initBackend } from '../../src/node/backend.js';
import { loadModelFromDir } from '../../src/node/load-model.js';
import { pattern } from '../fixtures/pattern.js';
import { speechLike } from '../helpers/signals.js';

let model: LoadedModel;
beforeAll(async () => {
  await initBackend('wasm');
  model = await loadModelFromDir();
});
afterAll(() => disposeModel(model));

describe('searchRounding', () => {
  it('rounds each masked value to a neighbouring level so that Reveal reads the payload better', async () => {
    const [w, h] = [64, 32]; // two tiles; the mask covers the first
    const shape: [number, number, number, number] = [1, h / 4, w / 4, BLOCK_CHANNELS];
    const payload = speechLike(3072, 8000, 3, 0.6);
    const m = Float32Array.from({ length: (h / 4) * (w / 4) }, (_, i) => (i % (w / 4) < 8 ? 1 : 0));
    const mask = tf.tensor4d(m, [1, h / 4, w / 4, 1]);
    const cover = tf.tensor4d(rgbToBlocks(pattern(w, h), w, h), shape);
    const target = tf.tensor4d(audioToBlocks(payload, w, h), shape);
    const container = embed(model.weights, model.config, cover, target, 'none');
    const v = (await container.data()) as Float32Array;
    const before = tf.memory().numTensors;
    const q = await searchRounding(model, v, m, (await target.data()) as Float32Array, h / 4, w / 4);
    expect(tf.memory().numTensors).toBe(before);
    const searched = tf.tensor4d(q, shape);
    let flipped = 0;
    for (let i = 0; i < v.length; i++) {
      const plain = Math.round(Math.min(1, Math.max(0, v[i]!)) * 255);
      const level = q[i]! * 255;
      expect(Math.abs(level - Math.round(level))).toBeLessThan(1e-3); // an 8-bit level
      const inside = m[Math.floor(i / BLOCK_CHANNELS)] === 1;
      if (!inside) expect(Math.round(level)).toBe(plain);
      else {
        const float = Math.min(1, Math.max(0, v[i]!)) * 255;
        expect(
          Math.round(level) === Math.floor(float) || Math.round(level) === Math.min(255, Math.floor(float) + 1),
        ).toBe(true);
        if (Math.round(level) !== plain) flipped++;
      }
    }
    expect(flipped).toBeGreaterThan(0);

    const error = (container8: tf.Tensor4D) =>
      tf.tidy(
        () =>
          tf
            .sum(tf.mul(tf.squaredDifference(reveal(model.weights, model.config, container8), target), mask))
            .dataSync()[0]!,
      );
    const rounded = tf.tidy(() => tf.div(tf.round(tf.mul(tf.clipByValue(container, 0, 1), 255)), 255) as tf.Tensor4D);
    const plainError = error(rounded);
    const searchedError = error(searched);
    console.info(
      `round search test: reveal error ${plainError.toFixed(3)} (plain rounding) → ${searchedError.toFixed(3)}; ${flipped} values flipped`,
    );
    expect(searchedError).toBeLessThan(0.95 * plainError);
    tf.dispose([mask, cover, target, container, searched, rounded]);
  });

  it('gives the same rounding in small tiles as in one pass (the gradient tiles have enough context)', async () => {
    const [w, h] = [64, 96];
    const shape: [number, number, number, number] = [1, h / 4, w / 4, BLOCK_CHANNELS];
    const m = new Float32Array((h / 4) * (w / 4)).fill(1);
    const payload = speechLike(6 * 3072, 8000, 4, 0.6);
    const [v, t] = tf.tidy(() => {
      const target = tf.tensor4d(audioToBlocks(payload, w, h), shape);
      return [
        embed(model.weights, model.config, tf.tensor4d(rgbToBlocks(pattern(w, h), w, h), shape), target, 'none'),
        target,
      ];
    });
    const [container, target] = [(await v!.data()) as Float32Array, (await t!.data()) as Float32Array];
    tf.dispose([v!, t!]);
    const whole = await searchRounding(model, container, m, target, h / 4, w / 4);
    // Tiles of 4×4 positions, each computed with 2 × 6 positions of context on every side.
    const banded = await searchRounding(model, container, m, target, h / 4, w / 4, (4 + 2 * 12) ** 2);
    let differ = 0;
    for (let i = 0; i < whole.length; i++) if (whole[i] !== banded[i]) differ++;
    expect(differ).toBe(0);
  });
});
