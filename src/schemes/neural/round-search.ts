/** Rounding search for `quality=high`: each carrying value of the container rounds up or down, whichever Reveal prefers. */
import * as tf from '@tensorflow/tfjs-core';
import { selectInPlace } from '../../audio/normalise.js';
import { runInTiles } from './banded.js';
import { BLOCK_CHANNELS, toByte } from '../../container/layout.js';
import { receptiveReach, reveal } from './model.js';
import { registerRevealGradients } from './reveal-gradients.js';
import { registerWasmGradKernels } from './wasm-grad-kernels.js';
import type { LoadedModel } from './weights-format.js';

/** Search steps: each one flips the most helpful share of rounding directions (measured: +0.7 dB, then +0.3, then +0.07). */
export const ROUND_SEARCH_STEPS = 2;
/**
 * Share of the carrying values flipped per step, the ones the reveal-error gradient says help most. The gradient is a
 * first-order guide: 5 % per step gains most; 15 % gains less and 30 % makes things worse (six Kodak photos).
 */
export const ROUND_SEARCH_SHARE = 0.05;

/**
 * Block positions one gradient pass takes at most (tile interior plus context). Reveal's gradient holds about
 * 12 KiB of tensors per position, so a tile peaks near 40 MiB, which keeps a Worker's isolate well under 128 MB
 * whatever the region (a 512×512 full-density region in one pass would need about 180 MiB).
 */
export const ROUND_SEARCH_TILE_POSITIONS = 64 * 64;

/**
 * Registers what Reveal's gradient needs, once, at the first search rather than at start-up, so standard requests
 * never pay for it: registered while the worker initialised tfjs, the first embed of a cold isolate measured 384 and
 * 396 ms against 304 and 316 without (`npm run bench -- --only cold`, medians of 3 restarts; lazily: 292–392 ms over
 * five runs, this machine's noise).
 */
function ensureGradients(): void {
  if (gradientsReady) return;
  if (tf.getBackend() === 'wasm') registerWasmGradKernels();
  registerRevealGradients();
  gradientsReady = true;
}
let gradientsReady = false;

/**
 * Rounds a float container (block layout, `rows`×`cols` positions of 48 values in [0, 1]) to 8-bit levels. Where
 * `mask` (one value per position) is 1, each value takes the level below or above its float value, whichever brings
 * Reveal's output closer to `target` (the payload in block layout); elsewhere it is rounded plainly. Starts from plain
 * rounding; each step takes the gradient of the masked reveal error with respect to the container and flips the
 * {@link ROUND_SEARCH_SHARE} of values whose flip it predicts to help most. The gradient runs in tiles with twice
 * Reveal's reach of context (an output's gradient reaches back one reach, the output one more), so it is exact and
 * memory stays bounded by `maxPositions` per tile (see banded.ts). Registers the gradients it needs on first use.
 * Returns levels / 255.
 */
export async function searchRounding(
  model: LoadedModel,
  container: Float32Array,
  mask: Float32Array,
  target: Float32Array,
  rows: number,
  cols: number,
  maxPositions = ROUND_SEARCH_TILE_POSITIONS,
): Promise<Float32Array> {
  ensureGradients();
  const n = container.length;
  const levels = new Float32Array(n);
  const other = new Float32Array(n);
  const mask48 = new Float32Array(n);
  let carrying = 0;
  for (let i = 0; i < n; i++) {
    const plain = toByte(container[i]!);
    levels[i] = plain / 255;
    if (mask[Math.floor(i / BLOCK_CHANNELS)] === 1) {
      const below = Math.floor(Math.min(255, Math.max(0, container[i]! * 255)));
      other[i] = (plain === below ? Math.min(255, below + 1) : below) / 255;
      mask48[i] = 1;
      carrying++;
    } else other[i] = levels[i]!; // no other choice: never flipped
  }
  const flips = Math.max(1, Math.floor(ROUND_SEARCH_SHARE * carrying));
  const error = (t: tf.Tensor4D, m: tf.Tensor4D) => (x: tf.Tensor) =>
    tf.sum(tf.mul(tf.squaredDifference(reveal(model.weights, model.config, x as tf.Tensor4D), t), m));
  for (let step = 0; step < ROUND_SEARCH_STEPS; step++) {
    // Predicted change of the reveal error if each value took its other level; negative helps.
    const change = await runInTiles(
      [levels, other, target, mask48],
      rows,
      cols,
      2 * receptiveReach(model.config, 'reveal'),
      ([q, o, t, m]) => tf.mul(tf.grad(error(t!, m!))(q!), tf.sub(o!, q!)) as tf.Tensor4D,
      maxPositions,
    );
    const helpful = change.filter((c) => c < 0);
    const threshold = helpful.length <= flips ? 0 : selectInPlace(helpful, flips - 1);
    for (let i = 0; i < n; i++) {
      const c = change[i]!;
      if (c < 0 && c <= threshold) {
        const was = levels[i]!;
        levels[i] = other[i]!;
        other[i] = was;
      }
    }
  }
  return levels;
}
