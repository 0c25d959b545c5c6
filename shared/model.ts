/** The Prepare / Hiding / Reveal nets as pure tfjs-core functions over a weight map (shared by training and serving). */
import * as tf from '@tensorflow/tfjs-core';
import { BLOCK_CHANNELS, PIXEL_CENTRE } from './layout.js';
import { quantize8bit } from './quantize.js';

/** Architecture of one model; stored in the weights manifest. */
export interface ModelConfig {
  /** Kernel sizes of the parallel branches in every multi-scale layer (the reference uses 3, 4, 5). */
  kernels: number[];
  prepare: { layers: number; filters: number };
  hiding: { layers: number; filters: number };
  reveal: { layers: number; filters: number };
}

/** The default architecture: 16 filters per branch, all nets working on 4×4 pixel blocks. */
export const DEFAULT_CONFIG: ModelConfig = {
  kernels: [3, 4, 5],
  prepare: { layers: 2, filters: 16 },
  hiding: { layers: 3, filters: 16 },
  reveal: { layers: 3, filters: 16 },
};

/** Weights by name: `net/layer/kK/w|b`, `net/out/w|b`. */
export type WeightMap = Record<string, tf.Tensor>;

/** Name and shape of every weight tensor the config needs, in a stable order. */
export function weightSpecs(config: ModelConfig): Array<{ name: string; shape: number[] }> {
  const specs: Array<{ name: string; shape: number[] }> = [];
  const stack = (net: string, inChannels: number, layers: number, filters: number, outChannels: number | null) => {
    let cin = inChannels;
    for (let l = 0; l < layers; l++) {
      for (const k of config.kernels) {
        specs.push({ name: `${net}/${l}/k${k}/w`, shape: [k, k, cin, filters] });
        specs.push({ name: `${net}/${l}/k${k}/b`, shape: [filters] });
      }
      cin = filters * config.kernels.length;
    }
    if (outChannels !== null) {
      specs.push({ name: `${net}/out/w`, shape: [1, 1, cin, outChannels] });
      specs.push({ name: `${net}/out/b`, shape: [outChannels] });
    }
    return cin;
  };
  const prepared = stack('prepare', BLOCK_CHANNELS, config.prepare.layers, config.prepare.filters, null);
  stack('hiding', BLOCK_CHANNELS + prepared, config.hiding.layers, config.hiding.filters, BLOCK_CHANNELS);
  stack('reveal', BLOCK_CHANNELS, config.reveal.layers, config.reveal.filters, BLOCK_CHANNELS);
  return specs;
}

/**
 * Fresh weights: He-normal branch kernels, zero biases, and near-zero output layers so the untrained
 * container starts as the cover. Deterministic for a given seed.
 */
export function initWeights(config: ModelConfig, seed: number): WeightMap {
  const weights: WeightMap = {};
  weightSpecs(config).forEach(({ name, shape }, i) => {
    if (name.endsWith('/b')) {
      weights[name] = tf.zeros(shape);
      return;
    }
    const fanIn = shape[0]! * shape[1]! * shape[2]!;
    const std = name.includes('/out/') ? 1e-3 : Math.sqrt(2 / fanIn);
    weights[name] = tf.randomNormal(shape, 0, std, 'float32', seed * 1000 + i);
  });
  return weights;
}

/**
 * Explicit padding for a `same` convolution with kernel k: the extra row/column of an even kernel goes
 * after (bottom/right), fixed here so tfjs, onnx and any other runtime agree.
 */
function samePadding(k: number): [[number, number], [number, number], [number, number], [number, number]] {
  const before = Math.floor((k - 1) / 2);
  const after = k - 1 - before;
  return [[0, 0], [before, after], [before, after], [0, 0]];
}

function multiScaleLayer(w: WeightMap, prefix: string, kernels: number[], x: tf.Tensor4D): tf.Tensor4D {
  const branches = kernels.map((k) => {
    const conv = tf.conv2d(x, w[`${prefix}/k${k}/w`] as tf.Tensor4D, 1, samePadding(k));
    return tf.relu(tf.add(conv, w[`${prefix}/k${k}/b`]!)) as tf.Tensor4D;
  });
  return tf.concat(branches, 3);
}

function stack(w: WeightMap, net: string, layers: number, kernels: number[], x: tf.Tensor4D): tf.Tensor4D {
  let h = x;
  for (let l = 0; l < layers; l++) h = multiScaleLayer(w, `${net}/${l}`, kernels, h);
  return h;
}

function outLayer(w: WeightMap, net: string, x: tf.Tensor4D): tf.Tensor4D {
  return tf.add(tf.conv2d(x, w[`${net}/out/w`] as tf.Tensor4D, 1, 'valid'), w[`${net}/out/b`]!) as tf.Tensor4D;
}

/**
 * Prepare net. In: audio blocks [N, h, w, 48], samples in [-1, 1]. Out: features [N, h, w, 3·filters], ≥ 0.
 */
export function prepare(w: WeightMap, config: ModelConfig, audio: tf.Tensor4D): tf.Tensor4D {
  return stack(w, 'prepare', config.prepare.layers, config.kernels, audio);
}

/**
 * Hiding net. In: cover blocks [N, h, w, 48] in [0, 1] and prepared features. Out: the float container
 * [N, h, w, 48] = cover + learned residual (not yet clipped or rounded).
 */
export function hide(w: WeightMap, config: ModelConfig, cover: tf.Tensor4D, prepared: tf.Tensor4D): tf.Tensor4D {
  const centred = tf.sub(cover, PIXEL_CENTRE) as tf.Tensor4D;
  const h = stack(w, 'hiding', config.hiding.layers, config.kernels, tf.concat([centred, prepared], 3));
  return tf.add(cover, outLayer(w, 'hiding', h)) as tf.Tensor4D;
}

/** Reveal net. In: container blocks [N, h, w, 48] in [0, 1]. Out: audio blocks [N, h, w, 48], ≈ [-1, 1]. */
export function reveal(w: WeightMap, config: ModelConfig, container: tf.Tensor4D): tf.Tensor4D {
  const centred = tf.sub(container, PIXEL_CENTRE) as tf.Tensor4D;
  return outLayer(w, 'reveal', stack(w, 'reveal', config.reveal.layers, config.kernels, centred));
}

/**
 * Prepare + Hiding, then the 8-bit rounding the server applies (clip to [0, 1], round(x·255)/255) with a
 * straight-through gradient. Out: container blocks [N, h, w, 48], multiples of 1/255 in [0, 1].
 */
export function embed(w: WeightMap, config: ModelConfig, cover: tf.Tensor4D, audio: tf.Tensor4D): tf.Tensor4D {
  return quantize8bit(hide(w, config, cover, prepare(w, config, audio)));
}

/** Multiply-accumulates per BLOCK×BLOCK position for embed and reveal (for FLOP figures). */
export function macsPerPosition(config: ModelConfig): { embed: number; reveal: number } {
  let embedMacs = 0;
  let revealMacs = 0;
  for (const { name, shape } of weightSpecs(config)) {
    if (!name.endsWith('/w')) continue;
    const macs = shape.reduce((a, b) => a * b, 1);
    if (name.startsWith('reveal/')) revealMacs += macs;
    else embedMacs += macs;
  }
  return { embed: embedMacs, reveal: revealMacs };
}
