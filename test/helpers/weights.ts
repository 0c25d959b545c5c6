/** Node test helper: the test-only transparent weights written as a weights folder, as `--weights DIR` reads it. */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { BINARY_FILE, MANIFEST_FILE } from '../../src/schemes/neural/weights-format.js';
import { transparentWeights } from '../worker/transparent-weights.js';

/** Writes manifest.json and model.bin of the transparent weights into `dir` (created if missing). */
export async function writeTransparentWeights(dir: string): Promise<void> {
  const { manifest, bin } = await transparentWeights();
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, MANIFEST_FILE), JSON.stringify(manifest));
  await writeFile(path.join(dir, BINARY_FILE), bin);
}
