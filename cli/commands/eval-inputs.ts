/** The held-out inputs `eval` and `rd` share: which photos, and the audio stream clips are cut from. */
import { createRng, dataRoot, evalSets } from '../../datasets/presets.js';
import { listImages } from '../../datasets/images.js';
import { musicSecret } from '../../datasets/music.js';
import { sineSecret } from '../../datasets/sines.js';
import { loadSpeechFolder } from '../../datasets/speech.js';
import { UsageError } from './args.js';

/** The kinds of audio `--audio` accepts. */
export const EVAL_AUDIO = ['speech', 'sines', 'music'] as const;

/** Photos and audio for an evaluation run. */
export interface EvalInputs {
  imageDirs: string[];
  /** Image files, sorted per folder, folders in the order given, at most `limit` in all. */
  paths: string[];
  /** Audio that consecutive clips are cut from (see clipFrom in evaluation/evaluate.ts). */
  stream: Float32Array;
}

/**
 * Resolves the evaluation inputs: `images` folders (default kodak24), and either random sines (`audio: 'sines'`,
 * 600 s from `seed`), synthetic music (`audio: 'music'`, 600 s from `seed`) or speech from `speech` (default: the FSDD test speakers' recordings 0–4).
 */
export async function loadEvalInputs(options: {
  /** The data folder (`--data`; see dataRoot in datasets/presets.ts): its kodak24/ and fsdd/recordings/. */
  data?: string;
  images?: string[];
  speech?: string;
  audio?: string;
  seed?: number;
  limit?: number;
}): Promise<EvalInputs> {
  if (options.audio !== undefined && !(EVAL_AUDIO as readonly string[]).includes(options.audio))
    throw new UsageError(`--audio must be one of ${EVAL_AUDIO.join(', ')}`);
  const sets = evalSets(dataRoot(options.data));
  const imageDirs = options.images ?? [sets.kodak24];
  const paths = (await Promise.all(imageDirs.map((d) => listImages(d)))).flat().slice(0, options.limit ?? Infinity);
  let stream: Float32Array;
  if (options.audio === 'sines') {
    stream = sineSecret(8000 * 600, createRng(options.seed ?? 5));
  } else if (options.audio === 'music') {
    stream = musicSecret(600, createRng(options.seed ?? 5));
  } else {
    const speech = options.speech
      ? await loadSpeechFolder(options.speech)
      : await loadSpeechFolder(sets.fsddTest.dir, { filter: sets.fsddTest.filter });
    stream = speech.samples;
  }
  return { imageDirs, paths, stream };
}
