// The wasm conv2d gradient kernels against the cpu backend: single convs, the whole model, tensor leaks, backend choice.
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, BackendUnavailableError } from '../../src/node/backend.js';
import { registerWasmGradKernels, wasmGradKernelsRegistered } from '../../src/schemes/neural/wasm-grad-kernels.js';
import {
  embed,
  initWeights,
  reveal,
  weightSpecs,
  type ModelConfig,
  type WeightMap,
} from '../../src/schemes/neural/model.js';
import { mulberry32 } from '../../src/util/rng.js';

type Pad = 'valid' | 'same' | [[number, number], [number, number], [number, number], [number, number]];

/** Deterministic uniform values in [-1, 1) (mulberry32), so cpu and wasm get identical inputs. */
function randoms(n: number, seed: number): Float32Array {
  const next = mulberry32(seed);
  return Float32Array.from({ length: n }, () => next() * 2 - 1);
}

/** src/schemes/neural/model.ts's padding: the extra row/column of an even kernel goes after. */
function modelPad(k: number): Pad {
  const before = Math.floor((k - 1) / 2);
  const after = k - 1 - before;
  return [
    [0, 0],
    [before, after],
    [before, after],
    [0, 0],
  ];
}

/** Max |a − e| over the tensor must be within rtol of the reference's largest magnitude. */
function expectClose(actual: Float32Array, expected: Float32Array, rtol: number, what: string): void {
  expect(actual.length, what).toBe(expected.length);
  let scale = 1e-6;
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    scale = Math.max(scale, Math.abs(expected[i]!));
    worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!));
  }
  expect(worst / scale, `${what}: max error ${worst} vs scale ${scale}`).toBeLessThanOrEqual(rtol);
}

interface ConvCase {
  n: number;
  h: number;
  w: number;
  cin: number;
  cout: number;
  k: number;
  pad: Pad;
  stride: number;
  seed: number;
}

/** dx and dW of conv2d for a random dy, computed on the active backend. */
function convGrads(c: ConvCase): { dx: Float32Array; dw: Float32Array } {
  return tf.tidy(() => {
    const x = tf.tensor4d(randoms(c.n * c.h * c.w * c.cin, c.seed), [c.n, c.h, c.w, c.cin]);
    const w = tf.tensor4d(randoms(c.k * c.k * c.cin * c.cout, c.seed + 1), [c.k, c.k, c.cin, c.cout]);
    const f = (a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.stride, c.pad);
    const y = f(x, w);
    const dy = tf.tensor(randoms(y.size, c.seed + 2), y.shape);
    const [dx, dw] = tf.grads(f)([x, w], dy);
    return { dx: dx!.dataSync() as Float32Array, dw: dw!.dataSync() as Float32Array };
  });
}

async function on<T>(backend: 'cpu' | 'wasm', fn: () => T): Promise<T> {
  await tf.setBackend(backend);
  return fn();
}

async function compareConv(c: ConvCase): Promise<void> {
  const ref = await on('cpu', () => convGrads(c));
  const got = await on('wasm', () => convGrads(c));
  const label = JSON.stringify(c);
  expectClose(got.dx, ref.dx, 1e-4, `dx ${label}`);
  expectClose(got.dw, ref.dw, 1e-4, `dW ${label}`);
}

const TINY: ModelConfig = {
  kernels: [3, 4],
  prepare: { layers: 1, filters: 2 },
  hiding: { layers: 2, filters: 2 },
  reveal: { layers: 2, filters: 3 },
};

/** Loss as in training: mse(container, cover) + mse(revealed, audio), gradients wrt every weight. */
function modelGrads(weights: Record<string, Float32Array>, cover: Float32Array, audio: Float32Array, shape: number[]) {
  return tf.tidy(() => {
    const specs = weightSpecs(TINY);
    const ws = specs.map(({ name, shape: s }) => tf.tensor(weights[name]!, s));
    const c = tf.tensor4d(cover, shape as [number, number, number, number]);
    const a = tf.tensor4d(audio, shape as [number, number, number, number]);
    const loss = (...args: tf.Tensor[]) => {
      const map: WeightMap = {};
      specs.forEach(({ name }, i) => (map[name] = args[i]!));
      const container = embed(map, TINY, c, a);
      const revealed = reveal(map, TINY, container);
      return tf.add(
        tf.mean(tf.squaredDifference(container, c)),
        tf.mean(tf.squaredDifference(revealed, a)),
      ) as tf.Scalar;
    };
    const grads = tf.grads(loss)(ws);
    return Object.fromEntries(specs.map(({ name }, i) => [name, grads[i]!.dataSync() as Float32Array]));
  });
}

