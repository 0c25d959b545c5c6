/** Runs a block-wise net over a tall region in horizontal bands that overlap by its reach, so peak memory stays bounded. */
import * as tf from '@tensorflow/tfjs-core';
import { BLOCK_CHANNELS } from '../../container/layout.js';

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

async function runRows(
  inputs: Float32Array[],
  from: number,
  to: number,
  cols: number,
  net: (x: tf.Tensor4D[]) => tf.Tensor4D,
): Promise<Float32Array> {
  const rowSize = cols * BLOCK_CHANNELS;
  const shape: [number, number, number, number] = [1, to - from, cols, BLOCK_CHANNELS];
  const result = tf.tidy(() => net(inputs.map((x) => tf.tensor4d(x.subarray(from * rowSize, to * rowSize), shape))));
  const data = (await result.data()) as Float32Array;
  result.dispose();
  return data;
}

/**
 * Like {@link runInBands}, in square-ish tiles instead of full-width bands: each tile of at most `maxPositions`
 * positions (interior plus `reach` of context on every side) gives its interior, so every output sees exactly the
 * inputs and zero padding of one pass. For nets whose memory per position is high (a gradient), where a full-width
 * band of a wide region would be mostly overlap.
 */
export async function runInTiles(
  inputs: Float32Array[],
  rows: number,
  cols: number,
  reach: number,
  net: (x: tf.Tensor4D[]) => tf.Tensor4D,
  maxPositions: number,
): Promise<Float32Array> {
  if (rows * cols <= maxPositions) return runRows(inputs, 0, rows, cols, net);
  const side = Math.max(1, Math.floor(Math.sqrt(maxPositions)) - 2 * reach);
  const out = new Float32Array(rows * cols * BLOCK_CHANNELS);
  for (let top = 0; top < rows; top += side)
    for (let left = 0; left < cols; left += side) {
      const [bottom, right] = [Math.min(rows, top + side), Math.min(cols, left + side)];
      const [r0, r1] = [Math.max(0, top - reach), Math.min(rows, bottom + reach)];
      const [c0, c1] = [Math.max(0, left - reach), Math.min(cols, right + reach)];
      const width = c1 - c0;
      const crop = (x: Float32Array) => {
        const part = new Float32Array((r1 - r0) * width * BLOCK_CHANNELS);
        for (let r = r0; r < r1; r++)
          part.set(
            x.subarray((r * cols + c0) * BLOCK_CHANNELS, (r * cols + c1) * BLOCK_CHANNELS),
            (r - r0) * width * BLOCK_CHANNELS,
          );
        return part;
      };
      const part = await runRows(inputs.map(crop), 0, r1 - r0, width, net);
      for (let r = top; r < bottom; r++) {
        const from = ((r - r0) * width + (left - c0)) * BLOCK_CHANNELS;
        out.set(part.subarray(from, from + (right - left) * BLOCK_CHANNELS), (r * cols + left) * BLOCK_CHANNELS);
      }
    }
  return out;
}
