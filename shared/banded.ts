/** Runs a block-wise net over a tall region in horizontal bands that overlap by its reach, so peak memory stays bounded. */
import * as tf from '@tensorflow/tfjs-core';
import { BLOCK_CHANNELS } from './layout.js';

/**
 * Block positions one forward pass takes at most: a 512×512 region, whose embed peaks near 40 MiB of tensors. A
 * 1024×1024 photo at full density in one pass needs 146 MiB, more than a Worker's 128 MB.
 */
export const BAND_POSITIONS = 128 * 128;

/**
 * Applies `net` to block tensors `inputs` (each [rows, cols, 48] row-major, the same shape) and returns its
 * [rows, cols, 48] output. Regions of up to `maxPositions` positions run in one pass; taller ones in bands of whole
 * block rows, each computed with `reach` extra rows above and below (the rows an output depends on), so every output
 * row sees exactly the inputs and the zero padding it would see in one pass.
 */
export async function runInBands(
  inputs: Float32Array[],
  rows: number,
  cols: number,
  reach: number,
  net: (x: tf.Tensor4D[]) => tf.Tensor4D,
  maxPositions = BAND_POSITIONS,
): Promise<Float32Array> {
  const rowSize = cols * BLOCK_CHANNELS;
  const band = Math.max(1, Math.floor(maxPositions / cols) - 2 * reach);
  if (rows <= band + 2 * reach) return runRows(inputs, 0, rows, cols, net);
  const out = new Float32Array(rows * rowSize);
  for (let start = 0; start < rows; start += band) {
    const end = Math.min(rows, start + band);
    const from = Math.max(0, start - reach);
    const to = Math.min(rows, end + reach);
    const part = await runRows(inputs, from, to, cols, net);
    out.set(part.subarray((start - from) * rowSize, (end - from) * rowSize), start * rowSize);
  }
  return out;
}

async function runRows(inputs: Float32Array[], from: number, to: number, cols: number, net: (x: tf.Tensor4D[]) => tf.Tensor4D): Promise<Float32Array> {
  const rowSize = cols * BLOCK_CHANNELS;
  const shape: [number, number, number, number] = [1, to - from, cols, BLOCK_CHANNELS];
  const result = tf.tidy(() => net(inputs.map((x) => tf.tensor4d(x.subarray(from * rowSize, to * rowSize), shape))));
  const data = (await result.data()) as Float32Array;
  result.dispose();
  return data;
}
