/** The versioned weights format (manifest JSON + one binary): serialisation and the one validating loader. */
import * as tf from '@tensorflow/tfjs-core';
import { StegError } from '../../util/errors.js';
import { halfToFloat32Bits, toHalf } from './float16.js';
import { LAYOUT_VERSION, SAMPLE_RATE } from '../../container/layout.js';
import { type ModelConfig, type WeightMap, weightSpecs } from './model.js';

/**
 * Version of this file format that {@link serializeWeights} writes. 2 stores every value's bytes as planes (all the
 * most significant bytes, then the next, …), so the exponent bytes sit together and gzip/brotli squeeze them
 * (float16 weights: 720 → 668 KiB gzipped). 1 stored values little-endian one after another; it is still read.
 */
export const WEIGHTS_FORMAT_VERSION = 2;
/** Every format version the loader reads; any other is refused. */
export const READABLE_FORMAT_VERSIONS: readonly number[] = [1, 2];
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
  // Each value's bits (half or float32), in tensor order; then spread over byte planes, most significant first.
  const bits = new Uint32Array(total);
  const f32 = new Float32Array(bits.buffer);
  const tensors: TensorEntry[] = [];
  let offset = 0;
  for (const { name, shape } of specs) {
    const size = shape.reduce((a, b) => a * b, 1);
    const data = values[name];
    if (!data || data.length !== size) throw new Error(`weights: tensor ${name} missing or not of shape [${shape}]`);
    if (meta.dtype === 'float16') for (let i = 0; i < size; i++) bits[offset + i] = toHalf(data[i]!);
    else f32.set(data, offset);
    tensors.push({ name, shape, offset });
    offset += size;
  }
  const bin = packPlanes(bits, bytesPer);
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
  if (typeof m.formatVersion !== 'number' || !READABLE_FORMAT_VERSIONS.includes(m.formatVersion))
    refuse(
      `weights format version ${String(m.formatVersion)} is not supported (this build reads ${READABLE_FORMAT_VERSIONS.join(' and ')})`,
    );
  if (m.layoutVersion !== LAYOUT_VERSION)
    refuse(`audio layout version ${String(m.layoutVersion)} does not match this build's ${LAYOUT_VERSION}`);
  if (m.sampleRate !== SAMPLE_RATE) refuse(`sample rate ${String(m.sampleRate)} is not ${SAMPLE_RATE}`);
  if (m.dtype !== 'float16' && m.dtype !== 'float32') refuse(`dtype ${String(m.dtype)} is not float16 or float32`);
  if (typeof m.version !== 'string' || !/^[\w.-]{1,64}$/.test(m.version))
    refuse('manifest version is missing or invalid');
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
    if (
      typeof t !== 'object' ||
      t === null ||
      t.name !== spec.name ||
      JSON.stringify(t.shape) !== JSON.stringify(spec.shape) ||
      t.offset !== expectedOffset
    )
      refuse(
        `manifest tensor ${i} (${String(t?.name)}) does not match the config (expected ${spec.name} [${spec.shape}])`,
      );
    expectedOffset += spec.shape.reduce((a, b) => a * b, 1);
  });
  if (m.byteLength !== expectedOffset * (m.dtype === 'float16' ? 2 : 4))
    refuse('manifest byteLength does not match its tensors');
  return m as WeightsManifest;
}

async function checkBinary(manifest: WeightsManifest, bin: Uint8Array): Promise<void> {
  if (bin.length !== manifest.byteLength)
    refuse(`weights binary is ${bin.length} bytes, manifest says ${manifest.byteLength}`);
  const digest = await sha256Hex(bin);
  if (digest !== manifest.sha256)
    refuse(`weights binary sha256 ${digest} does not match the manifest's ${manifest.sha256}`);
}

/** Decodes the binary into float32 arrays by tensor name, after checking size and sha256. */
export async function decodeWeights(manifest: WeightsManifest, bin: Uint8Array): Promise<Record<string, Float32Array>> {
  await checkBinary(manifest, bin);
  const bytesPer = manifest.dtype === 'float16' ? 2 : 4;
  const all =
    bytesPer === 2
      ? decodeHalves(bin, manifest.formatVersion)
      : new Float32Array(unpackBits(bin, 4, manifest.formatVersion).buffer);
  const out: Record<string, Float32Array> = {};
  for (const { name, shape, offset } of manifest.tensors)
    out[name] = all.subarray(offset, offset + shape.reduce((a, b) => a * b, 1));
  return out;
}

/**
 * A float16 binary of either version → float32 values in one pass with no intermediate arrays: on a cold start
 * every loop runs unoptimised and every fresh buffer costs page faults, so both are kept to the minimum.
 */
function decodeHalves(bin: Uint8Array, version: number): Float32Array {
  const total = bin.length >> 1;
  const out = new Float32Array(total);
  const bits = new Uint32Array(out.buffer);
  if (version === 1) for (let i = 0; i < total; i++) bits[i] = halfToFloat32Bits(bin[2 * i]! | (bin[2 * i + 1]! << 8));
  else for (let i = 0; i < total; i++) bits[i] = halfToFloat32Bits((bin[i]! << 8) | bin[total + i]!);
  return out;
}

/** Values' bits (`bytesPer` bytes each) → the current binary layout: byte planes, most significant first. */
function packPlanes(bits: Uint32Array, bytesPer: number): Uint8Array {
  const total = bits.length;
  const bin = new Uint8Array(total * bytesPer);
  for (let plane = 0; plane < bytesPer; plane++) {
    const shift = 8 * (bytesPer - 1 - plane);
    const base = plane * total;
    for (let i = 0; i < total; i++) bin[base + i] = bits[i]! >>> shift;
  }
  return bin;
}

/** A binary of either version → each value's bits: version 1 is little-endian values in a row, version 2 planes. */
function unpackBits(bin: Uint8Array, bytesPer: number, version: number): Uint32Array {
  const total = bin.length / bytesPer;
  const bits = new Uint32Array(total);
  if (version === 1) {
    for (let i = 0, o = 0; i < total; i++, o += bytesPer) {
      let v = 0;
      for (let b = bytesPer - 1; b >= 0; b--) v = (v << 8) | bin[o + b]!;
      bits[i] = v >>> 0;
    }
  } else if (bytesPer === 2) {
    for (let i = 0; i < total; i++) bits[i] = (bin[i]! << 8) | bin[total + i]!;
  } else {
    for (let i = 0; i < total; i++)
      bits[i] = ((bin[i]! << 24) | (bin[total + i]! << 16) | (bin[2 * total + i]! << 8) | bin[3 * total + i]!) >>> 0;
  }
  return bits;
}

/**
 * Rewrites verified weights of any readable version in the current version, bit for bit (the same float16 or
 * float32 values, so the same outputs); every other manifest field is kept. Throws StegError('bad_weights').
 */
export async function upgradeWeights(
  manifestJson: unknown,
  bin: Uint8Array,
): Promise<{ manifest: WeightsManifest; bin: Uint8Array }> {
  const manifest = validateManifest(manifestJson);
  await checkBinary(manifest, bin);
  const bytesPer = manifest.dtype === 'float16' ? 2 : 4;
  const out = packPlanes(unpackBits(bin, bytesPer, manifest.formatVersion), bytesPer);
  return { manifest: { ...manifest, formatVersion: WEIGHTS_FORMAT_VERSION, sha256: await sha256Hex(out) }, bin: out };
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
