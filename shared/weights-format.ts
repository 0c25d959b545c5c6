/** The versioned weights format (manifest JSON + one binary): serialisation and the one validating loader. */
import * as tf from '@tensorflow/tfjs-core';
import { StegError } from './errors.js';
import { fromHalf, toHalf } from './float16.js';
import { LAYOUT_VERSION, SAMPLE_RATE } from './layout.js';
import { type ModelConfig, type WeightMap, weightSpecs } from './model.js';

/** Version of this file format; a loader refuses any other. */
export const WEIGHTS_FORMAT_VERSION = 1;
/** Magic string in every manifest. */
export const WEIGHTS_FORMAT = 'stegavox-weights';
/** File names inside a weights folder (and R2 key suffixes). */
export const MANIFEST_FILE = 'manifest.json';
export const BINARY_FILE = 'model.bin';

export type WeightsDtype = 'float16' | 'float32';

/** One tensor inside the binary: elements from `offset` (in elements, not bytes). */
export interface TensorEntry {
  name: string;
  shape: number[];
  offset: number;
}

/** The manifest stored beside the binary. */
export interface WeightsManifest {
  format: typeof WEIGHTS_FORMAT;
  formatVersion: number;
  /** Human-readable model version, e.g. `svx-2026-11-25-fast`; served as X-Stego-Model. */
  version: string;
  layoutVersion: number;
  sampleRate: number;
  config: ModelConfig;
  dtype: WeightsDtype;
  tensors: TensorEntry[];
  /** Size and sha256 (hex) of the binary. */
  byteLength: number;
  sha256: string;
  /** How the weights were made (steps, wall time, data, loss curve...). Free-form. */
  training?: Record<string, unknown>;
  /** Evaluation figures of these weights. Free-form. */
  eval?: Record<string, unknown>;
}

/** Weights loaded onto the active tfjs backend, ready for the nets. */
export interface LoadedModel {
  manifest: WeightsManifest;
  config: ModelConfig;
  weights: WeightMap;
  version: string;
  sha256: string;
}

/** Lower-case hex sha256 of bytes (WebCrypto: same in Node and workerd). */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Packs named float32 arrays into a manifest + binary. Tensor order and shapes follow the config's
 * {@link weightSpecs}; a missing or mis-shaped tensor throws.
 */
export async function serializeWeights(
  values: Record<string, Float32Array>,
  config: ModelConfig,
  meta: { version: string; dtype: WeightsDtype; training?: Record<string, unknown>; eval?: Record<string, unknown> },
): Promise<{ manifest: WeightsManifest; bin: Uint8Array }> {
  const specs = weightSpecs(config);
  const total = specs.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1), 0);
  const bytesPer = meta.dtype === 'float16' ? 2 : 4;
  const bin = new Uint8Array(total * bytesPer);
  const view = new DataView(bin.buffer);
  const tensors: TensorEntry[] = [];
  let offset = 0;
  for (const { name, shape } of specs) {
    const size = shape.reduce((a, b) => a * b, 1);
    const data = values[name];
    if (!data || data.length !== size) throw new Error(`weights: tensor ${name} missing or not of shape [${shape}]`);
    for (let i = 0; i < size; i++) {
      if (meta.dtype === 'float16') view.setUint16((offset + i) * 2, toHalf(data[i]!), true);
      else view.setFloat32((offset + i) * 4, data[i]!, true);
    }
    tensors.push({ name, shape, offset });
    offset += size;
  }
  const manifest: WeightsManifest = {
    format: WEIGHTS_FORMAT,
    formatVersion: WEIGHTS_FORMAT_VERSION,
    version: meta.version,
    layoutVersion: LAYOUT_VERSION,
    sampleRate: SAMPLE_RATE,
    config,
    dtype: meta.dtype,
    tensors,
    byteLength: bin.length,
    sha256: await sha256Hex(bin),
    ...(meta.training ? { training: meta.training } : {}),
    ...(meta.eval ? { eval: meta.eval } : {}),
  };
  return { manifest, bin };
}

function refuse(detail: string): never {
  throw new StegError('bad_weights', detail);
}

