/** The 8-bit rounding noise layer: what saving a PNG does to the container, with a straight-through gradient. */
import * as tf from '@tensorflow/tfjs-core';

/**
 * Clip to [0, 1] and round to the nearest multiple of 1/255, exactly as {@link toByte} does when the server
 * writes the PNG. The gradient passes straight through the rounding (and the clip), so the nets learn to
 * survive it.
 */
export const quantize8bit = tf.customGrad((x: tf.Tensor) => {
  const value = tf.div(tf.round(tf.mul(tf.clipByValue(x, 0, 1), 255)), 255);
  return { value, gradFunc: (dy: tf.Tensor) => dy };
}) as <T extends tf.Tensor>(x: T) => T;