describe('wasm conv2d gradient kernels', () => {
  beforeAll(async () => {
    await initBackend('cpu');
    expect(await initBackend('wasm')).toBe('wasm');
  });
  afterAll(async () => {
    await tf.setBackend('wasm');
  });

  it('registers both kernels, idempotently', () => {
    expect(wasmGradKernelsRegistered()).toBe(true);
    const before = tf.getKernel('Conv2DBackpropInput', 'wasm')!.kernelFunc;
    registerWasmGradKernels();
    registerWasmGradKernels();
    expect(tf.getKernel('Conv2DBackpropInput', 'wasm')!.kernelFunc).toBe(before);
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
  });

  it('matches cpu on the model paddings, same and valid (random shapes)', async () => {
    const pads = (k: number) => fc.constantFrom<Pad>(modelPad(k), 'same', 'valid');
    const arb = fc
      .record({
        n: fc.integer({ min: 1, max: 3 }),
        h: fc.integer({ min: 5, max: 12 }),
        w: fc.integer({ min: 5, max: 12 }),
        cin: fc.integer({ min: 1, max: 7 }),
        cout: fc.integer({ min: 1, max: 7 }),
        k: fc.constantFrom(1, 3, 4, 5),
        seed: fc.integer({ min: 1, max: 1_000_000 }),
      })
      .chain((c) => pads(c.k).map((pad) => ({ ...c, pad, stride: 1 })));
    await fc.assert(fc.asyncProperty(arb, compareConv), { numRuns: 40, seed: 20240601 });
  });

  it('covers each kernel size and padding at least once', async () => {
    for (const k of [1, 2, 3, 4, 5]) {
      for (const pad of [modelPad(k), 'same', 'valid'] as Pad[]) {
        await compareConv({ n: 2, h: 7, w: 6, cin: 3, cout: 5, k, pad, stride: 1, seed: k * 10 });
      }
    }
  });

  it('matches cpu for stride 2 (dilated filter gradient, built-in input gradient)', async () => {
    for (const k of [1, 3, 4]) {
      for (const pad of ['same', 'valid', modelPad(k)] as Pad[]) {
        await compareConv({ n: 2, h: 9, w: 8, cin: 2, cout: 3, k, pad, stride: 2, seed: 77 + k });
      }
    }
  });

  it('matches cpu for the gradient of the full embed + reveal loss wrt every weight', async () => {
    const shape = [2, 5, 6, 48];
    const size = shape.reduce((a, b) => a * b, 1);
    const weights = await on('cpu', () =>
      tf.tidy(() => {
        const w = initWeights(TINY, 3);
        // Output layers start near zero; larger ones make the reveal path's gradients non-trivial.
        return Object.fromEntries(
          Object.entries(w).map(([name, t]) => [
            name,
            (name.includes('/out/w')
              ? tf.mul(t, 300)
              : name.endsWith('/b')
                ? tf.randomUniform(t.shape, -0.1, 0.1, 'float32', 5)
                : t
            ).dataSync() as Float32Array,
          ]),
        );
      }),
    );
    const cover = randoms(size, 11).map((v) => (v + 1) / 2);
    const audio = randoms(size, 12);
    const ref = await on('cpu', () => modelGrads(weights, cover, audio, shape));
    const got = await on('wasm', () => modelGrads(weights, cover, audio, shape));
    const names = weightSpecs(TINY).map((s) => s.name);
    expect(Object.keys(got).sort()).toEqual([...names].sort());
    for (const name of names) {
      expect(
        ref[name]!.some((v) => v !== 0),
        `${name} has a non-zero reference gradient`,
      ).toBe(true);
      expectClose(got[name]!, ref[name]!, 1e-4, name);
    }
  });

  it('does not grow tensors or wasm buffers across repeated gradient computations', async () => {
    await tf.setBackend('wasm');
    const c: ConvCase = { n: 2, h: 8, w: 8, cin: 4, cout: 6, k: 4, pad: modelPad(4), stride: 1, seed: 5 };
    const strided: ConvCase = { ...c, k: 3, pad: 'same', stride: 2 };
    const pointwise: ConvCase = { ...c, k: 1, pad: 'valid' };
    const cases = [c, strided, pointwise];
    cases.forEach(convGrads);
    const tensors = tf.memory().numTensors;
    const buffers = tf.backend().numDataIds();
    for (let i = 0; i < 4; i++) {
      cases.forEach(convGrads);
      expect(tf.memory().numTensors).toBe(tensors);
      expect(tf.backend().numDataIds()).toBe(buffers);
    }
  });
});

describe('initBackend', () => {
  it('activates cpu and wasm', async () => {
    expect(await initBackend('cpu')).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect(await initBackend('wasm')).toBe('wasm');
    expect(wasmGradKernelsRegistered()).toBe(true);
  });

  it('tensorflow: starts if tfjs-node is installed, else says what to npm install', async () => {
    let installed = false;
    for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
      try {
        createRequire(import.meta.url).resolve(pkg);
        installed = true;
      } catch {
        // not installed
      }
    }
    if (installed) {
      expect(await initBackend('tensorflow')).toBe('tensorflow');
      await initBackend('wasm');
      return;
    }
    const err = await initBackend('tensorflow').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendUnavailableError);
    expect((err as Error).message).toContain('npm install @tensorflow/tfjs-node@4.22.0');
    expect(tf.getBackend()).toBe('wasm');
  });

  it('rejects an unknown backend name', async () => {
    await expect(initBackend('webgpu' as never)).rejects.toBeInstanceOf(BackendUnavailableError);
  });
});
