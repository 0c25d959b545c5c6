/** The training objective: MSE(cover, container) + β·MSE(audio, revealed), through the 8-bit rounding. */
import * as tf from '@tensorflow/tfjs-core';
import { embed, reveal, type ModelConfig, type WeightMap } from '../src/schemes/neural/model.js';
import type { QuantizeMode } from '../src/schemes/neural/quantize.js';

/** Loss parts of one batch (scalars, caller disposes). */
export interface LossParts {
  total: tf.Scalar;
  coverMse: tf.Scalar;
  audioMse: tf.Scalar;
}

/**
 * Forward pass of Prepare → Hiding → 8-bit rounding → Reveal on a batch of block tensors.
 * cover: [N, h, w, 48] in [0, 1]; audio: [N, h, w, 48] in [-1, 1]. MSEs are on those scales.
 */
export function lossParts(
  w: WeightMap,
  config: ModelConfig,
  cover: tf.Tensor4D,
  audio: tf.Tensor4D,
  beta: number,
  quantize: QuantizeMode = 'round',
  noiseSeed?: number,
): LossParts {
  const container = embed(w, config, cover, audio, quantize, noiseSeed);
  const revealed = reveal(w, config, container);
  const coverMse = tf.mean(tf.squaredDifference(container, cover)) as tf.Scalar;
  const audioMse = tf.mean(tf.squaredDifference(revealed, audio)) as tf.Scalar;
  return { total: tf.add(coverMse, tf.mul(audioMse, beta)) as tf.Scalar, coverMse, audioMse };
}

/** PSNR in dB of a [0, 1]-scale MSE. */
export function psnrOf(mse: number): number {
  return 10 * Math.log10(1 / Math.max(mse, 1e-12));
}
