/** Data presets (`reference`, `real`) and where the data lives: ../shared/data beside the repo unless told otherwise. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StegError } from '../src/util/errors.js';
import type { Mix } from './batch.js';
import { loadCifarBinaryDir, loadCifarSubset } from './cifar.js';
import { ImagePool, loadImageFolder } from './images.js';
import { createRng } from '../src/util/rng.js';
import { fsddSplit, loadSpeechFolder, type SpeechStream } from './speech.js';

/** Names of the presets. */
export type PresetName = 'reference' | 'real';

/** What a training run draws its pairs from. */
export interface DataPreset {
  name: PresetName;
  description: string;
  covers:
    | { kind: 'cifar-subset'; dir: string; flip: boolean }
    | { kind: 'cifar-binary'; dir: string; flip: boolean }
    | { kind: 'folder'; dirs: string[]; flip: boolean };
  /** Speech folder and the file-name filter that selects training clips; null for sines only. */
  speech: { dir: string; filter: (name: string) => boolean } | null;
  mix: Mix;
  /** Suggested crop side for training (a multiple of 32). */
  crop: number;
  /**
   * A fixed data set of this many pairs, built once with one `makeBatch({ batch: pairs })` and iterated `epochs`
   * times (the reference experiment); null means fresh random pairs every step.
   */
  pairs: number | null;
  epochs: number | null;
  /** Share of secrets cut short with a zero tail (see makeBatch). */
  truncate: number;
}

/** Walks up from this file to the folder whose package.json is named `stegavox`. */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'stegavox') return dir;
      } catch {
        // an unreadable package.json is not ours; keep walking
      }
    }
    const up = dirname(dir);
    if (up === dir)
      throw new StegError(
        'bad_request',
        'Cannot find the stegavox repository root above ' + fileURLToPath(import.meta.url),
      );
    dir = up;
  }
}

/**
 * The data folder: `explicit` if given, else `$STEGAVOX_DATA`, else `../shared/data` next to the repo root.
 * Relative paths resolve against the current directory.
 */
export function dataRoot(explicit?: string): string {
  const chosen = explicit ?? process.env.STEGAVOX_DATA;
  return chosen ? resolve(chosen) : resolve(repoRoot(), '..', 'shared', 'data');
}

/** Evaluation-only sets (never trained on): Kodak, CBSD68 and the FSDD recordings 0–4. */
export function evalSets(root = dataRoot()) {
  return {
    kodak24: join(root, 'kodak24'),
    cbsd68: join(root, 'cbsd68'),
    fsddTest: { dir: join(root, 'fsdd', 'recordings'), filter: (name: string) => fsddSplit(name) === 'test' },
  };
}

/** Options for {@link getPreset}. */
export interface PresetOptions {
  /** Data folder (see {@link dataRoot}). */
  dataRoot?: string;
  /** For `reference`: a folder of CIFAR-10 binary batches to use instead of the JPEG subset. */
  cifarBinaryDir?: string;
}

/**
 * `reference`: the reference experiment — CIFAR-10 32×32 covers (the JPEG test subset, or binary batches when
 * `cifarBinaryDir` is given) and sine secrets only, a fixed set of 100 pairs, 5 epochs, no flips.
 * `real`: every photo under `bsds500/` (train and test) as random crops, FSDD recordings 5–49 as speech with ~20 %
 * sines, fresh pairs each step.
 */
export function getPreset(name: string, options: PresetOptions = {}): DataPreset {
  const root = dataRoot(options.dataRoot);
  if (name === 'reference') {
    return {
      name,
      description: 'CIFAR-10 covers + synthetic sines, 100 fixed pairs, 5 epochs (the reference experiment)',
      covers: options.cifarBinaryDir
        ? { kind: 'cifar-binary', dir: resolve(options.cifarBinaryDir), flip: false }
        : { kind: 'cifar-subset', dir: join(root, 'cifar10_test_subset'), flip: false },
      speech: null,
      mix: { sines: 1, speech: 0 },
      crop: 32,
      pairs: 100,
      epochs: 5,
      truncate: 0,
    };
  }
  if (name === 'real') {
    return {
      name,
      description: 'BSDS500 photo crops + FSDD speech (recordings 5–49) with 20 % sines',
      covers: { kind: 'folder', dirs: [join(root, 'bsds500')], flip: true },
      speech: { dir: join(root, 'fsdd', 'recordings'), filter: (n) => /\.wav$/i.test(n) && fsddSplit(n) === 'train' },
      mix: { sines: 0.2, speech: 0.8 },
      crop: 64,
      pairs: null,
      epochs: null,
      truncate: 0.1,
    };
  }
  throw new StegError('bad_request', `Unknown data preset "${name}" (expected "reference" or "real").`);
}

/** Loaded data for a preset. */
export interface PresetData {
  images: ImagePool;
  speech: SpeechStream | null;
}

/**
 * Loads a preset's covers and speech into memory. A missing folder is refused with a message naming it.
 * `limits` caps how many images / clips load (for quick runs). For the CIFAR presets with a fixed `pairs` count,
 * the pool holds all loaded records; makeBatch picks the pairs from it with the caller's seed.
 */
export async function loadPreset(
  preset: DataPreset,
  limits: { images?: number; clips?: number } = {},
): Promise<PresetData> {
  const need = (dir: string) => {
    if (!existsSync(dir))
      throw new StegError(
        'bad_request',
        `Data folder ${dir} does not exist: fetch the sets with \`npx stegavox data\`, or give --data DIR (docs/cli.md).`,
      );
  };
  let images: ImagePool;
  const c = preset.covers;
  if (c.kind === 'folder') {
    c.dirs.forEach(need);
    const pool = await loadImageFolder(c.dirs, { limit: limits.images });
    images = new ImagePool(pool.images, pool.names, { flip: c.flip });
  } else {
    need(c.dir);
    const records =
      c.kind === 'cifar-subset' ? await loadCifarSubset(c.dir, limits.images) : await loadCifarBinaryDir(c.dir);
    const chosen = limits.images !== undefined ? records.slice(0, limits.images) : records;
    images = new ImagePool(
      chosen.map((r) => r.image),
      chosen.map((r, i) => `${i}:${r.label}`),
      { flip: c.flip },
    );
  }
  let speech: SpeechStream | null = null;
  if (preset.speech && preset.mix.speech > 0) {
    need(preset.speech.dir);
    speech = await loadSpeechFolder(preset.speech.dir, { filter: preset.speech.filter, limit: limits.clips });
  }
  return { images, speech };
}

/** Re-exported so callers seed everything from one place. */
export { createRng };
