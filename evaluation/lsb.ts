/** Classic k-bit LSB replacement: the baseline stegavox's rate–distortion table is measured against. */
import { denormaliseClip, normaliseClip } from '../src/audio/normalise.js';
import type { RgbImage } from '../src/formats/image.js';
import { StegError } from '../src/util/errors.js';
import { denoiseRevealed } from '../src/audio/denoise.js';
import { deEmphasiseInPlace, PRE_EMPHASIS, preEmphasise } from '../src/audio/emphasis.js';
import { mse, pcc, psnr, siSnr, ssim } from '../src/metrics/quality.js';

/**
 * How LSB uses channel values the clip does not need (m = values available per sample, ⌊values / samples⌋).
 * `plain`: k bits of one value per sample, so a shorter clip touches fewer values (the classic baseline).
 * `spread`: spare values buy audio precision: each sample a (k·m)-bit code over m values, k bits each
 * (at most {@link LSB_MAX_CODE_BITS} bits). `thin`: spare values buy a smaller change: the same k-bit code as
 * `plain`, its bits spread over up to m values, ⌈k/m⌉ bits each (most significant first).
 * Repetition would buy LSB nothing: it is lossless, every copy reads back the same code.
 */
export type LsbMode = 'plain' | 'spread' | 'thin';

/** Longest code a sample gets in `spread` mode: the source clips are 16-bit PCM. */
export const LSB_MAX_CODE_BITS = 16;

/** Where a clip goes: each sample's code spans `chunks.length` consecutive channel values. */
export interface LsbPlan {
  /** LSB bits of each value a sample spans, most significant chunk first. */
  chunks: number[];
  /** Bits of each sample's code: the sum of {@link chunks}. */
  codeBits: number;
  /** Channel values rewritten: sampleCount · chunks.length, from the first one in raster order. */
  valuesTouched: number;
}

/**
 * The plan for `sampleCount` samples in an image of `values` 8-bit channel values (width·height·3) with k = `bits`.
 * A k outside 1–8 is refused with `bad_request`, a clip that does not fit with `too_long`.
 */
export function lsbPlan(bits: number, sampleCount: number, values: number, mode: LsbMode): LsbPlan {
  if (!Number.isInteger(bits) || bits < 1 || bits > 8)
    throw new StegError('bad_request', `LSB bits must be an integer 1–8, got ${bits}`);
  if (!Number.isInteger(sampleCount) || sampleCount < 1)
    throw new StegError('bad_request', `LSB needs at least one sample, got ${sampleCount}`);
  if (sampleCount > values)
    throw new StegError('too_long', `${sampleCount} samples do not fit ${values} channel values`);
  const room = Math.floor(values / sampleCount);
  let chunks: number[];
  if (mode === 'plain') chunks = [bits];
  else if (mode === 'spread')
    chunks = new Array<number>(Math.max(1, Math.min(room, Math.floor(LSB_MAX_CODE_BITS / bits)))).fill(bits);
  else {
    const per = Math.ceil(bits / room);
    const n = Math.ceil(bits / per);
    chunks = new Array<number>(n).fill(per);
    chunks[n - 1] = bits - per * (n - 1);
  }
  return { chunks, codeBits: chunks.reduce((a, b) => a + b, 0), valuesTouched: sampleCount * chunks.length };
}

/**
 * Samples in [-1, 1] to `codeBits`-bit PCM in offset binary: c = clamp(round(x·2^(b−1)), −2^(b−1), 2^(b−1)−1), stored
 * as c + 2^(b−1). A mid-tread quantiser (silence is a code of its own), the strongest of the uniform quantisers tried
 * on FSDD speech (mid-rise over [−1, 1] and truncation lose 3–5 dB SI-SNR at k = 3).
 */
export function quantiseCodes(samples: Float32Array, codeBits: number): Uint32Array {
  const half = 2 ** (codeBits - 1);
  const out = new Uint32Array(samples.length);
  for (let i = 0; i < samples.length; i++) {
    const c = Math.round(samples[i]! * half);
    out[i] = (c < -half ? -half : c > half - 1 ? half - 1 : c) + half;
  }
  return out;
}

/** Inverse of {@link quantiseCodes}: offset-binary codes back to samples in [−1, 1). */
export function dequantiseCodes(codes: Uint32Array, codeBits: number): Float32Array {
  const half = 2 ** (codeBits - 1);
  const out = new Float32Array(codes.length);
  for (let i = 0; i < codes.length; i++) out[i] = (codes[i]! - half) / half;
  return out;
}

/**
 * Writes `codes` into a copy of `rgb` (interleaved 8-bit channel values, raster order): sample i's code, most
 * significant chunk first, replaces the LSBs of values i·n … i·n + n − 1 (n = plan.chunks.length, chunk j in the
 * plan.chunks[j] lowest bits). Other values are left as they are.
 */
