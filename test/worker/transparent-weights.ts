/**
 * Test-only "transparent" weights: hand-set nets whose container is mid-grey plus half the audio (0.5 + 0.5·a) and
 * whose Reveal net inverts that exactly. The image is not hidden in at all, but every stage of the real pipeline
 * runs (layout, nets, quantisation, payload header, fingerprint check), so a round trip gives the clip back up to
 * 8-bit rounding whatever state the trained weights are in.
 */
import { BLOCK_CHANNELS } from '../../shared/layout.js';
import { type ModelConfig, weightSpecs } from '../../shared/model.js';
import { serializeWeights, type WeightsManifest } from '../../shared/weights-format.js';

/** Version string of the transparent weights (served as X-Stego-Model). */
export const TRANSPARENT_VERSION = 'test-transparent-1';

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

/**
 * Builds the transparent weights as a manifest + binary in the project's weights format (float16; every value is
 * 0, ±0.5, ±1 or ±2, exact in half precision).
 */
export async function transparentWeights(): Promise<{ manifest: WeightsManifest; bin: Uint8Array }> {
  const values: Record<string, Float32Array> = {};
  const shapes = new Map(weightSpecs(CONFIG).map((s) => [s.name, s.shape]));
  for (const [name, shape] of shapes) values[name] = new Float32Array(shape.reduce((a, b) => a * b, 1));

  /** Sets the centre tap (the one `same` padding aligns with the output position) of branch j's filter. */
  const centre = (net: string, j: number, input: number, cin: number, value: number) => {
    const k = KERNELS[Math.floor(j / FILTERS)]!;
    const f = j % FILTERS;
    const tap = Math.floor((k - 1) / 2);
    values[`${net}/0/k${k}/w`]![((tap * k + tap) * cin + input) * FILTERS + f] = value;
  };
  const out = (net: string) => {
    for (let j = 0; j < 2 * C; j++) values[`${net}/out/w`]![j * C + channel(j)] = sign(j);
  };

  for (let j = 0; j < 2 * C; j++) {
    const s = sign(j);
    const c = channel(j);
    // Prepare: P_j = relu(s · a_c) from the 48 audio channels.
    centre('prepare', j, c, C, s);
    // Hiding input is [cover − 0.5 (48), P (96)]; H_j = relu(s · (−(cover_c − 0.5) + 0.5 · a_c)), a_c = P_c − P_{c+48}.
    centre('hiding', j, c, 3 * C, -s);
    centre('hiding', j, C + c, 3 * C, 0.5 * s);
    centre('hiding', j, 2 * C + c, 3 * C, -0.5 * s);
    // Reveal input is container − 0.5 = 0.5 · a; R_j = relu(s · 2 · (container_c − 0.5)).
    centre('reveal', j, c, C, 2 * s);
  }
  // Out layers: v_c = H_c − H_{c+48}; container = cover + v = 0.5 + 0.5 · a, and reveal gives a back.
  out('hiding');
  out('reveal');
  return serializeWeights(values, CONFIG, { version: TRANSPARENT_VERSION, dtype: 'float16' });
}
