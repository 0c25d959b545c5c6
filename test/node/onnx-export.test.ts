// ONNX export of the nets (bench/onnx): onnxruntime-web (wasm) on the exported graphs gives the same outputs as
// src/schemes/neural/model.ts on tfjs-wasm, for the shipped weights (both layouts, 8-bit rounding included) and for random weights
// that keep every layer live, on non-square batched inputs; a 1 % change of one layer is far outside the tolerance.
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isStegError } from '../../src/util/errors.js';
import { BLOCK_CHANNELS } from '../../src/container/layout.js';
import {
  DEFAULT_CONFIG,
  embed,
  hide,
  prepare,
  reveal,
  weightSpecs,
  type WeightMap,
} from '../../src/schemes/neural/model.js';
import { disposeModel, type LoadedModel } from '../../src/schemes/neural/weights-format.js';
import { buildOnnx, exportOnnx } from '../../bench/onnx/export.js';
import { ortEmbed, ortReveal, ortSessions, releaseOrt, type OrtNets } from '../../bench/onnx/runtime.js';
import { initBackend } from '../../src/node/backend.js';
import { mulberry32 } from '../../src/util/rng.js';
import { loadModelFromDir } from '../../src/node/load-model.js';

/** 96×112 pixels in 4×4 blocks, two images: non-square so a swapped height/width or transpose shows. */
const SHAPE: [number, number, number, number] = [2, 24, 28, BLOCK_CHANNELS];
const SIZE = SHAPE.reduce((a, b) => a * b, 1);
const STEP = 1 / 255;

let model: LoadedModel;
let nets: OrtNets;
let cover: Float32Array;
let audio: Float32Array;
let container: Float32Array;

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

/** Random but photo-like cover blocks (smooth colour fields, an edge, grain) and sound-like audio blocks. */
function photoAndSound(rand: () => number): { cover: Float32Array; audio: Float32Array } {
  const [n, bh, bw] = SHAPE;
  const cover = new Float32Array(SIZE);
  const audio = new Float32Array(SIZE);
  for (let b = 0; b < n; b++) {
    const [fx, fy, phase, edge] = [0.02 + 0.1 * rand(), 0.02 + 0.1 * rand(), 6 * rand(), 20 + 60 * rand()];
    for (let by = 0; by < bh; by++)
      for (let bx = 0; bx < bw; bx++)
        for (let ch = 0; ch < BLOCK_CHANNELS; ch++) {
          const i = ((b * bh + by) * bw + bx) * BLOCK_CHANNELS + ch;
          const pixel = Math.floor(ch / 3);
          const [py, px, colour] = [by * 4 + Math.floor(pixel / 4), bx * 4 + (pixel % 4), ch % 3];
          const v =
            0.45 +
            0.25 * Math.sin(px * fx + colour + phase) * Math.cos(py * fy) +
            (px + py > edge ? 0.2 : 0) +
            0.03 * (rand() - 0.5);
          cover[i] = Math.round(Math.min(1, Math.max(0, v)) * 255) / 255;
          audio[i] = 0.6 * Math.sin(i * 0.07 + b) * Math.sin(i * 0.0013) + 0.1 * (rand() * 2 - 1);
        }
  }
  return { cover, audio };
}

/** Reference outputs from src/schemes/neural/model.ts on the active tfjs backend. */
function tfjs(fn: () => tf.Tensor): Float32Array {
  const t = tf.tidy(fn);
  const data = t.dataSync() as Float32Array;
  t.dispose();
  return data;
}

const x = (data: Float32Array) => tf.tensor4d(data, SHAPE);

/** [N, h, w, C] → [N, C, h, w]. */
function toNchw(data: Float32Array, [n, h, w, c]: number[]): Float32Array {
  const out = new Float32Array(data.length);
  for (let b = 0; b < n!; b++)
    for (let y = 0; y < h!; y++)
      for (let xx = 0; xx < w!; xx++)
        for (let ch = 0; ch < c!; ch++)
          out[((b * c! + ch) * h! + y) * w! + xx] = data[((b * h! + y) * w! + xx) * c! + ch]!;
  return out;
}

beforeAll(async () => {
  await initBackend('wasm');
  model = await loadModelFromDir();
  nets = await ortSessions(exportOnnx(model));
  ({ cover, audio } = photoAndSound(mulberry32(20261126)));
  // Reveal reads what embed wrote, as in use.
  container = tfjs(() => embed(model.weights, model.config, x(cover), x(audio)));
});

afterAll(async () => {
  await releaseOrt(nets);
  disposeModel(model);
});

