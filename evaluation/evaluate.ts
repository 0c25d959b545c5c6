/** Held-out evaluation: real photos + unseen speech through the real pipeline (PNG round trip), and the float path. */
import { decodeImage, type RgbImage } from '../src/formats/image.js';
import { encodeWav16 } from '../src/formats/wav.js';
import { blocksToAudio, SAMPLE_RATE } from '../src/container/layout.js';
import { mse, pcc, psnr, siSnr, ssim } from '../src/metrics/quality.js';
import { capacity, embedAudio, revealAudio } from '../src/pipeline/index.js';
import { despreadRevealed, preparePayload } from '../src/schemes/neural/spreading.js';
import { ENVELOPE_TOLERANCE_DB } from '../src/schemes/neural/scheme.js';
import { floatContainer, revealBlocks } from '../src/schemes/neural/region.js';
import { usesFeedback, withFeedback } from '../src/schemes/neural/feedback.js';
import { type Limits } from '../src/pipeline/limits.js';
import { type Quality } from '../src/schemes/scheme.js';
import type { LoadedModel } from '../src/schemes/neural/weights-format.js';
import { type SchemeName, schemeNamed } from '../src/schemes/registry.js';

/** Figures of one image/clip pair. */
export interface PairResult {
  image: string;
  width: number;
  height: number;
  seconds: number;
  /** Container vs cover after the PNG round trip (8-bit). */
  mse: number;
  psnr: number;
  ssim: number;
  /** Revealed vs original audio after the PNG round trip. */
  pcc: number;
  siSnr: number;
  /** The same on the float container (no 8-bit rounding): what the nets do before the file format bites. */
  float: { mse: number; psnr: number; pcc: number; siSnr: number };
  /** True when the server would have answered 422 damaged_payload (revealed audio far from its fingerprint). */
  refused: boolean;
}

/** Means over pairs, for the report. */
export interface Summary {
  pairs: number;
  density: number;
  mse: number;
  psnr: number;
  ssim: number;
  pcc: number;
  siSnr: number;
  float: { mse: number; psnr: number; pcc: number; siSnr: number };
  /** Pairs the server would have refused as damaged. */
  refused: number;
}

/** Node has the memory: any photo size, any clip, and quality=high on any region. */
const EVAL_LIMITS: Limits = { maxPixels: 16_000_000, maxAudioSeconds: 3600, maxHighPixels: Infinity };

/** The PNG round-trip path: exactly what `stegavox embed` then `stegavox reveal` do. */
async function roundTrip(
  model: LoadedModel,
  imageBytes: Uint8Array,
  clip: Float32Array,
  key: string | undefined,
  quality: Quality,
  denoise: boolean,
  scheme: SchemeName,
) {
  const wav = encodeWav16(clip, SAMPLE_RATE);
  const embedded = await embedAudio(model, imageBytes, wav, { limits: EVAL_LIMITS, key, quality, scheme });
  // Measure every pair, and count those the server would refuse as damaged (fingerprint drift over tolerance).
  const revealed = await revealAudio(model, embedded.png, {
    limits: EVAL_LIMITS,
    key,
    denoise,
    ignoreFingerprint: true,
  });
  return {
    png: embedded.png,
    container: await decodeImage(embedded.png, { maxPixels: EVAL_LIMITS.maxPixels }),
    revealed: revealed.samples,
    refused: revealed.fingerprintDriftDb > ENVELOPE_TOLERANCE_DB,
  };
}

/**
 * The float path: what embedAudio does (spreading, the feedback pass, the same region, only tiles that carry samples
 * count as changed), without the 8-bit rounding, keying and header; Reveal reads the float container, and the same
 * post-filter runs when `denoise` is on.
 */
async function floatPath(model: LoadedModel, cover: RgbImage, clip: Float32Array, quality: Quality, denoise: boolean) {
  const { width, height } = cover;
  const cap = capacity(width, height).samples;
  const { payload, spreadRate: rate, emphasis, headroom } = preparePayload(clip, cap);
  const once = async (fed: Float32Array) => {
    const { rows, blockRows, blockCols, blocks, coverBlocks } = await floatContainer(model, cover, fed, headroom);
    // Outside the carrying tiles the container is the cover, so the nets' changes there do not count.
    let squared = 0;
    for (let i = 0; i < blocks.length; i++) squared += (blocks[i]! - coverBlocks[i]!) ** 2;
    const revealed = blocksToAudio(
      await revealBlocks(model, blocks, blockRows, blockCols),
      width,
      rows,
      payload.length,
    );
    return { mse: squared / cover.data.length, revealed, rows };
  };
  let result = await once(payload);
  if (usesFeedback(clip.length, cap, quality, width * result.rows, EVAL_LIMITS.maxHighPixels))
    result = await once(withFeedback(payload, result.revealed));
  return { mse: result.mse, revealed: despreadRevealed(result.revealed, rate, clip.length, denoise, emphasis) };
}

