/**
 * Test-only "transparent" weights: hand-set nets whose container is mid-grey plus half the audio (0.5 + 0.5·a) and
 * whose Reveal net inverts that. The photo is not hidden in at all, but every stage of the real pipeline runs
 * (layout, nets, 8-bit rounding, payload header, fingerprint check), so a round trip gives the clip back up to
 * 8-bit rounding whatever state the trained weights are in.
 *
 * The nets may see the pixels through fixed linear per-block transforms (src/schemes/neural/model.ts: the Hiding and Reveal
 * inputs go through an analysis matrix, the Hiding output through its synthesis matrix). Those matrices are measured
 * here by probing the model's own `hide` and `reveal` functions, so these weights follow the model as it changes.
 * Build them on the active tfjs backend.
 */
import * as tf from '@tensorflow/tfjs-core';
import { BLOCK_CHANNELS } from '../../src/container/layout.js';
import { hide, type ModelConfig, reveal, type WeightMap, weightSpecs } from '../../src/schemes/neural/model.js';
import { serializeWeights, type WeightsManifest } from '../../src/schemes/neural/weights-format.js';

/** Version string of the transparent weights (served as X-Stego-Model). */
export const TRANSPARENT_VERSION = 'test-transparent-2';

const C = BLOCK_CHANNELS; // 48 values per 4×4 block
const KERNELS = [3, 4, 5];
/** Each layer holds every signed value as two ReLU channels, +v and −v: 2·48 = 96 = 3 branches × 32 filters. */
const FILTERS = (2 * C) / KERNELS.length;
const CONFIG: ModelConfig = {
  kernels: KERNELS,
  prepare: { layers: 1, filters: FILTERS },
  hiding: { layers: 1, filters: FILTERS },
  reveal: { layers: 1, filters: FILTERS },
};

/** Hidden channel j (0..95) carries relu(sign(j) · value[channel(j)]). */
const sign = (j: number) => (j < C ? 1 : -1);
const channel = (j: number) => j % C;

/** A 48×48 matrix, row-major, in the row-vector convention of a 1×1 convolution: y[col] = Σ x[row]·m[row][col]. */
type Matrix = Float64Array;

const SHAPES = new Map(weightSpecs(CONFIG).map(({ name, shape }) => [name, shape]));

function zeros(): Record<string, Float32Array> {
  const values: Record<string, Float32Array> = {};
  for (const [name, shape] of SHAPES) values[name] = new Float32Array(shape.reduce((a, b) => a * b, 1));
  return values;
}

/** Input channels of a net's first layer, from the model's own weight specs (the layout may grow skip inputs). */
function inputChannels(net: string): number {
  return SHAPES.get(`${net}/0/k${KERNELS[0]}/w`)![2]!;
}

/**
 * Sets the centre tap (the one `same` padding aligns with the output position) of hidden channel j, reading
 * `input` of the net's input. Hidden features come first in every layout (src/schemes/neural/model.ts), skips after them.
 */
function centre(values: Record<string, Float32Array>, net: string, j: number, input: number, value: number): void {
  const k = KERNELS[Math.floor(j / FILTERS)]!;
  const tap = Math.floor((k - 1) / 2);
  values[`${net}/0/k${k}/w`]![((tap * k + tap) * inputChannels(net) + input) * FILTERS + (j % FILTERS)] = value;
}

/** Out layer o_c = H_c − H_{c+48}: turns the ±ReLU pairs back into signed values. */
function pairsOut(values: Record<string, Float32Array>, net: string): void {
  for (let j = 0; j < 2 * C; j++) values[`${net}/out/w`]![j * C + channel(j)] = sign(j);
}

function toWeightMap(values: Record<string, Float32Array>): WeightMap {
  const map: WeightMap = {};
  for (const [name, shape] of SHAPES) map[name] = tf.tensor(values[name]!, shape, 'float32');
  return map;
}

/** Runs `probe` on weights built from `values` and returns its [48 positions × 48 channels] output as a matrix. */
async function measure(values: Record<string, Float32Array>, probe: (w: WeightMap) => tf.Tensor): Promise<Matrix> {
  const w = toWeightMap(values);
  try {
    const out = tf.tidy(() => probe(w));
    const data = await out.data();
    out.dispose();
    return Float64Array.from(data);
  } finally {
    Object.values(w).forEach((t) => t.dispose());
  }
}

/** One position per basis vector: [1, 1, 48, 48] with position i = offset + e_i. */
function basis(offset: number): tf.Tensor4D {
  const data = new Float32Array(C * C).fill(offset);
  for (let i = 0; i < C; i++) data[i * C + i] = offset + 1;
  return tf.tensor4d(data, [1, 1, C, C]);
}

