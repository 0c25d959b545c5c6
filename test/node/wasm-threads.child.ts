/** Child process of wasm-threads.test.ts: starts wasm with `argv[2]` threads, runs one Adam step, prints JSON. */
import * as tf from '@tensorflow/tfjs-core';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { BLOCK, BLOCK_CHANNELS } from '../../shared/layout.js';
import { DEFAULT_CONFIG, embed, initWeights, reveal, weightSpecs } from '../../shared/model.js';
import { initBackend } from '../../training/backend/select.js';

const threads = Number(process.argv[2]);
const backend = await initBackend('wasm', { threads });
const side = 32 / BLOCK;
const shape: [number, number, number, number] = [2, side, side, BLOCK_CHANNELS];
const init = initWeights(DEFAULT_CONFIG, 1);
const weights: Record<string, tf.Variable> = {};
for (const { name } of weightSpecs(DEFAULT_CONFIG)) weights[name] = tf.variable(init[name]!, true, `t/${name}`);
const cover = tf.randomUniform(shape, 0, 1, 'float32', 2) as tf.Tensor4D;
const audio = tf.randomUniform(shape, -1, 1, 'float32', 3) as tf.Tensor4D;
const optimizer = tf.train.adam(1e-3);
const losses: number[] = [];
// Two steps: the second one's loss depends on the gradients of the first.
for (let i = 0; i < 2; i++) {
  const cost = optimizer.minimize(
    () => {
      const container = embed(weights, DEFAULT_CONFIG, cover, audio);
      const revealed = reveal(weights, DEFAULT_CONFIG, container);
      return tf.add(tf.losses.meanSquaredError(cover, container), tf.losses.meanSquaredError(audio, revealed)) as tf.Scalar;
    },
    true,
    Object.values(weights),
  )!;
  losses.push(cost.dataSync()[0]!);
  cost.dispose();
}
console.log(JSON.stringify({ backend, threads: getThreadsCount(), losses }));
