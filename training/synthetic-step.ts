/** A seeded Adam step of the default model on fixed synthetic inputs: what bench:train times and the threads test compares. */
import * as tf from '@tensorflow/tfjs-core';
import { BLOCK, BLOCK_CHANNELS } from '../src/container/layout.js';
import { DEFAULT_CONFIG, embed, initWeights, reveal, weightSpecs } from '../src/schemes/neural/model.js';

/**
 * Builds the default model's weights as variables (seed 1) and a fixed batch of `batch` covers in [0, 1] and audio in
 * [−1, 1] at `crop`×`crop` pixels (seeds 2, 3). `step()` runs one Adam step (lr 1e-3) of embed with 8-bit rounding →
 * reveal, loss mse(cover, container) + mse(audio, revealed), and returns that loss. Same backend, same losses.
 * `dispose()` frees the variables, inputs and optimizer.
 */
export function syntheticTrainingStep(
  batch: number,
  crop: number,
  variablePrefix: string,
): { step: () => number; dispose: () => void } {
  const side = crop / BLOCK;
  const shape: [number, number, number, number] = [batch, side, side, BLOCK_CHANNELS];
  const init = initWeights(DEFAULT_CONFIG, 1);
  const weights: Record<string, tf.Variable> = {};
  for (const { name } of weightSpecs(DEFAULT_CONFIG)) {
    weights[name] = tf.variable(init[name]!, true, `${variablePrefix}/${name}`);
    init[name]!.dispose();
  }
  const cover = tf.randomUniform(shape, 0, 1, 'float32', 2) as tf.Tensor4D;
  const audio = tf.randomUniform(shape, -1, 1, 'float32', 3) as tf.Tensor4D;
  const optimizer = tf.train.adam(1e-3);
  const varList = Object.values(weights);
  const step = (): number => {
    const cost = optimizer.minimize(
      () => {
        const container = embed(weights, DEFAULT_CONFIG, cover, audio);
        const revealed = reveal(weights, DEFAULT_CONFIG, container);
        return tf.add(
          tf.losses.meanSquaredError(cover, container),
          tf.losses.meanSquaredError(audio, revealed),
        ) as tf.Scalar;
      },
      true,
      varList,
    )!;
    const value = cost.dataSync()[0]!;
    cost.dispose();
    return value;
  };
  const dispose = () => {
    optimizer.dispose();
    tf.dispose([cover, audio, ...varList]);
  };
  return { step, dispose };
}
