/** The uploaded clip: WAV decoded to 8 kHz mono after its length and fit are checked from the header. */
import { decodeWav, sniffWav } from '../formats/wav.js';
import { resampleFast } from '../audio/resample-tf.js';
import { SAMPLE_RATE } from '../container/layout.js';
import { StegError } from '../util/errors.js';
import type { Limits } from './limits.js';

/** Room a clip of `sampleCount` samples takes in a scheme (see HidingScheme.footprint). */
export type Footprint = (sampleCount: number) => number;

const asIs: Footprint = (n) => n;

/**
 * Decodes a WAV upload to mono samples at 8 kHz, checking limits from the header first: the length limit, and with
 * `capacitySamples` whether the clip fits once it takes its `footprint`.
 */
export function decodeAudioInput(
  audioBytes: Uint8Array,
  limits: Limits,
  capacitySamples?: number,
  footprint: Footprint = asIs,
): Float32Array {
  const info = sniffWav(audioBytes);
  const seconds = info.frames / info.sampleRate;
  if (seconds > limits.maxAudioSeconds)
    throw new StegError('too_large', `audio is ${seconds.toFixed(2)} s; the limit is ${limits.maxAudioSeconds} s`);
  if (capacitySamples !== undefined) assertFits(Math.round(seconds * SAMPLE_RATE), capacitySamples, footprint);
  const { sampleRate, samples } = decodeWav(audioBytes, {
    maxFrames: Math.ceil(limits.maxAudioSeconds * info.sampleRate),
  });
  return sampleRate === SAMPLE_RATE ? samples : resampleFast(samples, sampleRate, SAMPLE_RATE);
}

/** Refuses a clip of `sampleCount` samples whose footprint exceeds `capacitySamples`, naming the longest that fits. */
export function assertFits(sampleCount: number, capacitySamples: number, footprint: Footprint = asIs): void {
  if (footprint(sampleCount) <= capacitySamples) return;
  throw new StegError(
    'too_long',
    `audio is ${(sampleCount / SAMPLE_RATE).toFixed(2)} s but this image holds at most ` +
      `${(longestFitting(capacitySamples, footprint) / SAMPLE_RATE).toFixed(2)} s`,
  );
}

/** The longest clip whose footprint fits `capacitySamples` (footprints grow with the clip). */
function longestFitting(capacitySamples: number, footprint: Footprint): number {
  let [lo, hi] = [0, capacitySamples];
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (footprint(mid) <= capacitySamples) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
