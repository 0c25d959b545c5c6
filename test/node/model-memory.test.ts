// The nets free each layer's activations as they go: peak tensor memory of a forward pass stays near one layer's.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { BLOCK_CHANNELS } from '../../src/container/layout.js';
import { DEFAULT_CONFIG, embed, initWeights, reveal } from '../../src/schemes/neural/model.js';
import { initBackend } from '../../src/node/backend.js';

const SIDE = 32; // block positions per side: a 128×128 pixel region
const ACTIVATION_BYTES = SIDE * SIDE * BLOCK_CHANNELS * 4; // one 48-channel float32 activation

beforeAll(async () => {
  await initBackend('wasm');
});

describe('forward-pass memory', () => {
  it('embed and reveal each peak under 10 activations of 48 channels (7 and 6; keeping every layer took 19 and 18)', async () => {
    const w = initWeights(DEFAULT_CONFIG, 3);
    const shape: [number, number, number, number] = [1, SIDE, SIDE, BLOCK_CHANNELS];
    const cover = tf.randomUniform(shape, 0, 1, 'float32', 1) as tf.Tensor4D;
    const audio = tf.randomUniform(shape, -1, 1, 'float32', 2) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    const held = tf.memory().numBytes; // weights and inputs: the profile's peak counts them too
    const e = await tf.profile(() => tf.tidy(() => embed(w, DEFAULT_CONFIG, cover, audio)));
    const r = await tf.profile(() => tf.tidy(() => reveal(w, DEFAULT_CONFIG, cover)));
    // Each profile returns one result tensor; nothing else may survive.
    expect(tf.memory().numTensors - before).toBe(2);
    expect((e.peakBytes - held) / ACTIVATION_BYTES).toBeLessThan(10);
    expect((r.peakBytes - held - e.newBytes) / ACTIVATION_BYTES).toBeLessThan(10);
    tf.dispose([cover, audio, ...Object.values(w)]);
  });
});
