/** The Prepare / Hiding / Reveal nets as pure tfjs-core functions over a weight map (shared by training and serving). */
import * as tf from '@tensorflow/tfjs-core';
import { BLOCK, BLOCK_CHANNELS, PIXEL_CENTRE } from '../../container/layout.js';
import { simulateQuantize, type QuantizeMode } from './quantize.js';

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

/** Initial spread of the Hiding output layer: large enough that the first containers already carry audio. */
export const HIDING_OUT_STD = 1e-3;

/**
 * The cover Hiding works from is kept this far inside [0, 1] (3 of 255 levels): near-white skies and black shadows
 * otherwise clip the residual away at 8-bit rounding. On kodak24 at 90 % it costs 0.12 dB PSNR for 0.6 dB SI-SNR
 * (docs/schemes/neural.md).
 */
export const COVER_HEADROOM = 3 / 255;

/** Gain on the AC coefficients of the block transform fed to the nets (the DC coefficient keeps gain 1). */
export const AC_GAIN = 8;

/**
 * Fixed 48×48 analysis matrix: per colour, the orthonormal 2-D DCT-II of a 4×4 block, AC rows scaled by
 * {@link AC_GAIN}. Natural images put almost all block energy in the DC term, so without this the nets see 48
 * nearly equal inputs and cannot find the small residual that carries the audio.
 */
export function blockTransformMatrix(): Float32Array {
  const m = new Float32Array(BLOCK_CHANNELS * BLOCK_CHANNELS);
  const c = (k: number, n: number) =>
    (k === 0 ? Math.sqrt(1 / BLOCK) : Math.sqrt(2 / BLOCK)) * Math.cos(((2 * n + 1) * k * Math.PI) / (2 * BLOCK));
  for (let colour = 0; colour < 3; colour++)
    for (let ky = 0; ky < BLOCK; ky++)
      for (let kx = 0; kx < BLOCK; kx++) {
        const gain = ky === 0 && kx === 0 ? 1 : AC_GAIN;
        const col = (ky * BLOCK + kx) * 3 + colour; // output channel (coefficient)
        for (let y = 0; y < BLOCK; y++)
          for (let x = 0; x < BLOCK; x++) {
            const row = (y * BLOCK + x) * 3 + colour; // input channel (pixel)
            m[row * BLOCK_CHANNELS + col] = gain * c(ky, y) * c(kx, x);
          }
      }
  return m;
}

/** Pixels → scaled DCT coefficients ([N,h,w,48] → [N,h,w,48]) as a fixed 1×1 convolution. */
export function toCoefficients(x: tf.Tensor4D): tf.Tensor4D {
  return tf.conv2d(x, tf.tensor4d(blockTransformMatrix(), [1, 1, BLOCK_CHANNELS, BLOCK_CHANNELS]), 1, 'valid');
}

/** Inverse of {@link blockTransformMatrix} (48×48, row-major): scaled DCT coefficients → pixels of a block. */
export function inverseBlockTransformMatrix(): Float32Array {
  const m = blockTransformMatrix();
  const inv = new Float32Array(m.length);
  // m = D·G with D orthonormal and G diagonal, so m⁻¹ = G⁻¹·Dᵀ: transpose, then divide each row by its gain squared.
  for (let r = 0; r < BLOCK_CHANNELS; r++)
    for (let c = 0; c < BLOCK_CHANNELS; c++) {
      const gain = Math.floor(r / 3) === 0 ? 1 : AC_GAIN;
      inv[r * BLOCK_CHANNELS + c] = m[c * BLOCK_CHANNELS + r]! / (gain * gain);
    }
  return inv;
}

/** Scaled DCT coefficients → pixels: the inverse of {@link toCoefficients} (orthonormal transform, gains undone). */
function fromCoefficients(x: tf.Tensor4D): tf.Tensor4D {
  return tf.conv2d(x, tf.tensor4d(inverseBlockTransformMatrix(), [1, 1, BLOCK_CHANNELS, BLOCK_CHANNELS]), 1, 'valid');
}

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
    // Every stack's output keeps its input beside the features (a dense skip), so a linear path runs from the
    // audio to the container and from the container to the revealed audio: training starts from a working linear
    // code instead of having to discover one through ten ReLU layers.
    cin += inChannels;
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
    const std = name.startsWith('hiding/out') ? HIDING_OUT_STD : Math.sqrt(2 / fanIn);
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
  return [
    [0, 0],
    [before, after],
    [before, after],
    [0, 0],
  ];
}

/** One multi-scale layer `prefix` (e.g. `hiding/1`): ReLU(conv k×k + b) per kernel size, concatenated (k3 first). */
export function multiScaleLayer(w: WeightMap, prefix: string, kernels: number[], x: tf.Tensor4D): tf.Tensor4D {
  const branches = kernels.map((k) => {
    const conv = tf.conv2d(x, w[`${prefix}/k${k}/w`] as tf.Tensor4D, 1, samePadding(k));
    return tf.relu(tf.add(conv, w[`${prefix}/k${k}/b`]!)) as tf.Tensor4D;
  });
  return tf.concat(branches, 3);
}

