/** Spreading: a short clip is resampled up to fill spare capacity, and back down after reveal (plus emphasis and gain). */
import { normaliseClip } from '../../audio/normalise.js';
import { resampledLength } from '../../audio/resample.js';
import { resampleFast } from '../../audio/resample-tf.js';
import { denoiseInPlace } from '../../audio/denoise.js';
import { deEmphasiseInPlace, preEmphasise, PRE_EMPHASIS } from '../../audio/emphasis.js';
import { SAMPLE_RATE } from '../../container/layout.js';
import { SCRAMBLE_FRAME } from './key-scramble.js';
import { COVER_HEADROOM } from './model.js';

/**
 * Most copies older containers (payload header version 1) carried; reveal still averages them. New containers spend
 * spare room on spreading instead (see {@link spreadRate}), which measured better on both axes.
 */
export const MAX_COPIES = 3;

/**
 * Longest stretch of a spread clip: at most 3× its length. Spreading further measured no better (SI-SNR 16.4 dB at
 * 3×, 16.2 at 4×, eight Kodak photos at a tenth of capacity) for more changed pixels.
 */
export const MAX_SPREAD = 3;

/**
 * Share of the image's capacity a spread clip may fill. Spreading trades image quality for audio quality (every
 * extra value carrying audio is a changed pixel), so it stops at this budget: a 10 s clip in a 512×512 photo is
 * spread ×1.5 and stays near 45 dB PSNR; a clip already longer than the budget is not spread at all.
 */
export const SPREAD_BUDGET = 0.16;

/** Spread rates are whole multiples of this many Hz (keeps the resampler's polyphase table small). */
export const SPREAD_STEP_HZ = 1000;

/**
 * The rate a clip of `sampleCount` 8 kHz samples is spread to in an image holding `capacitySamples`: the clip is
 * resampled up to this rate before embedding and back down after reveal. The reveal error is broadband while speech
 * is not, so the way down filters out the part of the error above the clip's band: at a tenth of capacity, spreading
 * ×1.5 gains 2.4 dB SI-SNR for 2 dB PSNR and ×2 gains 3.6 dB, where a second averaged copy gained 1.1 dB for 3.4 dB.
 * Returns {@link SAMPLE_RATE} (no spreading) when the clip fills the budget already.
 */
export function spreadRate(sampleCount: number, capacitySamples: number): number {
  const stretch = Math.min(MAX_SPREAD, (SPREAD_BUDGET * capacitySamples) / Math.max(1, sampleCount));
  let rate = Math.max(SAMPLE_RATE, Math.floor((SAMPLE_RATE * stretch) / SPREAD_STEP_HZ) * SPREAD_STEP_HZ);
  while (rate > SAMPLE_RATE && payloadSlots(sampleCount, rate) > capacitySamples) rate -= SPREAD_STEP_HZ;
  return rate;
}

/** Samples of a clip of `sampleCount` 8 kHz samples once spread to `rate` (the resampler's output length). */
export function spreadLength(sampleCount: number, rate: number): number {
  return resampledLength(sampleCount, SAMPLE_RATE, rate);
}

/** Channel values one copy of the payload fills: the spread clip padded to whole scramble frames. */
export function payloadSlots(sampleCount: number, rate: number): number {
  return Math.ceil(spreadLength(sampleCount, rate) / SCRAMBLE_FRAME) * SCRAMBLE_FRAME;
}

/** The normalised 8 kHz clip spread to `rate` (see {@link spreadRate}), zero-padded to {@link payloadSlots}. */
export function spreadClip(normalised: Float32Array, rate: number): Float32Array {
  const out = new Float32Array(payloadSlots(normalised.length, rate));
  out.set(resampleFast(normalised, SAMPLE_RATE, rate));
  return out;
}

/** Inverse of {@link spreadClip}: the spread samples back at 8 kHz, exactly `sampleCount` of them. */
export function despreadClip(spread: Float32Array, rate: number, sampleCount: number): Float32Array {
  const out = new Float32Array(sampleCount);
  out.set(
    resampleFast(spread.subarray(0, spreadLength(sampleCount, rate)), rate, SAMPLE_RATE).subarray(0, sampleCount),
  );
  return out;
}

/** The clip as the nets carry it (before any key), with what the header needs to undo it. */
export interface PreparedPayload {
  /** Pre-emphasised, normalised, spread to `spreadRate` and padded to {@link payloadSlots}. */
  payload: Float32Array;
  /** Normalisation gain of the pre-emphasised clip. */
  gain: number;
  spreadRate: number;
  emphasis: number;
  /** How far inside [0, 1] Hiding keeps the cover for this clip ({@link hidingHeadroom}). */
  headroom: number;
}

/**
 * The 8 kHz `clip` prepared for the nets in an image holding `capacitySamples`: pre-emphasised ({@link PRE_EMPHASIS}),
 * normalised, spread. One recipe for embed and evaluation; reveal undoes it with {@link despreadRevealed}.
 */
export function preparePayload(clip: Float32Array, capacitySamples: number): PreparedPayload {
  const { samples, gain } = normaliseClip(preEmphasise(clip, PRE_EMPHASIS));
  const rate = spreadRate(clip.length, capacitySamples);
  return {
    payload: spreadClip(samples, rate),
    gain,
    spreadRate: rate,
    emphasis: PRE_EMPHASIS,
    headroom: hidingHeadroom(rate),
  };
}

/**
 * Headroom Hiding gets for a spread clip: 6 levels instead of {@link COVER_HEADROOM}'s 3, so saturated regions clip
 * less of the residual; a short clip in a big photo can afford it. 6 is the last step that bought more than a dB of
 * SI-SNR per dB of PSNR on training data (3 → 6: +0.66 dB for −0.34 dB; the sweep is in docs/schemes/neural.md).
 */
export const SPREAD_HEADROOM = 6 / 255;

/** The cover headroom for a clip spread to `rate`: {@link SPREAD_HEADROOM} when spread, else {@link COVER_HEADROOM}. */
export function hidingHeadroom(rate: number): number {
  return rate > SAMPLE_RATE ? SPREAD_HEADROOM : COVER_HEADROOM;
}

/**
 * What reveal makes of revealed spread samples: {@link despreadClip}, the post-filter when `denoise` is on (where the
 * error is still white), then de-emphasis with the header's `emphasis`. Still normalised: the caller divides by the gain.
 */
export function despreadRevealed(
  spread: Float32Array,
  rate: number,
  sampleCount: number,
  denoise: boolean,
  emphasis: number,
): Float32Array {
  const clip = despreadClip(spread, rate, sampleCount);
  if (denoise) denoiseInPlace(clip);
  return deEmphasiseInPlace(clip, emphasis);
}
