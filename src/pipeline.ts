/** Embed and reveal end to end (bytes in, bytes out) on the active tfjs backend: used by the CLI and the worker alike. */
import { denormaliseClip, normaliseClip, peakNormalise } from './audio/normalise.js';
import { decodeImage, encodePng, sniffImage, type RgbImage } from './formats/image.js';
import { resampledLength } from './audio/resample.js';
import { decodeWav, encodeWav16, sniffWav } from './formats/wav.js';
import { parseChoice } from './util/choice.js';
import { StegError } from './util/errors.js';
import { scramble, SCRAMBLE_FRAME, unscramble } from './schemes/neural/key-scramble.js';
import {
  audioToBlocks,
  BLOCK,
  BLOCK_CHANNELS,
  blocksToAudio,
  blocksToRgb,
  carryingBlockMask,
  paddedSize,
  rawCapacitySamples,
  rgbToBlocks,
  SAMPLE_RATE,
  SAMPLES_PER_TILE,
  TILE,
  tileGrid,
} from './container/layout.js';
import { runInBands } from './schemes/neural/banded.js';
import { searchRounding } from './schemes/neural/round-search.js';
import { denoiseInPlace } from './audio/denoise.js';
import { deEmphasiseInPlace, preEmphasise, PRE_EMPHASIS } from './audio/emphasis.js';
import { resampleFast } from './audio/resample-tf.js';
import { COVER_HEADROOM, embed, receptiveReach, reveal } from './schemes/neural/model.js';
import {
  ENVELOPE_BYTES,
  envelopeDistanceDb,
  HEADER_VALUES,
  loudnessEnvelope,
  readHeaderBits,
  writeHeaderBits,
} from './container/header.js';
import type { LoadedModel } from './schemes/neural/weights-format.js';
import { codedCapacitySamples, codedLevels, codedPostFilter, codedRows, embedCoded, revealCoded, type Scheme } from './schemes/coded/payload.js';

/** Input limits, checked from headers before anything is decoded. */
export interface Limits {
  /** Largest cover/container in pixels (width × height). */
  maxPixels: number;
  /** Longest audio input in seconds (at its own sample rate), before the capacity check. */
  maxAudioSeconds: number;
  /**
   * Largest region (pixels the nets process) that `quality=high` works on when the clip is longer than the
   * spreading budget; clips within the budget always get it. Default {@link DEFAULT_HIGH_PIXELS}.
   */
  maxHighPixels?: number;
}

/**
 * Default of {@link Limits.maxHighPixels}: a 512×512 region. The rounding search keeps arrays of the whole region
 * (about 36 bytes per pixel) besides its ≤ 49 MiB of tiled tensors: 512×512 at full density stays near 100 MB in all,
 * a megapixel would not fit a Worker's 128 MB. Node tools may raise it.
 */
export const DEFAULT_HIGH_PIXELS = 512 * 512;

/** Defaults sized for a 128 MB Workers isolate: 1024×1024 photos, 10 minutes of input audio. */
export const DEFAULT_LIMITS: Limits = { maxPixels: 1024 * 1024, maxAudioSeconds: 600, maxHighPixels: DEFAULT_HIGH_PIXELS };

/** How much audio an image holds. */
export interface Capacity {
  samples: number;
  seconds: number;
  sampleRate: number;
}

/** Audio capacity of a `width`×`height` image: one 8 kHz sample per 8-bit channel value of every full 32×32 tile. */
export function capacity(width: number, height: number): Capacity {
  const samples = rawCapacitySamples(width, height);
  return { samples, seconds: samples / SAMPLE_RATE, sampleRate: SAMPLE_RATE };
}

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

/**
 * Strength of the feedback pass (see {@link embedFedBack}): the payload is embedded again with this share of its
 * reveal error added. Measured on six Kodak photos at a tenth of capacity: 0.3 gains 0.85 dB SI-SNR for 0.21 dB
 * PSNR, 0.5 gains 1.05 dB for 0.34 dB, 0.7 gains 1.11 dB for 0.46 dB; a second pass at 0.5 adds 0.28 dB for 0.18 dB.
 * Spreading further buys 1 dB of SI-SNR for about 1.3 dB of PSNR, so feedback is the cheaper trade.
 */
