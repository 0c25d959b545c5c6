// Banded forward passes: splitting a tall region into overlapping bands gives exactly the one-pass result.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { runInBands, runInTiles } from '../../src/schemes/neural/banded.js';
import { BLOCK_CHANNELS } from '../../src/container/layout.js';
import { DEFAULT_CONFIG, embed, initWeights, receptiveReach, reveal } from '../../src/schemes/neural/model.js';
import { initBackend } from '../../src/node/backend.js';
import { mulberry32 } from '../../src/util/rng.js';

beforeAll(async () => {
  await initBackend('wasm');
});

function random(n: number, seed: number, lo: number, hi: number): Float32Array {
  const r = mulberry32(seed);
  return Float32Array.from({ length: n }, () => lo + (hi - lo) * r());
}

/** Untrained nets (the runners must not care what the weights are), shared by both suites. */
let w: ReturnType<typeof initWeights>;
beforeAll(() => {
  w = initWeights(DEFAULT_CONFIG, 4);
});
const revealNet = ([c]: tf.Tensor4D[]) => reveal(w, DEFAULT_CONFIG, c!);

describe('runInBands', () => {
  const rows = 37;
  const cols = 6;
  const cover = random(rows * cols * BLOCK_CHANNELS, 1, 0, 1);
  const audio = random(rows * cols * BLOCK_CHANNELS, 2, -1, 1);
  const embedNet = ([c, a]: tf.Tensor4D[]) => embed(w, DEFAULT_CONFIG, c!, a!, 'none');

  it('equals one pass for embed and reveal with bands of every size down to a single row', async () => {
    const whole = await runInBands(
      [cover, audio],
      rows,
      cols,
      receptiveReach(DEFAULT_CONFIG, 'embed'),
      embedNet,
      Infinity,
    );
    const wholeReveal = await runInBands(
      [cover],
      rows,
      cols,
      receptiveReach(DEFAULT_CONFIG, 'reveal'),
      revealNet,
      Infinity,
    );
    for (const bandRows of [1, 5, 16]) {
      const reachE = receptiveReach(DEFAULT_CONFIG, 'embed');
      const reachR = receptiveReach(DEFAULT_CONFIG, 'reveal');
      const banded = await runInBands([cover, audio], rows, cols, reachE, embedNet, (bandRows + 2 * reachE) * cols);
      const bandedReveal = await runInBands([cover], rows, cols, reachR, revealNet, (bandRows + 2 * reachR) * cols);
      let worst = 0;
      for (let i = 0; i < whole.length; i++)
        worst = Math.max(worst, Math.abs(whole[i]! - banded[i]!), Math.abs(wholeReveal[i]! - bandedReveal[i]!));
      expect(worst, `bands of ${bandRows} rows`).toBeLessThan(1e-5);
    }
  });

  it('needs the full reach: one row less of overlap changes the output', async () => {
    const reach = receptiveReach(DEFAULT_CONFIG, 'reveal');
    const whole = await runInBands([cover], rows, cols, reach, revealNet, Infinity);
    const short = await runInBands([cover], rows, cols, reach - 1, revealNet, (5 + 2 * (reach - 1)) * cols);
    let worst = 0;
    for (let i = 0; i < whole.length; i++) worst = Math.max(worst, Math.abs(whole[i]! - short[i]!));
    expect(worst).toBeGreaterThan(1e-3);
  });

  it('leaves no tensors behind', async () => {
    const before = tf.memory().numTensors;
    await runInBands([cover, audio], rows, cols, receptiveReach(DEFAULT_CONFIG, 'embed'), embedNet, 8 * cols);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('runInTiles', () => {
  const rows = 29;
  const cols = 41;
  const cover = random(rows * cols * BLOCK_CHANNELS, 3, 0, 1);

  it('equals one pass with tiles down to one position of interior, and needs the full reach', async () => {
    const reach = receptiveReach(DEFAULT_CONFIG, 'reveal');
    const whole = await runInTiles([cover], rows, cols, reach, revealNet, Infinity);
    for (const side of [1, 7, 20]) {
      const tiled = await runInTiles([cover], rows, cols, reach, revealNet, (side + 2 * reach) ** 2);
      let worst = 0;
      for (let i = 0; i < whole.length; i++) worst = Math.max(worst, Math.abs(whole[i]! - tiled[i]!));
      expect(worst, `tiles of ${side}×${side}`).toBeLessThan(1e-5);
    }
    const short = await runInTiles([cover], rows, cols, reach - 1, revealNet, (7 + 2 * (reach - 1)) ** 2);
    let worst = 0;
    for (let i = 0; i < whole.length; i++) worst = Math.max(worst, Math.abs(whole[i]! - short[i]!));
    expect(worst).toBeGreaterThan(1e-3);
  });

  it('leaves no tensors behind', async () => {
    const before = tf.memory().numTensors;
    await runInTiles([cover], rows, cols, receptiveReach(DEFAULT_CONFIG, 'reveal'), revealNet, 400);
    expect(tf.memory().numTensors).toBe(before);
  });
});