export function lsbEmbed(rgb: Uint8Array, codes: Uint32Array, plan: LsbPlan): Uint8Array {
  const n = plan.chunks.length;
  if (codes.length * n > rgb.length)
    throw new StegError('too_long', `${codes.length} codes do not fit ${rgb.length} channel values`);
  const out = rgb.slice();
  for (let i = 0; i < codes.length; i++) {
    let rest = codes[i]!;
    for (let j = n - 1; j >= 0; j--) {
      const size = 2 ** plan.chunks[j]!;
      const at = i * n + j;
      out[at] = out[at]! - (out[at]! % size) + (rest % size);
      rest = Math.floor(rest / size);
    }
  }
  return out;
}

/** Inverse of {@link lsbEmbed}: the first `count` codes. */
export function lsbExtract(rgb: Uint8Array, count: number, plan: LsbPlan): Uint32Array {
  const n = plan.chunks.length;
  if (count * n > rgb.length) throw new StegError('too_long', `${count} codes do not fit ${rgb.length} channel values`);
  const out = new Uint32Array(count);
  for (let i = 0; i < count; i++) {
    let code = 0;
    for (let j = 0; j < n; j++) {
      const size = 2 ** plan.chunks[j]!;
      code = code * size + (rgb[i * n + j]! % size);
    }
    out[i] = code;
  }
  return out;
}

/**
 * Hides `clip` in `cover` with k-bit LSB and reads it back. The clip is normalised exactly as the pipeline does
 * ({@link normaliseClip}) and the gain and length travel as side information (LSB gets them for free: no header
 * is written, which favours the baseline slightly). Lossless, so no file round trip is needed.
 */
export function lsbRoundTrip(cover: RgbImage, clip: Float32Array, bits: number, mode: LsbMode) {
  const plan = lsbPlan(bits, clip.length, cover.data.length, mode);
  const { samples, gain } = normaliseClip(clip);
  const container = lsbEmbed(cover.data, quantiseCodes(samples, plan.codeBits), plan);
  const revealed = denormaliseClip(dequantiseCodes(lsbExtract(container, clip.length, plan), plan.codeBits), gain);
  return { plan, container, revealed };
}

/** The image and audio figures of one container and its revealed clip, the same metrics as stegavox's evaluation. */
export interface LsbFigures {
  mse: number;
  psnr: number;
  ssim: number;
  pcc: number;
  siSnr: number;
}

/** Figures of one LSB image/clip pair. */
export interface LsbResult extends LsbFigures {
  image: string;
  bits: number;
  mode: LsbMode;
  /** Channel values each sample spans. */
  valuesPerSample: number;
  /** Bits of each sample's code. */
  codeBits: number;
  /** Share of the image's channel values that carry audio. */
  touched: number;
  /**
   * With `processed`: LSB with stegavox's own audio processing, for a like-for-like comparison: the clip
   * pre-emphasised before hiding ({@link PRE_EMPHASIS}), and reveal's post-filter ({@link denoiseRevealed}) then
   * de-emphasis after. Its own container (the codes differ), so its own image figures.
   */
  filtered?: LsbFigures;
}

function figuresOf(cover: RgbImage, clip: Float32Array, container: Uint8Array, revealed: Float32Array): LsbFigures {
  const m = mse(container, cover.data);
  return {
    mse: m,
    psnr: psnr(m),
    ssim: ssim(container, cover.data, cover.width, cover.height),
    pcc: pcc(clip, revealed),
    siSnr: siSnr(clip, revealed),
  };
}

/**
 * Measures k-bit LSB on one cover and clip (PSNR/SSIM container vs cover, PCC/SI-SNR revealed vs clip); with
 * `processed`, also the like-for-like variant in `filtered` (a second round trip, so only when it is wanted).
 */
export function evaluateLsb(
  name: string,
  cover: RgbImage,
  clip: Float32Array,
  bits: number,
  mode: LsbMode,
  processed = false,
): LsbResult {
  const { plan, container, revealed } = lsbRoundTrip(cover, clip, bits, mode);
  let filtered: LsbFigures | undefined;
  if (processed) {
    const shaped = lsbRoundTrip(cover, preEmphasise(clip, PRE_EMPHASIS), bits, mode);
    filtered = figuresOf(
      cover,
      clip,
      shaped.container,
      deEmphasiseInPlace(denoiseRevealed(shaped.revealed), PRE_EMPHASIS),
    );
  }
  return {
    image: name,
    bits,
    mode,
    valuesPerSample: plan.chunks.length,
    codeBits: plan.codeBits,
    touched: plan.valuesTouched / cover.data.length,
    ...figuresOf(cover, clip, container, revealed),
    filtered,
  };
}
