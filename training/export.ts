/** Writes a model's weights as the versioned format into a folder (manifest.json + model.bin), and upgrades old folders. */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type * as tf from '@tensorflow/tfjs-core';
import type { ModelConfig } from '../src/schemes/neural/model.js';
import {
  BINARY_FILE,
  MANIFEST_FILE,
  serializeWeights,
  upgradeWeights,
  type WeightsDtype,
  type WeightsManifest,
} from '../src/schemes/neural/weights-format.js';

/** Reads tensors (or variables) to float32 arrays and writes `dir/manifest.json` and `dir/model.bin`. */
export async function exportWeights(
  dir: string,
  weights: Record<string, tf.Tensor>,
  config: ModelConfig,
  meta: { version: string; dtype: WeightsDtype; training?: Record<string, unknown>; eval?: Record<string, unknown> },
): Promise<WeightsManifest> {
  const values: Record<string, Float32Array> = {};
  for (const [name, t] of Object.entries(weights)) values[name] = (await t.data()) as Float32Array;
  const { manifest, bin } = await serializeWeights(values, config, meta);
  await writeFolder(dir, manifest, bin);
  return manifest;
}

/**
 * Rewrites a weights folder of an older format version in the current one, bit for bit the same values (see
 * {@link upgradeWeights}); version name, training and eval records are kept. Throws StegError('bad_weights').
 */
export async function upgradeWeightsDir(dir: string): Promise<WeightsManifest> {
  const json: unknown = JSON.parse(await readFile(path.join(dir, MANIFEST_FILE), 'utf8'));
  const { manifest, bin } = await upgradeWeights(json, new Uint8Array(await readFile(path.join(dir, BINARY_FILE))));
  await writeFolder(dir, manifest, bin);
  return manifest;
}

async function writeFolder(dir: string, manifest: WeightsManifest, bin: Uint8Array): Promise<void> {
  await mkdir(dir, { recursive: true });
  // Binary first: a reader that sees the new manifest must find its binary already there.
  await writeFile(path.join(dir, BINARY_FILE), bin);
  await writeFile(path.join(dir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
}
