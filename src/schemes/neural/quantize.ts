/** The 8-bit rounding noise layer: what saving a PNG does to the container, and its smooth stand-in for early training. */
import * as tf from '@tensorflow/tfjs-core';

/**
 * How training treats the 8-bit rounding: `round` applies it exactly with a straight-through gradient;
 * `noise` adds uniform noise of one rounding step instead (same error size, but the nets can still see through it,
 * which lets hiding and reveal find each other from a random start); `none` skips it.
 */
export type QuantizeMode = 'round' | 'noise' | 'none';

/**
 * Clip to [0, 1] and round to the nearest multiple of 1/255, exactly as the server does when it writes the PNG.
 * The gradient passes straight through the rounding and the clip, so the nets learn to survive it.
 */
export const quantize8bit: <T extends tf.Tensor>(x: T) => T = tf.customGrad(
  (...inputs: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const x = inputs[0] as tf.Tensor;
    const value = tf.div(tf.round(tf.mul(tf.clipByValue(x, 0, 1), 255)), 255);
    return { value, gradFunc: (dy: tf.Tensor) => dy };
  },
) as never;

/**
 * Training stand-in for {@link quantize8bit}: adds U(−0.5, 0.5)/255 noise (gradient 1). With a `seed` the noise is
 * reproducible, so two training runs with the same options take the same steps.
 */
export function noise8bit<T extends tf.Tensor>(x: T, seed?: number): T {
  return tf.add(x, tf.randomUniform(x.shape, -0.5 / 255, 0.5 / 255, 'float32', seed)) as T;
}

/** Applies the chosen {@link QuantizeMode}; `noiseSeed` seeds the `noise` mode. */
export function simulateQuantize<T extends tf.Tensor>(x: T, mode: QuantizeMode, noiseSeed?: number): T {
  return mode === 'round' ? quantize8bit(x) : mode === 'noise' ? noise8bit(x, noiseSeed) : x;
}