describe('ONNX export of the shipped weights on onnxruntime-web', () => {
  it('reveal matches src/schemes/neural/model.ts on tfjs-wasm', async () => {
    const expected = tfjs(() => reveal(model.weights, model.config, x(container)));
    const got = await ortReveal(nets, container, SHAPE);
    expect(maxAbsDiff(expected, new Float32Array(SIZE))).toBeGreaterThan(0.5);
    expect(maxAbsDiff(got, expected)).toBeLessThan(1e-4);
  });

  it('embed before the 8-bit rounding matches Prepare + Hiding on tfjs-wasm', async () => {
    const unrounded = await ortSessions(exportOnnx(model, { quantize: false }));
    try {
      const expected = tfjs(() =>
        hide(model.weights, model.config, x(cover), prepare(model.weights, model.config, x(audio))),
      );
      // The nets change the cover: a graph that dropped the residual would not pass.
      expect(maxAbsDiff(expected, cover)).toBeGreaterThan(5 * STEP);
      expect(maxAbsDiff(await ortEmbed(unrounded, cover, audio, SHAPE), expected)).toBeLessThan(1e-5);
    } finally {
      await releaseOrt(unrounded);
    }
  });

  it('embed matches embed() on tfjs-wasm: 8-bit values, at most a rare one-step rounding flip at a tie', async () => {
    const got = await ortEmbed(nets, cover, audio, SHAPE);
    let flips = 0;
    for (let i = 0; i < SIZE; i++) {
      expect(got[i]).toBeGreaterThanOrEqual(0);
      expect(got[i]).toBeLessThanOrEqual(1);
      expect(Math.abs(got[i]! * 255 - Math.round(got[i]! * 255))).toBeLessThan(1e-4);
      const d = Math.abs(got[i]! - container[i]!);
      if (d > 1e-6) {
        // A value a hair from a .5 tie may round the other way after a different summation order: one step, no more.
        expect(Math.abs(d - STEP)).toBeLessThan(1e-6);
        flips++;
      }
    }
    expect(flips).toBeLessThanOrEqual(SIZE / 1000);
  });

  it('the NCHW-layout export computes the same as the NHWC one', async () => {
    const nchw = await ortSessions(exportOnnx(model, { layout: 'nchw' }), 'nchw');
    try {
      const [n, h, w, c] = SHAPE;
      const shape = [n, c, h, w];
      const viaNchw = await ortEmbed(nchw, toNchw(cover, SHAPE), toNchw(audio, SHAPE), shape);
      expect(maxAbsDiff(viaNchw, toNchw(await ortEmbed(nets, cover, audio, SHAPE), SHAPE))).toBeLessThan(1e-6);
      const revealed = await ortReveal(nchw, toNchw(container, SHAPE), shape);
      expect(maxAbsDiff(revealed, toNchw(await ortReveal(nets, container, SHAPE), SHAPE))).toBeLessThan(1e-6);
    } finally {
      await releaseOrt(nchw);
    }
  });

  it('refuses weights that do not match the config with StegError bad_weights', () => {
    const values: Record<string, Float32Array> = {};
    for (const [name, t] of Object.entries(model.weights)) values[name] = t.dataSync() as Float32Array;
    const { ['hiding/out/b']: _dropped, ...missing } = values;
    const refusal = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        return isStegError(e) ? `${e.code}: ${e.message}` : `not a StegError: ${String(e)}`;
      }
      return 'accepted';
    };
    expect(refusal(() => buildOnnx(model.config, missing))).toMatch(/^bad_weights: .*hiding\/out\/b/);
    expect(refusal(() => buildOnnx(model.config, { ...values, 'reveal/0/k3/w': new Float32Array(3) }))).toMatch(
      /^bad_weights: .*reveal\/0\/k3\/w/,
    );
  });
});

/**
 * Random weights with every layer live. The shipped Reveal net's last ReLU layer is off on these inputs (its
 * output is then the linear skip alone), so only weights like these show that every conv, padding and concat of
 * the stacks is reproduced. He-uniform kernels, small nonzero biases; the Hiding output layer is as large as the
 * others so its stack shows in the container.
 */
describe('ONNX export of random weights (every layer live)', () => {
  const config = {
    ...DEFAULT_CONFIG,
    prepare: { layers: 2, filters: 6 },
    hiding: { layers: 3, filters: 5 },
    reveal: { layers: 3, filters: 7 },
  };
  let values: Record<string, Float32Array>;
  let weights: WeightMap;
  let random: OrtNets;

  beforeAll(async () => {
    const rand = mulberry32(7);
    values = {};
    for (const { name, shape } of weightSpecs(config)) {
      const size = shape.reduce((a, b) => a * b, 1);
      const bound = name.endsWith('/b') ? 0.05 : Math.sqrt(6 / (shape[0]! * shape[1]! * shape[2]!));
      values[name] = new Float32Array(size).map(() => (rand() * 2 - 1) * bound);
    }
    weights = Object.fromEntries(weightSpecs(config).map(({ name, shape }) => [name, tf.tensor(values[name]!, shape)]));
    random = await ortSessions(buildOnnx(config, values, { quantize: false }));
  });

  afterAll(async () => {
    await releaseOrt(random);
    for (const t of Object.values(weights)) t.dispose();
  });

  /** ORT on weights with one even-kernel layer of the last stack layer 1 % larger: must be told apart. */
  async function altered(name: string): Promise<OrtNets> {
    return ortSessions(
      buildOnnx(config, { ...values, [name]: values[name]!.map((v) => v * 1.01) }, { quantize: false }),
    );
  }

  it('reveal matches, and a 1 % change of one even-kernel layer is far outside the tolerance', async () => {
    const expected = tfjs(() => reveal(weights, config, x(container)));
    expect(maxAbsDiff(await ortReveal(random, container, SHAPE), expected)).toBeLessThan(1e-4);
    const other = await altered('reveal/2/k4/w');
    try {
      expect(maxAbsDiff(await ortReveal(other, container, SHAPE), expected)).toBeGreaterThan(1e-3);
    } finally {
      await releaseOrt(other);
    }
  });

  it('embed (before rounding) matches, and a 1 % change of one even-kernel layer is far outside the tolerance', async () => {
    const expected = tfjs(() => hide(weights, config, x(cover), prepare(weights, config, x(audio))));
    expect(maxAbsDiff(await ortEmbed(random, cover, audio, SHAPE), expected)).toBeLessThan(1e-4);
    for (const name of ['prepare/1/k4/w', 'hiding/2/k4/w']) {
      const other = await altered(name);
      try {
        expect(maxAbsDiff(await ortEmbed(other, cover, audio, SHAPE), expected)).toBeGreaterThan(1e-3);
      } finally {
        await releaseOrt(other);
      }
    }
  });
});
