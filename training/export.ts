/** Writes a model's weights as the versioned format into a folder (manifest.json + model.bin). */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type * as tf from '@tensorflow/tfjs-core';
import type { ModelConfig } from '../shared/model.js';
import { BINARY_FILE, MANIFEST_FILE, serializeWeights, type WeightsDtype, type WeightsManifest } from '../shared/weights-format.js';

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
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, BINARY_FILE), bin);
  await writeFile(path.join(dir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}
