/** quality=high for the nets: a feedback pass that pre-compensates the reveal error, then the rounding search. */
import type { RgbImage } from '../../formats/image.js';
import { audioToBlocks } from '../../container/layout.js';
import type { Quality } from '../scheme.js';
import { DEFAULT_HIGH_PIXELS } from '../../pipeline/limits.js';
import { COVER_HEADROOM } from './model.js';
import { embedSamples, floatContainer, keepTilesWithAudio, revealSamples } from './region.js';
import { searchRounding } from './round-search.js';
import { blocksToRgb } from '../../container/layout.js';
import { SPREAD_BUDGET } from './spreading.js';
import type { LoadedModel } from './weights-format.js';

/**
 * Strength of the feedback pass (see {@link embedFedBack}): the payload is embedded again with this share of its
 * reveal error added. 0.5 gained 1.05 dB SI-SNR for 0.34 dB PSNR (0.7: 1.11 dB for 0.46 dB), cheaper than spreading
 * further; the sweep is in docs/schemes/neural.md.
 */
export const FEEDBACK_GAIN = 0.5;

/**
 * True when embed runs the feedback pass and rounding search: at quality `high`, for a clip within the spreading
 * budget, or one whose region (`regionPixels`, the pixels the nets process) is at most `maxHighPixels`. At full
 * density the pair gains +1.6 dB SI-SNR for −0.4 dB PSNR (six Kodak photos) at 3–6× the time.
 */
export function usesFeedback(
  sampleCount: number,
  capacitySamples: number,
  quality: Quality,
  regionPixels: number,
  maxHighPixels = DEFAULT_HIGH_PIXELS,
): boolean {
  return quality === 'high' && (sampleCount <= SPREAD_BUDGET * capacitySamples || regionPixels <= maxHighPixels);
}

/**
 * Embeds `payload`, reveals what was embedded (the container as saved, 8-bit rounded), and embeds again with
 * {@link FEEDBACK_GAIN} of the reveal error added to the payload, so part of what the nets get wrong for this
 * cover and this clip is pre-compensated; the second container is rounded by the rounding search. Reveal is
 * unchanged: it reads this container as any other.
 */
export async function embedFedBack(
  model: LoadedModel,
  cover: RgbImage,
  payload: Float32Array,
  headroom = COVER_HEADROOM,
): Promise<Uint8Array> {
  const first = await embedSamples(model, cover, payload, headroom);
  const revealed = await revealSamples(
    model,
    { width: cover.width, height: cover.height, data: first },
    payload.length,
  );
  return embedSearched(model, cover, withFeedback(payload, revealed), payload, headroom);
}

/** `payload` with {@link FEEDBACK_GAIN} of its reveal error added: what the feedback pass embeds the second time. */
export function withFeedback(payload: Float32Array, revealed: Float32Array): Float32Array {
  const adjusted = new Float32Array(payload.length);
  for (let i = 0; i < payload.length; i++) adjusted[i] = payload[i]! + FEEDBACK_GAIN * (payload[i]! - revealed[i]!);
  return adjusted;
}

/**
 * Like {@link embedSamples} for `fed` (the payload with feedback), but the float container is rounded to 8 bits by
 * {@link searchRounding} towards what Reveal reads as `payload`. Bands and tiles keep memory bounded for any region.
 */
async function embedSearched(
  model: LoadedModel,
  cover: RgbImage,
  fed: Float32Array,
  payload: Float32Array,
  headroom: number,
): Promise<Uint8Array> {
  const { width } = cover;
  const { rows, blockRows, blockCols, blocks, mask } = await floatContainer(model, cover, fed, headroom);
  const levels = await searchRounding(model, blocks, mask, audioToBlocks(payload, width, rows), blockRows, blockCols);
  return keepTilesWithAudio(cover, blocksToRgb(levels, width, rows), payload.length);
}
