// The worker's fast tfjs-wasm Concat (worker/wasm-concat.ts): bit-identical to the stock kernel on every shape it
// takes, the stock kernel for everything else, no leaked tensors or wasm buffers, and identical model outputs.
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BLOCK_CHANNELS } from '../../src/container/layout.js';
import { embed, initWeights, reveal, type ModelConfig } from '../../src/schemes/neural/model.js';
import { initBackend } from '../../src/node/backend.js';
import { registerFastConcat, type FastConcat } from '../../worker/wasm-concat.js';

let installed: FastConcat | null = null;

beforeAll(async () => {
  await initBackend('wasm');
});
afterAll(() => installed?.restore());

/** Deterministic distinct values, so any reordering shows. */
function values(shape: number[], seed: number): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(
    Float32Array.from({ length: n }, (_, i) => Math.sin(seed * 1000 + i * 0.731) * 100 + i),
    shape,
  );
}

/** Runs `f` with the stock kernel and with the fast one; returns both results and how often the fast path ran. */
async function both(f: () => tf.Tensor): Promise<{
  stock: { shape: number[]; data: Float32Array };
  fast: { shape: number[]; data: Float32Array };
  fastCalls: number;
}> {
  const read = async () => {
    const t = f();
    const out = { shape: t.shape, data: Float32Array.from(await t.data()) };
    t.dispose();
    return out;
  };
  const stock = await read();
  installed = registerFastConcat();
  try {
    const fast = await read();
    return { stock, fast, fastCalls: installed.fastCalls() };
  } finally {
    installed.restore();
    installed = null;
  }
}

const backendBuffers = () => (tf.engine().backend as unknown as { numDataIds(): number }).numDataIds();

describe('fast wasm Concat', () => {
  const cases: Array<[string, number[][], number, boolean]> = [
    [
      'three equal 4-D branches on the channel axis',
      [
        [1, 6, 7, 16],
        [1, 6, 7, 16],
        [1, 6, 7, 16],
      ],
      3,
      true,
    ],
    [
      'unequal channels (48 + 96), as the hiding net feeds its input',
      [
        [1, 5, 4, 48],
        [1, 5, 4, 96],
      ],
      3,
      true,
    ],
    [
      'coprime channel counts (3 + 5 + 2)',
      [
        [2, 3, 4, 3],
        [2, 3, 4, 5],
        [2, 3, 4, 2],
      ],
      -1,
      true,
    ],
    [
      '2-D on the last axis',
      [
        [17, 4],
        [17, 8],
      ],
      1,
      true,
    ],
    [
      'not the last axis (stock kernel)',
      [
        [2, 3, 4],
        [5, 3, 4],
      ],
      0,
      false,
    ],
    [
      'a single pixel (stock kernel)',
      [
        [1, 1, 1, 4],
        [1, 1, 1, 4],
      ],
      3,
      false,
    ],
    ['1-D (stock kernel)', [[5], [7]], 0, false],
  ];
  for (const [what, shapes, axis, takesFastPath] of cases) {
    it(`${what}: bit-identical to the stock kernel, nothing leaked`, async () => {
      const inputs = shapes.map((s, i) => values(s, i + 1));
      const tensors = tf.memory().numTensors;
      const buffers = backendBuffers();
      const { stock, fast, fastCalls } = await both(() => tf.concat(inputs, axis));
      expect(fastCalls).toBe(takesFastPath ? 1 : 0);
      expect(fast.shape).toEqual(stock.shape);
      expect(fast.data).toEqual(stock.data);
      expect(tf.memory().numTensors).toBe(tensors);
      expect(backendBuffers()).toBe(buffers);
      tf.dispose(inputs);
    });
  }

  it('int32 inputs take the stock kernel and stay int32', async () => {
    const a = tf.tensor(
      [
        [1, 2],
        [3, 4],
      ],
      [2, 2],
      'int32',
    );
    const b = tf.tensor([[5], [6]], [2, 1], 'int32');
    const { stock, fast, fastCalls } = await both(() => tf.concat([a, b], 1));
    expect(fastCalls).toBe(0);
    expect(Array.from(fast.data)).toEqual([1, 2, 5, 3, 4, 6]);
    expect(fast.data).toEqual(stock.data);
    tf.dispose([a, b]);
  });

  it('the nets give bit-identical containers and revealed audio with it', async () => {
    const config: ModelConfig = {
      kernels: [3, 4, 5],
      prepare: { layers: 2, filters: 8 },
      hiding: { layers: 2, filters: 8 },
      reveal: { layers: 2, filters: 8 },
    };
    const weights = initWeights(config, 3);
    const shape = [1, 6, 9, BLOCK_CHANNELS];
    const cover = values(shape, 7).mul(0.001).add(0.5);
    const audio = values(shape, 8).mul(0.001);
    const { stock, fast, fastCalls } = await both(() =>
      tf.tidy(() => {
        const container = embed(weights, config, cover as tf.Tensor4D, audio as tf.Tensor4D);
        return tf.concat([container.flatten(), reveal(weights, config, container).flatten()]);
      }),
    );
    expect(fast.data).toEqual(stock.data);
    // Every multi-scale layer and every stack concatenates on the channel axis (the final flatten concat does not).
    expect(fastCalls).toBeGreaterThanOrEqual(10);
    tf.dispose([cover, audio, ...Object.values(weights)]);
  });
});