/**
 * `layers` multi-scale layers; the output is [features, input] concatenated (see weightSpecs). Each layer runs in its
 * own tidy and the previous layer's output is freed as soon as it is read, so a forward pass holds about one layer's
 * activations instead of all of them (512×512 embed: 124 → 40 MiB peak): the difference between fitting a Worker's
 * 128 MB and not. Gradients are unaffected: the tape keeps its own copies of what backprop needs.
 */
function stack(w: WeightMap, net: string, layers: number, kernels: number[], x: tf.Tensor4D): tf.Tensor4D {
  let h = x;
  for (let l = 0; l < layers; l++) {
    const input = h;
    h = tf.tidy(() => multiScaleLayer(w, `${net}/${l}`, kernels, input));
    if (input !== x) input.dispose();
  }
  const out = tf.concat([h, x], 3);
  if (h !== x) h.dispose();
  return out;
}

function outLayer(w: WeightMap, net: string, x: tf.Tensor4D): tf.Tensor4D {
  return tf.add(tf.conv2d(x, w[`${net}/out/w`] as tf.Tensor4D, 1, 'valid'), w[`${net}/out/b`]!) as tf.Tensor4D;
}

/**
 * Prepare net. In: audio blocks [N, h, w, 48], samples in [-1, 1]. Out: features [N, h, w, 3·filters + 48]
 * (the ReLU features, then the audio itself).
 */
export function prepare(w: WeightMap, config: ModelConfig, audio: tf.Tensor4D): tf.Tensor4D {
  return stack(w, 'prepare', config.prepare.layers, config.kernels, audio);
}

/** The cover Hiding works from: `cover` kept `headroom` (default {@link COVER_HEADROOM}) inside [0, 1]. */
export function coverForHiding(cover: tf.Tensor4D, headroom = COVER_HEADROOM): tf.Tensor4D {
  return tf.clipByValue(cover, headroom, 1 - headroom) as tf.Tensor4D;
}

/**
 * Hiding net. In: cover blocks [N, h, w, 48] in [0, 1] and prepared features. Out: the float container
 * [N, h, w, 48] = the cover kept `headroom` inside [0, 1] + learned residual (not yet clipped or rounded).
 */
export function hide(
  w: WeightMap,
  config: ModelConfig,
  cover: tf.Tensor4D,
  prepared: tf.Tensor4D,
  headroom = COVER_HEADROOM,
): tf.Tensor4D {
  const base = coverForHiding(cover, headroom);
  const input = tf.tidy(() => tf.concat([toCoefficients(tf.sub(base, PIXEL_CENTRE) as tf.Tensor4D), prepared], 3));
  const h = stack(w, 'hiding', config.hiding.layers, config.kernels, input);
  input.dispose();
  const residual = tf.tidy(() => fromCoefficients(outLayer(w, 'hiding', h)));
  h.dispose();
  const container = tf.add(base, residual) as tf.Tensor4D;
  tf.dispose([base, residual]);
  return container;
}

/** Reveal net. In: container blocks [N, h, w, 48] in [0, 1]. Out: audio blocks [N, h, w, 48], ≈ [-1, 1]. */
export function reveal(w: WeightMap, config: ModelConfig, container: tf.Tensor4D): tf.Tensor4D {
  const coefficients = tf.tidy(() => toCoefficients(tf.sub(container, PIXEL_CENTRE) as tf.Tensor4D));
  const h = stack(w, 'reveal', config.reveal.layers, config.kernels, coefficients);
  coefficients.dispose();
  const audio = outLayer(w, 'reveal', h);
  h.dispose();
  return audio;
}

/**
 * Prepare + Hiding, then the 8-bit rounding the server applies (clip to [0, 1], round(x·255)/255) with a
 * straight-through gradient. Out: container blocks [N, h, w, 48], multiples of 1/255 in [0, 1]. Training may
 * pass `quantize: 'noise'` early on (see {@link QuantizeMode}); serving may give Hiding more `headroom` (see
 * {@link coverForHiding}).
 */
export function embed(
  w: WeightMap,
  config: ModelConfig,
  cover: tf.Tensor4D,
  audio: tf.Tensor4D,
  quantize: QuantizeMode = 'round',
  noiseSeed?: number,
  headroom = COVER_HEADROOM,
): tf.Tensor4D {
  const prepared = prepare(w, config, audio);
  const container = hide(w, config, cover, prepared, headroom);
  prepared.dispose();
  const out = simulateQuantize(container, quantize, noiseSeed);
  if (out !== container) container.dispose();
  return out;
}

/**
 * Block rows of context an output position depends on, above and below: each layer reaches ⌈(k−1)/2⌉ positions for
 * its largest kernel (even kernels pad the extra one after). Embed stacks Prepare and Hiding; the DCT and output
 * layers are 1×1.
 */
export function receptiveReach(config: ModelConfig, net: 'embed' | 'reveal'): number {
  const perLayer = Math.max(...config.kernels.map((k) => Math.ceil((k - 1) / 2)));
  return perLayer * (net === 'embed' ? config.prepare.layers + config.hiding.layers : config.reveal.layers);
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