/** Analysis matrix A of the Reveal input (coefficients = (container − 0.5)·A), via reveal with identity nets. */
function analysisProbe(): Record<string, Float32Array> {
  const values = zeros();
  for (let j = 0; j < 2 * C; j++) centre(values, 'reveal', j, channel(j), sign(j));
  pairsOut(values, 'reveal');
  return values;
}

/** Synthesis matrix B of the Hiding output (container = cover + o·B), via hide with o = the prepared features. */
function synthesisProbe(): Record<string, Float32Array> {
  const values = zeros();
  // Hiding input is [coefficients (48), prepared features (96), any skips]; pass the first 48 prepared channels to o.
  for (let j = 0; j < C; j++) centre(values, 'hiding', j, C + j, 1);
  for (let c = 0; c < C; c++) values['hiding/out/w']![c * C + c] = 1;
  return values;
}

function invert(m: Matrix): Matrix {
  const n = C;
  const a = Float64Array.from(m);
  const inv = new Float64Array(n * n);
  for (let i = 0; i < n; i++) inv[i * n + i] = 1;
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(a[r * n + col]!) > Math.abs(a[pivot * n + col]!)) pivot = r;
    const p = a[pivot * n + col]!;
    if (Math.abs(p) < 1e-9) throw new Error('transparent weights: the model transform is not invertible');
    for (const x of [a, inv])
      for (let k = 0; k < n; k++) {
        // Swap rows col and pivot, then scale row col; written in this order because pivot may equal col.
        const t = x[col * n + k]!;
        const u = x[pivot * n + k]!;
        x[pivot * n + k] = t;
        x[col * n + k] = u / p;
      }
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const f = a[r * n + col]!;
      if (f === 0) continue;
      for (const x of [a, inv]) for (let k = 0; k < n; k++) x[r * n + k] = x[r * n + k]! - f * x[col * n + k]!;
    }
  }
  return inv;
}

function multiply(x: Matrix, y: Matrix): Matrix {
  const out = new Float64Array(C * C);
  for (let i = 0; i < C; i++)
    for (let j = 0; j < C; j++) {
      let sum = 0;
      for (let k = 0; k < C; k++) sum += x[i * C + k]! * y[k * C + j]!;
      out[i * C + j] = sum;
    }
  return out;
}

/**
 * Builds the transparent weights as a manifest + binary in the project's weights format (float32, so the measured
 * transforms are kept at full precision).
 */
export async function transparentWeights(): Promise<{ manifest: WeightsManifest; bin: Uint8Array }> {
  const a = await measure(analysisProbe(), (w) => reveal(w, CONFIG, basis(0.5)));
  const b = await measure(synthesisProbe(), (w) => {
    const cover = tf.fill([1, 1, C, C], 0.5) as tf.Tensor4D;
    const prepared = tf.concat([basis(0), tf.zeros([1, 1, C, inputChannels('hiding') - 2 * C])], 3) as tf.Tensor4D;
    return tf.sub(hide(w, CONFIG, cover, prepared), cover);
  });
  const aInv = invert(a);
  const bInv = invert(b);
  // Hiding wants o·B = −(cover − 0.5) + 0.5·a with (cover − 0.5) = coefficients·A⁻¹:
  // o = coefficients·K1 + audio·K2, K1 = −A⁻¹·B⁻¹, K2 = 0.5·B⁻¹. Reveal: audio = 2·coefficients·A⁻¹.
  const k1 = multiply(aInv, bInv).map((v) => -v);
  const k2 = bInv.map((v) => 0.5 * v);

  const values = zeros();
  for (let j = 0; j < 2 * C; j++) {
    const s = sign(j);
    const c = channel(j);
    // Prepare: P_j = relu(s · audio_c), so audio_i = P_i − P_{i+48}.
    centre(values, 'prepare', j, c, s);
    for (let i = 0; i < C; i++) {
      // Hiding input [coefficients (48), P (96), skips]: H_j = relu(s · o_c).
      centre(values, 'hiding', j, i, s * k1[i * C + c]!);
      centre(values, 'hiding', j, C + i, s * k2[i * C + c]!);
      centre(values, 'hiding', j, 2 * C + i, -s * k2[i * C + c]!);
      centre(values, 'reveal', j, i, 2 * s * aInv[i * C + c]!);
    }
  }
  pairsOut(values, 'hiding');
  pairsOut(values, 'reveal');
  return serializeWeights(values, CONFIG, { version: TRANSPARENT_VERSION, dtype: 'float32' });
}
