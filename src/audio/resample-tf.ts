/** Resampling as matrix products on the active tfjs backend: the filter of codecs/resample.ts, several times faster on wasm. */
import * as tf from '@tensorflow/tfjs-core';
import { checkRates, polyphaseFilter, resample, resampledLength } from './resample.js';

/** Outputs per block (rounded up to a whole number of filter phases): each block is one row of a matrix product. */
const BLOCK_OUTPUTS = 64;
/** Blocks per matrix product: bounds the frames buffer (about 2 MB for 16 → 8 kHz) whatever the clip length. */
const CHUNK_BLOCKS = 2048;

/**
 * Same result as {@link resample} (float32 sums instead of float64: differences ~1e-7 of full scale), computed as
 * blocks of outputs: when a block holds a whole number of phases, every block applies the same [window × block]
 * matrix to its own window of input, so the whole filter becomes one tfjs `matMul` per chunk of blocks (SIMD on
 * wasm) instead of a scalar JavaScript loop. Ratios {@link resample} does not tabulate exactly (more than 1024
 * phases) fall back to it.
 */
export function resampleFast(samples: Float32Array, fromRate: number, toRate: number): Float32Array {
  checkRates(fromRate, toRate);
  if (fromRate === toRate) return samples.slice();
  const n = samples.length;
  const outLen = resampledLength(n, fromRate, toRate);
  if (n === 0 || outLen === 0) return new Float32Array(outLen);
  const { up, down, taps, half, exact, table } = polyphaseFilter(fromRate, toRate);
  if (!exact) return resample(samples, fromRate, toRate);

  const block = up * Math.ceil(BLOCK_OUTPUTS / up);
  const hop = (block / up) * down; // input samples from one block's start to the next
  const window = Math.floor(((block - 1) * down) / up) + taps;
  const matrix = new Float32Array(window * block);
  for (let b = 0; b < block; b++) {
    const k0 = Math.floor((b * down) / up);
    const row = ((b * down) % up) * taps;
    for (let i = 0; i < taps; i++) matrix[(k0 + i) * block + b] = table[row + i]!;
  }

  const blocks = Math.ceil(outLen / block);
  const out = new Float32Array(outLen);
  const weights = tf.tensor2d(matrix, [window, block]);
  try {
    const buffer = new Float32Array(Math.min(CHUNK_BLOCKS, blocks) * window);
    for (let first = 0; first < blocks; first += CHUNK_BLOCKS) {
      const count = Math.min(CHUNK_BLOCKS, blocks - first);
      const frames = buffer.subarray(0, count * window);
      frames.fill(0);
      for (let q = 0; q < count; q++) {
        // Input index of the window's first tap; outside the clip the input is zero, as in resample().
        const start = (first + q) * hop - half + 1;
        const lo = Math.max(0, start);
        const hi = Math.min(n, start + window);
        if (hi > lo) frames.set(samples.subarray(lo, hi), q * window + (lo - start));
      }
      const product = tf.tidy(() => tf.matMul(tf.tensor2d(frames, [count, window]), weights));
      const values = product.dataSync() as Float32Array;
      product.dispose();
      out.set(values.subarray(0, Math.min(count * block, outLen - first * block)), first * block);
    }
  } finally {
    weights.dispose();
  }
  return out;
}