/** A clip of `length` samples cut from `stream` starting at `offset` (wrapping), quantised to 16 bit as a WAV would be. */
export function clipFrom(stream: Float32Array, offset: number, length: number): Float32Array {
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) out[i] = Math.round(stream[(offset + i) % stream.length]! * 32767) / 32767;
  return out;
}

/**
 * Evaluates one cover with a clip filling `density` of its capacity; returns the figures and the arrays the
 * figures are drawn from.
 */
export async function evaluatePair(
  model: LoadedModel,
  name: string,
  imageBytes: Uint8Array,
  audioStream: Float32Array,
  offset: number,
  density: number,
  options: {
    key?: string;
    quality?: Quality;
    /** Reveal's post-filter (default on, as the API). */
    denoise?: boolean;
    /** Schemes without nets have no float container: their float figures repeat the round trip's. Density is of the scheme's own capacity. */
    scheme?: SchemeName;
    /** Clip length in samples instead of `density` (kept within the scheme's capacity, whole 48-sample blocks). */
    clipSamples?: number;
  } = {},
): Promise<{ result: PairResult; cover: RgbImage; container: RgbImage; clip: Float32Array; revealed: Float32Array }> {
  const cover = await decodeImage(imageBytes, { maxPixels: EVAL_LIMITS.maxPixels });
  const scheme = options.scheme ?? 'neural';
  const capSamples = capacity(cover.width, cover.height, scheme).samples;
  const length = Math.floor(Math.min(capSamples, options.clipSamples ?? capSamples * density) / 48) * 48;
  const clip = clipFrom(audioStream, offset, length);
  const quality = options.quality ?? 'standard';
  const denoise = options.denoise ?? true;
  const trip = await roundTrip(model, imageBytes, clip, options.key, quality, denoise, scheme);
  // Only the nets have a float container before 8-bit rounding; a digital scheme's float figures are its round trip's.
  const f = schemeNamed(scheme).needsModel
    ? await floatPath(model, cover, clip, quality, denoise)
    : { mse: mse(trip.container.data, cover.data), revealed: trip.revealed };
  const result: PairResult = {
    image: name,
    width: cover.width,
    height: cover.height,
    seconds: length / SAMPLE_RATE,
    mse: mse(trip.container.data, cover.data),
    psnr: psnr(mse(trip.container.data, cover.data)),
    ssim: ssim(trip.container.data, cover.data, cover.width, cover.height),
    pcc: pcc(clip, trip.revealed),
    siSnr: siSnr(clip, trip.revealed),
    float: { mse: f.mse, psnr: psnr(f.mse), pcc: pcc(clip, f.revealed), siSnr: siSnr(clip, f.revealed) },
    refused: trip.refused,
  };
  return { result, cover, container: trip.container, clip, revealed: trip.revealed };
}

function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
}

/** Means of the per-pair figures (PSNR averaged in dB, MSE on the [0, 1] scale). */
export function summarise(results: PairResult[], density: number): Summary {
  return {
    pairs: results.length,
    density,
    refused: results.filter((r) => r.refused).length,
    mse: mean(results.map((r) => r.mse)),
    psnr: mean(results.map((r) => r.psnr)),
    ssim: mean(results.map((r) => r.ssim)),
    pcc: mean(results.map((r) => r.pcc)),
    siSnr: mean(results.map((r) => r.siSnr)),
    float: {
      mse: mean(results.map((r) => r.float.mse)),
      psnr: mean(results.map((r) => r.float.psnr)),
      pcc: mean(results.map((r) => r.float.pcc)),
      siSnr: mean(results.map((r) => r.float.siSnr)),
    },
  };
}

/** The summary as a markdown table (PNG round trip and float container side by side). */
export function markdownTable(s: Summary, label: string): string {
  const f = (x: number, d = 2) => x.toFixed(d);
  return [
    `| ${label} | MSE (image, [0,1]) | PSNR dB | SSIM | PCC | SI-SNR dB |`,
    '|---|---|---|---|---|---|',
    `| after PNG round trip | ${s.mse.toExponential(2)} | ${f(s.psnr)} | ${f(s.ssim, 4)} | ${f(s.pcc, 4)} | ${f(s.siSnr)} |`,
    `| float container | ${s.float.mse.toExponential(2)} | ${f(s.float.psnr)} | – | ${f(s.float.pcc, 4)} | ${f(s.float.siSnr)} |`,
    '',
    `${s.pairs} pairs; ${s.refused} would have been refused as damaged by the server.`,
  ].join('\n');
}
