/** Folders of WAV speech: decoded, resampled to 8 kHz, normalised per clip, concatenated, cut into random frames. */
import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { normaliseClip } from '../src/audio/normalise.js';
import { decodeWav } from '../src/formats/wav.js';
import { resample } from '../src/audio/resample.js';
import { StegError } from '../src/util/errors.js';
import { SAMPLE_RATE } from '../src/container/layout.js';
import type { Rng } from '../src/util/rng.js';

/** Anything that can hand out speech frames. */
export interface SpeechSource {
  /** `count` windows of `length` consecutive samples at random positions of the stream. */
  randomFrames(count: number, length: number, rng: Rng): Float32Array[];
}

const FSDD_NAME = /^(\d)_([A-Za-z]+)_(\d+)\.wav$/;

/**
 * Free Spoken Digit Dataset split by file name `{digit}_{speaker}_{index}.wav`: recordings 0–4 of every digit and
 * speaker are the held-out test set, the rest (5–49) train. Any other name is refused with `bad_request`.
 */
export function fsddSplit(name: string): 'train' | 'test' {
  const m = FSDD_NAME.exec(basename(name));
  if (!m) throw new StegError('bad_request', `"${name}" is not an FSDD file name ({digit}_{speaker}_{index}.wav).`);
  return Number(m[3]) <= 4 ? 'test' : 'train';
}

/** Speech at {@link SAMPLE_RATE}, every clip normalised, all clips concatenated in sorted file-name order. */
export class SpeechStream implements SpeechSource {
  /** The concatenated stream. */
  readonly samples: Float32Array;
  /** Each clip as a view into {@link samples}, same order as {@link names}. */
  readonly clips: Float32Array[];
  readonly names: string[];

  constructor(clips: Float32Array[], names?: string[]) {
    const total = clips.reduce((n, c) => n + c.length, 0);
    if (total === 0) throw new StegError('bad_audio', 'A speech stream needs at least one non-empty clip.');
    this.samples = new Float32Array(total);
    this.clips = [];
    let off = 0;
    for (const c of clips) {
      this.samples.set(c, off);
      this.clips.push(this.samples.subarray(off, off + c.length));
      off += c.length;
    }
    this.names = names ?? clips.map((_, i) => `#${i}`);
  }

  /** Seconds of audio in the stream. */
  get seconds(): number {
    return this.samples.length / SAMPLE_RATE;
  }

  randomFrames(count: number, length: number, rng: Rng): Float32Array[] {
    if (length > this.samples.length) {
      throw new StegError(
        'bad_request',
        `Frames of ${length} samples do not fit a ${this.samples.length}-sample speech stream.`,
      );
    }
    const frames: Float32Array[] = [];
    for (let i = 0; i < count; i++) {
      const start = rng.int(this.samples.length - length + 1);
      frames.push(this.samples.slice(start, start + length));
    }
    return frames;
  }
}

/** Options for {@link loadSpeechFolder}. */
export interface LoadSpeechOptions {
  /** Keep a file only when this returns true for its base name (e.g. `(n) => fsddSplit(n) === 'train'`). */
  filter?: (name: string) => boolean;
  /** Load at most this many files (the first by sorted name, after filtering). */
  limit?: number;
}

/**
 * Loads every `.wav` under `dir` (recursively) that passes `filter`: decoded to mono, resampled to 8 kHz and
 * normalised with {@link normaliseClip}. Undecodable files are refused with the decoder's error naming the file.
 */
export async function loadSpeechFolder(dir: string, options: LoadSpeechOptions = {}): Promise<SpeechStream> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  let paths = entries
    .filter((e) => e.isFile() && /\.wav$/i.test(e.name) && (options.filter?.(e.name) ?? true))
    .map((e) => join(e.parentPath, e.name))
    .sort();
  if (options.limit !== undefined) paths = paths.slice(0, options.limit);
  if (paths.length === 0) throw new StegError('bad_request', `No matching WAV files under ${dir}.`);
  const clips: Float32Array[] = [];
  for (const path of paths) clips.push(await loadClip(path));
  return new SpeechStream(clips, paths);
}

/** One WAV file as normalised 8 kHz mono; a failure names the file. */
export async function loadClip(path: string): Promise<Float32Array> {
  const bytes = new Uint8Array(await readFile(path));
  try {
    const wav = decodeWav(bytes);
    const at8k = wav.sampleRate === SAMPLE_RATE ? wav.samples : resample(wav.samples, wav.sampleRate, SAMPLE_RATE);
    return normaliseClip(at8k).samples;
  } catch (e) {
    if (e instanceof StegError) throw new StegError(e.code, `${path}: ${e.message}`, { cause: e });
    throw e;
  }
}
