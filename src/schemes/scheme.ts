/** The one interface every hiding scheme implements: the pipeline dispatches to it and never asks which one it holds. */
import type { HeaderCommon, HeaderLayout } from '../container/header.js';
import type { RgbImage } from '../formats/image.js';
import { parseChoice } from '../util/choice.js';
import type { LoadedModel } from './neural/weights-format.js';

/**
 * How hard embed works for the audio: `standard` is the default; `high` buys voice quality with time where a scheme
 * has a way to (the neural scheme's feedback pass and rounding search, docs/schemes/neural.md).
 */
export const QUALITIES = ['standard', 'high'] as const;
export type Quality = (typeof QUALITIES)[number];

/** Reads a quality name (API field); absent → `standard`, anything else → `bad_request`. */
export function parseQuality(value: string | undefined): Quality {
  return parseChoice('quality', QUALITIES, value, 'standard');
}

/** What a scheme gets to embed: the decoded cover and the clip at 8 kHz, never empty, already checked to fit. */
export interface EmbedJob {
  cover: RgbImage;
  /** The clip at 8 kHz, as decoded (not normalised). */
  clip: Float32Array;
  key: string | undefined;
  quality: Quality;
  /** Region cap for `quality=high` (pixels), from the request's limits. */
  maxHighPixels: number;
  /** The nets' weights for a scheme that {@link HidingScheme.needsModel}; null otherwise. */
  model: LoadedModel | null;
}

/** A scheme's container before the header is written into it. */
export interface EmbedOutput<H extends HeaderCommon> {
  /** The container's 8-bit RGB, header values not yet written. */
  rgb: Uint8Array;
  header: H;
  /** Rate the clip was carried at (8000 = as given; the neural scheme spreads short clips). */
  carriedRate: number;
  /** The quality that took effect (a scheme may fall back to `standard`). */
  quality: Quality;
}

/** What a scheme gets to reveal: the container's top rows (at least {@link HidingScheme.revealRows}) and its header. */
export interface RevealJob<H extends HeaderCommon> {
  container: RgbImage;
  header: H;
  key: string | undefined;
  /** Post-filter against the scheme's error (where the scheme finds it helps). */
  denoise: boolean;
  /** Evaluation only: report a damaged payload's figures instead of refusing it. */
  ignoreIntegrity: boolean;
  model: LoadedModel | null;
}

/** The clip a scheme read back. */
export interface RevealOutput {
  /** At 8 kHz, at the loudness it was embedded with. */
  samples: Float32Array;
  /** For schemes that send the clip in checked frames: how many there were and how many failed and were concealed. */
  frames?: { total: number; lost: number };
  /** True when the post-filter ran. */
  denoised: boolean;
  /** Mean loudness-envelope error against the header's fingerprint, dB (0 for schemes with an exact check). */
  fingerprintDriftDb: number;
}

/**
 * One way of hiding audio in a photo. A scheme owns its header fields (its {@link HeaderLayout}), its capacity rule
 * and its embed and reveal; the container format (src/container) and the pipeline (src/pipeline) are shared.
 */
export interface HidingScheme<
  N extends string = string,
  H extends HeaderCommon & { scheme: N } = HeaderCommon & { scheme: N },
> {
  /** The API and CLI value (`scheme=…`) and the header's discriminant. */
  readonly name: N;
  /** One line for `--help`, the API reference and the page. */
  readonly summary: string;
  /** True when embed and reveal run the nets: only then are the weights loaded. */
  readonly needsModel: boolean;
  readonly headerLayout: HeaderLayout<H>;
  /** 8 kHz samples a `width`×`height` photo holds. */
  capacitySamples(width: number, height: number): number;
  /** Room a clip of `sampleCount` samples takes, in samples (the neural scheme pads to whole scramble frames). */
  footprint(sampleCount: number): number;
  embed(job: EmbedJob): Promise<EmbedOutput<H>>;
  /** Image rows from the top that reveal must decode for this header (header rows included). */
  revealRows(header: H, width: number, height: number): number;
  reveal(job: RevealJob<H>): Promise<RevealOutput>;
  /** True when the payload survives lossy re-encoding, so embed may write the container as a JPEG. */
  readonly survivesJpeg: boolean;
  /**
   * What embed does when the request does not say: the container's file format, and the long side the photo is
   * fitted to (none: the photo's own size). The robust scheme defaults to a messenger-ready JPEG at 1600.
   */
  readonly containerDefaults: { format: 'png' | 'jpeg'; fit?: number };
  /**
   * True for a scheme that fits photos down and works on luma alone, so it can take a phone photo whole: photos up to
   * `Limits.maxPhotoPixels` then pass, even past `Limits.maxPixels` (which sizes the nets' memory).
   */
  readonly takesPhonePhotos?: boolean;
  /**
   * For schemes that carry their own header in the image content: find and reveal a container whose LSB header is
   * gone (re-encoded as JPEG, resized by a messenger). Null when nothing of this scheme's is there.
   */
  revealUnframed?(image: RgbImage, key: string | undefined): Promise<UnframedReveal | null>;
}

/** What {@link HidingScheme.revealUnframed} found. */
export interface UnframedReveal extends RevealOutput {
  /** Samples of the clip as embedded. */
  sampleCount: number;
  keyed: boolean;
}