export const FEEDBACK_GAIN = 0.5;

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
  out.set(resampleFast(spread.subarray(0, spreadLength(sampleCount, rate)), rate, SAMPLE_RATE).subarray(0, sampleCount));
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
  return { payload: spreadClip(samples, rate), gain, spreadRate: rate, emphasis: PRE_EMPHASIS, headroom: hidingHeadroom(rate) };
}

/**
 * Headroom Hiding gets for a spread clip: the cover kept 6 levels inside [0, 255] instead of {@link COVER_HEADROOM}'s
 * 3, so near-black and near-white regions clip less of the residual at rounding. It moves saturated pixels further,
 * which a short clip in a big photo can afford. Chosen on training data (8 bsds500 photos, FSDD recordings 5–49, a
 * tenth of capacity): 3 / 6 / 9 / 12 levels gave 46.15 / 45.81 / 45.24 / 44.50 dB PSNR and 17.92 / 18.58 / 18.98 /
 * 19.20 dB SI-SNR, 6 being the last step that buys more than a dB of SI-SNR per dB of PSNR.
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
export function despreadRevealed(spread: Float32Array, rate: number, sampleCount: number, denoise: boolean, emphasis: number): Float32Array {
  const clip = despreadClip(spread, rate, sampleCount);
  if (denoise) denoiseInPlace(clip);
  return deEmphasiseInPlace(clip, emphasis);
}

/** Result of {@link embedAudio}. */
export interface EmbedResult {
  png: Uint8Array;
  width: number;
  height: number;
  /** Duration of the embedded clip and the image's capacity, in seconds. */
  seconds: number;
  capacitySeconds: number;
  /** Rate the clip was spread to before embedding (see {@link spreadRate}); 8000 = not spread. */
  spreadRate: number;
  /** True when the feedback pass and rounding search ran (quality `high`, where {@link usesFeedback} allows it). */
  fedBack: boolean;
  /** How the audio was hidden. */
  scheme: Scheme;
}

/** Result of {@link revealAudio}. */
export interface RevealResult {
  wav: Uint8Array;
  samples: Float32Array;
  seconds: number;
  keyed: boolean;
  /** How the audio was hidden (read from the container's header). */
  scheme: Scheme;
  /** Mean loudness-envelope error of the revealed audio against the header's fingerprint, in dB. */
  fingerprintDriftDb: number;
  /** True when the post-filter ({@link denoiseRevealed}) ran (asked for, and for a coded clip {@link codedPostFilter}). */
  denoised: boolean;
}

/**
 * Image rows (from the top) the nets process for a clip of `sampleCount` samples: the tile rows that carry it. No
 * margin of context below: the nets were trained on 32×32 crops with zero padding at every edge, and a 32-pixel
 * margin measured no better (same PSNR, SI-SNR 0.02 dB lower on six Kodak photos at a tenth of capacity) for 17 % more
 * work on a 10 s clip in a 512×512 photo.
 */
export function regionHeight(width: number, height: number, sampleCount: number): number {
  const { cols } = tileGrid(width, height);
  const tileRows = Math.ceil(Math.ceil(sampleCount / SAMPLES_PER_TILE) / cols);
  return Math.min(height, tileRows * TILE);
}

function checkCoverSize(width: number, height: number, limits: Limits): void {
  if (width * height > limits.maxPixels)
    throw new StegError('too_large', `image is ${width}×${height} = ${width * height} pixels; the limit is ${limits.maxPixels}`);
  if (rawCapacitySamples(width, height) === 0 || width * height * 3 < HEADER_VALUES)
    throw new StegError('too_large', `image is ${width}×${height}; it must be at least ${TILE}×${TILE} pixels to hold audio`);
}

/**
 * Decodes a WAV upload to normalised-rate mono samples at 8 kHz, checking limits from the header first: the length
 * limit, and with `capacitySamples` whether the clip fits (see {@link assertFits} for `frame`).
 */