/** Checks a parsed manifest's structure and versions; returns it typed. Throws StegError('bad_weights'). */
export function validateManifest(json: unknown): WeightsManifest {
  if (typeof json !== 'object' || json === null) refuse('manifest is not a JSON object');
  const m = json as Partial<WeightsManifest>;
  if (m.format !== WEIGHTS_FORMAT) refuse(`manifest format is not "${WEIGHTS_FORMAT}"`);
  if (m.formatVersion !== WEIGHTS_FORMAT_VERSION)
    refuse(`weights format version ${String(m.formatVersion)} is not supported (this build reads ${WEIGHTS_FORMAT_VERSION})`);
  if (m.layoutVersion !== LAYOUT_VERSION)
    refuse(`audio layout version ${String(m.layoutVersion)} does not match this build's ${LAYOUT_VERSION}`);
  if (m.sampleRate !== SAMPLE_RATE) refuse(`sample rate ${String(m.sampleRate)} is not ${SAMPLE_RATE}`);
  if (m.dtype !== 'float16' && m.dtype !== 'float32') refuse(`dtype ${String(m.dtype)} is not float16 or float32`);
  if (typeof m.version !== 'string' || !/^[\w.-]{1,64}$/.test(m.version)) refuse('manifest version is missing or invalid');
  if (typeof m.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(m.sha256)) refuse('manifest sha256 is missing or invalid');
  if (!Array.isArray(m.tensors) || typeof m.byteLength !== 'number') refuse('manifest tensors or byteLength missing');
  const c = m.config as ModelConfig | undefined;
  const positive = (n: unknown) => Number.isInteger(n) && (n as number) > 0 && (n as number) <= 512;
  if (
    !c ||
    !Array.isArray(c.kernels) ||
    c.kernels.length === 0 ||
    !c.kernels.every((k) => positive(k) && k <= 9) ||
    ![c.prepare, c.hiding, c.reveal].every((n) => n && positive(n.layers) && n.layers <= 16 && positive(n.filters))
  )
    refuse('manifest config is invalid');
  const specs = weightSpecs(c);
  if (specs.length !== m.tensors.length) refuse('manifest tensor list does not match its config');
  let expectedOffset = 0;
  specs.forEach((spec, i) => {
    // Entries come from untrusted JSON: null or a non-object must be refused, not dereferenced.
    const t = m.tensors![i] as TensorEntry | null | undefined;
    if (typeof t !== 'object' || t === null || t.name !== spec.name || JSON.stringify(t.shape) !== JSON.stringify(spec.shape) || t.offset !== expectedOffset)
      refuse(`manifest tensor ${i} (${String(t?.name)}) does not match the config (expected ${spec.name} [${spec.shape}])`);
    expectedOffset += spec.shape.reduce((a, b) => a * b, 1);
  });
  if (m.byteLength !== expectedOffset * (m.dtype === 'float16' ? 2 : 4)) refuse('manifest byteLength does not match its tensors');
  return m as WeightsManifest;
}

/** Decodes the binary into float32 arrays by tensor name, after checking size and sha256. */
export async function decodeWeights(manifest: WeightsManifest, bin: Uint8Array): Promise<Record<string, Float32Array>> {
  if (bin.length !== manifest.byteLength)
    refuse(`weights binary is ${bin.length} bytes, manifest says ${manifest.byteLength}`);
  const digest = await sha256Hex(bin);
  if (digest !== manifest.sha256) refuse(`weights binary sha256 ${digest} does not match the manifest's ${manifest.sha256}`);
  const view = new DataView(bin.buffer, bin.byteOffset, bin.byteLength);
  const out: Record<string, Float32Array> = {};
  for (const { name, shape, offset } of manifest.tensors) {
    const size = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(size);
    for (let i = 0; i < size; i++)
      data[i] = manifest.dtype === 'float16' ? fromHalf(view.getUint16((offset + i) * 2, true)) : view.getFloat32((offset + i) * 4, true);
    out[name] = data;
  }
  return out;
}

/**
 * The one loader (Node and worker): validates the manifest (format, versions, config, tensor list), the binary's
 * size and sha256, then creates the weight tensors on the active tfjs backend. Throws StegError('bad_weights').
 */
export async function loadWeights(manifestJson: unknown, bin: Uint8Array): Promise<LoadedModel> {
  const manifest = validateManifest(manifestJson);
  const values = await decodeWeights(manifest, bin);
  const weights: WeightMap = {};
  for (const { name, shape } of manifest.tensors) weights[name] = tf.tensor(values[name]!, shape, 'float32');
  return { manifest, config: manifest.config, weights, version: manifest.version, sha256: manifest.sha256 };
}

/** Frees a loaded model's tensors. */
export function disposeModel(model: LoadedModel): void {
  for (const t of Object.values(model.weights)) t.dispose();
}
