/** Node-side model loading: a weights folder from disk through the one shared validating loader. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { StegError } from '../util/errors.js';
import {
  BINARY_FILE,
  disposeModel,
  loadWeights,
  MANIFEST_FILE,
  type LoadedModel,
} from '../schemes/neural/weights-format.js';
import type { ModelAccess } from '../pipeline/index.js';

/** The shipped default weights folder (`weights/` at the repository root). */
export const BUNDLED_WEIGHTS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'weights');

/** Reads `dir/manifest.json` and `dir/model.bin` and loads them onto the active backend. */
export async function loadModelFromDir(dir: string = BUNDLED_WEIGHTS_DIR): Promise<LoadedModel> {
  let manifestText: string;
  let bin: Uint8Array;
  try {
    manifestText = await readFile(path.join(dir, MANIFEST_FILE), 'utf8');
    bin = new Uint8Array(await readFile(path.join(dir, BINARY_FILE)));
  } catch (e) {
    throw new StegError('no_weights', `cannot read weights from ${dir}: ${(e as Error).message}`);
  }
  let manifest: unknown;
  try {
    manifest = JSON.parse(manifestText);
  } catch {
    throw new StegError('bad_weights', `${path.join(dir, MANIFEST_FILE)} is not valid JSON`);
  }
  return loadWeights(manifest, bin);
}

/**
 * The model as the pipeline takes it, loaded from `dir` on first use only (a coded embed never reads the weights);
 * `dispose` frees it if it was loaded.
 */
export function lazyModel(dir?: string): { access: ModelAccess; dispose: () => void } {
  let loading: Promise<LoadedModel> | null = null;
  return {
    access: async (use) => use(await (loading ??= loadModelFromDir(dir))),
    dispose: () => void loading?.then(disposeModel, () => undefined),
  };
}