export function decodeAudioInput(audioBytes: Uint8Array, limits: Limits, capacitySamples?: number, frame = SCRAMBLE_FRAME): Float32Array {
  const info = sniffWav(audioBytes);
  const seconds = info.frames / info.sampleRate;
  if (seconds > limits.maxAudioSeconds)
    throw new StegError('too_large', `audio is ${seconds.toFixed(2)} s; the limit is ${limits.maxAudioSeconds} s`);
  if (capacitySamples !== undefined) assertFits(Math.round(seconds * SAMPLE_RATE), capacitySamples, frame);
  const { sampleRate, samples } = decodeWav(audioBytes, { maxFrames: Math.ceil(limits.maxAudioSeconds * info.sampleRate) });
  return sampleRate === SAMPLE_RATE ? samples : resampleFast(samples, sampleRate, SAMPLE_RATE);
}

/**
 * Refuses a clip of `sampleCount` samples that does not fit `capacitySamples` once padded to whole `frame`s: the
 * neural scheme's scrambling pads to {@link SCRAMBLE_FRAME}, the coded scheme pads nothing (`frame` 1).
 */
function assertFits(sampleCount: number, capacitySamples: number, frame = SCRAMBLE_FRAME): void {
  if (Math.ceil(sampleCount / frame) * frame > capacitySamples)
    throw new StegError(
      'too_long',
      `audio is ${(sampleCount / SAMPLE_RATE).toFixed(2)} s but this image holds at most ` +
        `${(Math.floor(capacitySamples / frame) * frame / SAMPLE_RATE).toFixed(2)} s`,
    );
}

/**
 * Hides the clip in the cover: PNG or JPEG + WAV in, PNG out (same width and height as the cover). With a key the
 * audio is scrambled first, and only the same key unscrambles it. Throws StegError for every bad input.
 */
export async function embedAudio(
  model: LoadedModel,
  imageBytes: Uint8Array,
  audioBytes: Uint8Array,
  options: { key?: string; limits?: Limits; quality?: Quality; scheme?: Scheme } = {},
): Promise<EmbedResult> {
  const limits = options.limits ?? DEFAULT_LIMITS;
  const { width, height } = sniffImage(imageBytes);
  checkCoverSize(width, height, limits);
  if (options.scheme === 'coded') return embedCodedAudio(imageBytes, audioBytes, width, height, limits, options.key);
  const cap = capacity(width, height);
  const audio = decodeAudioInput(audioBytes, limits, cap.samples);
  if (audio.length === 0) throw new StegError('bad_audio', 'the audio has no samples');
  assertFits(audio.length, cap.samples);
  const cover = await decodeImage(imageBytes, { maxPixels: limits.maxPixels });
  const { payload: spread, gain, spreadRate: rate, emphasis, headroom } = preparePayload(audio, cap.samples);
  // Scrambling comes after spreading, so each scrambled frame is a smooth piece of the spread clip.
  const payload = options.key ? await scramble(spread, options.key) : spread;
  const quality = options.quality ?? 'standard';
  // Feedback and search cost another embed, a reveal and two gradient passes: always offered for a short clip, and for
  // a long one while its region fits the memory limit; otherwise the single pass, whatever the quality asked for.
  const regionPixels = width * regionHeight(width, height, payload.length);
  const fedBack = usesFeedback(audio.length, cap.samples, quality, regionPixels, limits.maxHighPixels);
  const rgb = fedBack ? await embedFedBack(model, cover, payload, headroom) : await embedSamples(model, cover, payload, headroom);
  writeHeaderBits(rgb, {
    width,
    height,
    sampleCount: audio.length,
    gain,
    keyed: Boolean(options.key),
    copies: 1,
    spreadRate: rate,
    emphasis,
    envelope: loudnessEnvelope(payload),
  });
  return {
    png: encodePng({ width, height, data: rgb }),
    width,
    height,
    seconds: audio.length / SAMPLE_RATE,
    capacitySeconds: cap.seconds,
    spreadRate: rate,
    fedBack,
    scheme: 'neural',
  };
}

