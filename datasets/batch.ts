/** Training batches in the nets' block layout: random cover crops paired with sine, speech or silent secrets. */
import { StegError } from '../src/util/errors.js';
import { audioToBlocks, BLOCK, BLOCK_CHANNELS, rgbToBlocks, TILE } from '../src/container/layout.js';
import type { CoverSource } from './images.js';
import type { Rng } from '../src/util/rng.js';
import { sineSecret, type SineOptions } from './sines.js';
import type { SpeechSource } from './speech.js';

/** Relative shares of secret kinds in a batch (non-negative weights, normalised by their sum). */
export interface Mix {
  sines: number;
  speech: number;
  silence?: number;
}

/** What each batch item's secret is. */
export type SecretKind = 'sine' | 'speech' | 'silence';

/** Options for {@link makeBatch}. */
export interface MakeBatchOptions {
  images: CoverSource;
  /** Speech source; required when `mix.speech > 0`. */
  audio?: SpeechSource | null;
  batch: number;
  /** Side of the square crop in pixels; a positive multiple of TILE (32). */
  crop: number;
  mix: Mix;
  rng: Rng;
  /**
   * Share of non-silent items whose secret is cut at a random point and zero after it, as when a clip is shorter than
   * the image's capacity. Default 0.
   */
  truncate?: number;
  sineOptions?: SineOptions;
}

/** A batch in the block layout of src/container/layout.ts, NHWC. */
export interface Batch {
  /** Covers as [0, 1] floats (rgbToBlocks), `batch·(crop/4)²·48` values. */
  cover: Float32Array;
  /** Secrets in [-1, 1] (audioToBlocks), filling every tile: crop²·3 samples per item. */
  audio: Float32Array;
  shape: [number, number, number, number];
  kinds: SecretKind[];
}

/**
 * Builds one batch with plain typed arrays (no tfjs): for each item a random crop from `images` and a secret of
 * `crop²·3` samples (the crop's full capacity) drawn from the `mix`. Deterministic for a given `rng` state.
 */
export function makeBatch(options: MakeBatchOptions): Batch {
  const { images, audio, batch, crop, mix, rng } = options;
  if (!Number.isInteger(batch) || batch < 1)
    throw new StegError('bad_request', `Batch size must be a positive integer, got ${batch}.`);
  if (!Number.isInteger(crop) || crop < TILE || crop % TILE !== 0) {
    throw new StegError('bad_request', `Crop must be a positive multiple of ${TILE}, got ${crop}.`);
  }
  const weights = [mix.sines, mix.speech, mix.silence ?? 0];
  const total = weights.reduce((a, b) => a + b, 0);
  if (weights.some((w) => !(w >= 0)) || !(total > 0)) {
    throw new StegError('bad_request', 'Mix weights must be non-negative with a positive sum.');
  }
  if (mix.speech > 0 && !audio)
    throw new StegError('bad_request', 'The mix asks for speech but no speech source was given.');
  const truncate = options.truncate ?? 0;

  const side = crop / BLOCK;
  const perItem = side * side * BLOCK_CHANNELS;
  const samples = crop * crop * 3;
  const cover = new Float32Array(batch * perItem);
  const secret = new Float32Array(batch * perItem);
  const kinds: SecretKind[] = [];
  for (let i = 0; i < batch; i++) {
    const image = images.randomCrop(crop, rng);
    cover.set(rgbToBlocks(image.data, crop, crop), i * perItem);

    const u = rng.next() * total;
    const kind: SecretKind = u < weights[0]! ? 'sine' : u < weights[0]! + weights[1]! ? 'speech' : 'silence';
    kinds.push(kind);
    if (kind === 'silence') continue;
    const clip =
      kind === 'sine' ? sineSecret(samples, rng, options.sineOptions) : audio!.randomFrames(1, samples, rng)[0]!;
    if (truncate > 0 && rng.next() < truncate) clip.fill(0, 1 + rng.int(samples - 1));
    secret.set(audioToBlocks(clip, crop, crop), i * perItem);
  }
  return { cover, audio: secret, shape: [batch, side, side, BLOCK_CHANNELS], kinds };
}
