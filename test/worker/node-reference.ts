/**
 * The Node side of the parity test: runs the shared pipeline the way the CLI does (wasm backend, weights loaded by
 * the shared loader) on fixed inputs, and writes inputs and outcomes as JSON (base64) to the file named by
 * argv[2]. Run by global-setup.ts in a plain Node process.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { isStegError } from '../../src/util/errors.js';
import { embedAudio, revealAudio } from '../../src/pipeline/index.js';
import {
  BINARY_FILE,
  disposeModel,
  loadWeights,
  MANIFEST_FILE,
  type LoadedModel,
} from '../../src/schemes/neural/weights-format.js';
import { initBackend } from '../../src/node/backend.js';
import { makePng, makeWav } from './fixtures.js';
import { transparentWeights } from './transparent-weights.js';

/** What a pipeline step gave: bytes (base64) or a StegError's code and detail. */
export type Outcome = { ok: string } | { error: { code: string; detail: string } };

/** Everything the Node run hands to the workerd test. */
export interface NodeReference {
  /** The transparent weights the Node run built (manifest JSON, binary base64), for the worker to load from R2. */
  transparent: { manifest: string; bin: string };
  /** Why the bundled weights did not load in Node (then only the transparent cases run). */
  bundledError?: string;
  cases: ReferenceCase[];
}

/** One parity case: inputs and what the Node pipeline made of them. */
export interface ReferenceCase {
  name: string;
  weights: 'bundled' | 'transparent';
  modelVersion: string;
  key?: string;
  quality?: 'high';
  image: string;
  audio: string;
  embed: Outcome;
  /** Reveal of the container embed produced (absent when embed failed). */
  reveal?: Outcome;
}

/**
 * The cases: an unkeyed 8 kHz clip and a keyed 44.1 kHz clip (resampling and scrambling covered too), each with
 * the bundled weights and with the test-only transparent weights (whose reveal always succeeds).
 */
const INPUTS = [
  { name: 'plain 96×64, 8 kHz', width: 96, height: 64, seconds: 1.5, rate: 8000, seed: 11 },
  { name: 'keyed 128×96, 44.1 kHz', width: 128, height: 96, seconds: 1.2, rate: 44100, seed: 12, key: 'parity key ✓' },
  // Short enough to be spread and get quality=high's feedback pass and rounding search (Reveal's gradient).
  {
    name: 'high quality 256×128, 0.4 s',
    width: 256,
    height: 128,
    seconds: 0.4,
    rate: 8000,
    seed: 13,
    quality: 'high' as const,
  },
];

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

async function outcome(step: () => Promise<Uint8Array>): Promise<Outcome> {
  try {
    return { ok: b64(await step()) };
  } catch (e) {
    if (isStegError(e)) return { error: { code: e.code, detail: e.message } };
    throw e;
  }
}

async function main(): Promise<void> {
  await initBackend('wasm');
  const models: Array<['bundled' | 'transparent', LoadedModel]> = [];
  let bundledError: string | undefined;
  try {
    const manifest: unknown = JSON.parse(
      readFileSync(new URL(`../../weights/${MANIFEST_FILE}`, import.meta.url), 'utf8'),
    );
    models.push([
      'bundled',
      await loadWeights(
        manifest,
        new Uint8Array(readFileSync(new URL(`../../weights/${BINARY_FILE}`, import.meta.url))),
      ),
    ]);
  } catch (e) {
    bundledError = e instanceof Error ? e.message : String(e);
  }
  const transparent = await transparentWeights();
  models.push(['transparent', await loadWeights(transparent.manifest, transparent.bin)]);
  const out: ReferenceCase[] = [];
  try {
    for (const [weights, model] of models)
      for (const c of INPUTS) {
        const image = makePng(c.width, c.height, c.seed);
        const audio = makeWav(c.seconds, c.rate, c.seed);
        let container: Uint8Array | null = null;
        const embed = await outcome(
          async () => (container = (await embedAudio(model, image, audio, { key: c.key, quality: c.quality })).png),
        );
        const reveal = container
          ? await outcome(async () => (await revealAudio(model, container!, { key: c.key })).wav)
          : undefined;
        out.push({
          name: `${c.name}, ${weights} weights`,
          weights,
          modelVersion: model.version,
          ...(c.key ? { key: c.key } : {}),
          ...(c.quality ? { quality: c.quality } : {}),
          image: b64(image),
          audio: b64(audio),
          embed,
          ...(reveal ? { reveal } : {}),
        });
      }
  } finally {
    for (const [, model] of models) disposeModel(model);
  }
  const reference: NodeReference = {
    transparent: { manifest: JSON.stringify(transparent.manifest), bin: b64(transparent.bin) },
    ...(bundledError ? { bundledError } : {}),
    cases: out,
  };
  writeFileSync(process.argv[2]!, JSON.stringify(reference));
}

// Report failures in one line: tfjs-wasm's Emscripten glue installs an uncaughtException handler in Node that would
// otherwise print a screenful of minified source.
main().catch((error: unknown) => {
  console.error(`node-reference: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
  process.exit(1);
});