/** {@link embedAudio} for the coded scheme: no nets, no spreading; the clip's symbols take every value it can use. */
async function embedCodedAudio(imageBytes: Uint8Array, audioBytes: Uint8Array, width: number, height: number, limits: Limits, key: string | undefined): Promise<EmbedResult> {
  const capSamples = codedCapacitySamples(width, height);
  const audio = decodeAudioInput(audioBytes, limits, capSamples, 1);
  if (audio.length === 0) throw new StegError('bad_audio', 'the audio has no samples');
  assertFits(audio.length, capSamples, 1);
  const cover = await decodeImage(imageBytes, { maxPixels: limits.maxPixels });
  const { samples, gain } = peakNormalise(audio);
  const { rgb, coded } = await embedCoded(cover, samples, key);
  writeHeaderBits(rgb, { width, height, sampleCount: audio.length, gain, keyed: Boolean(key), copies: 1, spreadRate: SAMPLE_RATE, emphasis: 0, envelope: new Uint8Array(ENVELOPE_BYTES), coded });
  return {
    png: encodePng({ width, height, data: rgb }),
    width,
    height,
    seconds: audio.length / SAMPLE_RATE,
    capacitySeconds: capSamples / SAMPLE_RATE,
    spreadRate: SAMPLE_RATE,
    fedBack: false,
    scheme: 'coded',
  };
}

/** The region the nets process for a payload: its tile rows, as block grids of the cover and the container. */
export interface EmbeddedRegion {
  /** Image rows from the top ({@link regionHeight}) and the block grid they make (padded to whole tiles). */
  rows: number;
  blockRows: number;
  blockCols: number;
  /** The cover's blocks, values in [0, 1]. */
  coverBlocks: Float32Array;
  /** The container's blocks: 8-bit levels with `round`, the float container with `none`. */
  blocks: Float32Array;
}

/** Prepare + Hiding over the tile rows that carry `payload` (normalised samples), in bands (see banded.ts). */
export async function embedRegion(model: LoadedModel, cover: RgbImage, payload: Float32Array, quantize: 'round' | 'none', headroom = COVER_HEADROOM): Promise<EmbeddedRegion> {
  const { width, height } = cover;
  const rows = regionHeight(width, height, payload.length);
  const padded = paddedSize(width, rows);
  const [blockRows, blockCols] = [padded.height / BLOCK, padded.width / BLOCK];
  const coverBlocks = rgbToBlocks(cover.data.subarray(0, rows * width * 3), width, rows);
  const blocks = await runInBands([coverBlocks, audioToBlocks(payload, width, rows)], blockRows, blockCols, receptiveReach(model.config, 'embed'), ([c, a]) =>
    embed(model.weights, model.config, c!, a!, quantize, undefined, headroom),
  );
  return { rows, blockRows, blockCols, coverBlocks, blocks };
}

/**
 * The float container (no rounding) for `payload`, with the cover's values outside the tiles that carry samples, as
 * {@link keepTilesWithAudio} makes the saved container; and the carrying mask, one value per block position.
 */
export async function floatContainer(model: LoadedModel, cover: RgbImage, payload: Float32Array, headroom = COVER_HEADROOM): Promise<EmbeddedRegion & { mask: Float32Array }> {
  const region = await embedRegion(model, cover, payload, 'none', headroom);
  const mask = carryingBlockMask(cover.width, region.blockRows, region.blockCols, payload.length);
  const { blocks, coverBlocks } = region;
  for (let i = 0; i < blocks.length; i++) if (mask[Math.floor(i / BLOCK_CHANNELS)] !== 1) blocks[i] = coverBlocks[i]!;
  return { ...region, mask };
}

/** Reveal over a block grid, in bands: the audio blocks. */
export function revealBlocks(model: LoadedModel, blocks: Float32Array, blockRows: number, blockCols: number): Promise<Float32Array> {
  return runInBands([blocks], blockRows, blockCols, receptiveReach(model.config, 'reveal'), ([c]) => reveal(model.weights, model.config, c!));
}

/**
 * Runs Prepare + Hiding on the tile rows that carry `payload` and returns the container's 8-bit RGB;
 * rows below are the cover untouched. `payload` holds normalised samples in [-1, 1].
 */
export async function embedSamples(model: LoadedModel, cover: RgbImage, payload: Float32Array, headroom = COVER_HEADROOM): Promise<Uint8Array> {
  const { rows, blocks } = await embedRegion(model, cover, payload, 'round', headroom);
  return keepTilesWithAudio(cover, blocksToRgb(blocks, cover.width, rows), payload.length);
}

/**
 * How hard embed works for the audio: `standard` runs the nets once; `high` adds the feedback pass and the rounding
 * search ({@link embedFedBack}; where, see {@link usesFeedback}): on kodak24, +1.85 dB SI-SNR for −0.39 dB PSNR at a
 * tenth of capacity (about 2.5× the time) and +1.6 dB for −0.4 dB at 90 % (about 5× the time).
 */
export const QUALITIES = ['standard', 'high'] as const;
export type Quality = (typeof QUALITIES)[number];

/** Reads a quality name (API field); absent → `standard`, anything else → `bad_request`. */
export function parseQuality(value: string | undefined): Quality {
  return parseChoice('quality', QUALITIES, value, 'standard');
}

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
export async function embedFedBack(model: LoadedModel, cover: RgbImage, payload: Float32Array, headroom = COVER_HEADROOM): Promise<Uint8Array> {
  const first = await embedSamples(model, cover, payload, headroom);
  const revealed = await revealSamples(model, { width: cover.width, height: cover.height, data: first }, payload.length);
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
async function embedSearched(model: LoadedModel, cover: RgbImage, fed: Float32Array, payload: Float32Array, headroom: number): Promise<Uint8Array> {
  const { width } = cover;
  const { rows, blockRows, blockCols, blocks, mask } = await floatContainer(model, cover, fed, headroom);
  const levels = await searchRounding(model, blocks, mask, audioToBlocks(payload, width, rows), blockRows, blockCols);
  return keepTilesWithAudio(cover, blocksToRgb(levels, width, rows), payload.length);
}

/**
 * The cover with only the 32×32 tiles that carry samples taken from `region` (the nets' output for the top rows).
 * The nets also nudge the unused tiles of the last tile row and the columns right of the last whole
 * tile; reveal never reads those, so putting the cover back there is free image quality (+0.2 to +0.9 dB PSNR at a
 * tenth of capacity, the revealed audio unchanged).
 */
export function keepTilesWithAudio(cover: RgbImage, region: Uint8Array, sampleCount: number): Uint8Array {
  const { width } = cover;
  const { cols } = tileGrid(width, cover.height);
  const tiles = Math.ceil(sampleCount / SAMPLES_PER_TILE);
  const out = cover.data.slice();
  for (let tileRow = 0; tileRow * cols < tiles; tileRow++) {
    const span = Math.min(cols, tiles - tileRow * cols) * TILE * 3;
    for (let y = tileRow * TILE; y < (tileRow + 1) * TILE; y++) {
      const start = y * width * 3;
      out.set(region.subarray(start, start + span), start);
    }
  }
  return out;
}

/** Runs Reveal on the rows that carry `sampleCount` samples and returns them (normalised, possibly scrambled). */
export async function revealSamples(model: LoadedModel, container: RgbImage, sampleCount: number): Promise<Float32Array> {
  const { width, height } = container;
  const rows = regionHeight(width, height, sampleCount);
  const padded = paddedSize(width, rows);
  const blocks = rgbToBlocks(container.data.subarray(0, rows * width * 3), width, rows);
  return blocksToAudio(await revealBlocks(model, blocks, padded.height / BLOCK, padded.width / BLOCK), width, rows, sampleCount);
}

/** Mean loudness-envelope error (dB) above which the revealed audio is not trusted. */
export const ENVELOPE_TOLERANCE_DB = 6;

/**
 * Recovers the clip from a container PNG: 16-bit PCM mono 8 kHz WAV of the embedded duration. No payload, or a
 * container altered so the audio no longer decodes (resized, cropped, re-encoded) → StegError 422. A keyed payload
 * revealed with a wrong or missing key comes back as noise: the key is not checked, by design.
 */
export async function revealAudio(
  model: LoadedModel,
  imageBytes: Uint8Array,
  options: {
    key?: string;
    limits?: Limits;
    /** Wiener post-filter against the nets' error (default true); false returns what Reveal read, unfiltered. */
    denoise?: boolean;
    /** Evaluation only: report the fingerprint drift instead of refusing. */
    ignoreFingerprint?: boolean;
  } = {},
): Promise<RevealResult> {
  const limits = options.limits ?? DEFAULT_LIMITS;
  const { format, width, height } = sniffImage(imageBytes);
  if (format !== 'png')
    throw new StegError('unsupported_media_type', 'containers are PNG files; a JPEG cannot carry stegavox audio (JPEG compression destroys it)');
  if (width * height > limits.maxPixels)
    throw new StegError('too_large', `image is ${width}×${height} = ${width * height} pixels; the limit is ${limits.maxPixels}`);
  // Only the top rows matter: first the few that hold the header, then the region it names. A short clip in a big
  // photo never inflates the rest of the PNG.
  const top = await decodeImage(imageBytes, { maxPixels: limits.maxPixels, maxRows: Math.ceil(HEADER_VALUES / (3 * width)) });
  const header = readHeaderBits(top.data);
  if (header.width !== width || header.height !== height)
    throw new StegError('damaged_payload', `the container was made at ${header.width}×${header.height} but is ${width}×${height}: it was resized or cropped`);
  const denoise = options.denoise ?? true;
  if (header.coded) {
    const rows = Math.min(height, codedRows(width, header.sampleCount, header.coded.digitsPerSample));
    const container = rows <= top.height ? top : await decodeImage(imageBytes, { maxPixels: limits.maxPixels, maxRows: rows });
    const clip = await revealCoded(container.data, header, options.key);
    const filtered = denoise && codedPostFilter(codedLevels(header.coded));
    if (filtered) denoiseInPlace(clip);
    const samples = denormaliseClip(clip, header.gain);
    return { wav: encodeWav16(samples, SAMPLE_RATE), samples, seconds: header.sampleCount / SAMPLE_RATE, keyed: header.keyed, scheme: 'coded', fingerprintDriftDb: 0, denoised: filtered };
  }
  const slots = payloadSlots(header.sampleCount, header.spreadRate);
  if (header.copies > MAX_COPIES || header.spreadRate > MAX_SPREAD * SAMPLE_RATE || slots * header.copies > rawCapacitySamples(width, height))
    throw new StegError('damaged_payload', 'the payload header claims more audio than the image holds');
  const rows = regionHeight(width, height, slots * header.copies);
  const container = rows <= top.height ? top : await decodeImage(imageBytes, { maxPixels: limits.maxPixels, maxRows: rows });
  const all = await revealSamples(model, container, slots * header.copies);
  const payload = new Float32Array(slots);
  for (let c = 0; c < header.copies; c++) for (let i = 0; i < slots; i++) payload[i]! += all[c * slots + i]! / header.copies;
  const drift = envelopeDistanceDb(loudnessEnvelope(payload), header.envelope);
  if (drift > ENVELOPE_TOLERANCE_DB && !options.ignoreFingerprint)
    throw new StegError('damaged_payload', `the hidden audio no longer matches its fingerprint (${drift.toFixed(1)} dB off): the container was altered`);
  const spread = header.keyed ? await unscramble(payload, options.key ?? '', slots) : payload;
  const samples = denormaliseClip(despreadRevealed(spread, header.spreadRate, header.sampleCount, denoise, header.emphasis), header.gain);
  return {
    wav: encodeWav16(samples, SAMPLE_RATE),
    samples,
    seconds: header.sampleCount / SAMPLE_RATE,
    keyed: header.keyed,
    scheme: 'neural',
    fingerprintDriftDb: drift,
    denoised: denoise,
  };
}
