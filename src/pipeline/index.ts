/** Embed and reveal end to end, bytes in and bytes out: decode, check limits, read the header, dispatch to the scheme. */
import { decodeImage, encodePng, sniffImage } from '../formats/image.js';
import { encodeWav16 } from '../formats/wav.js';
import { HEADER_VALUES, readHeaderBytes } from '../container/header.js';
import { openHeader, sealHeader } from '../container/sealed-header.js';
import { SAMPLE_RATE } from '../container/layout.js';
import { StegError } from '../util/errors.js';
import {
  DEFAULT_SCHEME,
  parsePayloadHeader,
  SCHEMES,
  schemeNamed,
  schemeOf,
  serializePayloadHeader,
  type PayloadHeader,
  type SchemeName,
} from '../schemes/registry.js';
import type { HidingScheme, Quality, RevealOutput } from '../schemes/scheme.js';
import { encodeJpeg } from '../formats/jpeg-encode.js';
import { fittedSize, resizeRgb } from '../formats/resize.js';
import type { LoadedModel } from '../schemes/neural/weights-format.js';
import { assertFits, decodeAudioInput } from './audio-input.js';
import {
  checkCoverSize,
  checkPixels,
  DEFAULT_HIGH_PIXELS,
  DEFAULT_LIMITS,
  DEFAULT_PHOTO_PIXELS,
  type Limits,
} from './limits.js';

/**
 * How the pipeline gets the nets' weights: a loaded model, or a function that lends one for the duration of `use`
 * (the worker's reference-counted loader). It is only called for a scheme that needs the model.
 */
export type ModelAccess = LoadedModel | (<T>(use: (model: LoadedModel) => Promise<T>) => Promise<T>) | null;

/** How much audio an image holds. */
export interface Capacity {
  samples: number;
  seconds: number;
  sampleRate: number;
}

/**
 * Audio capacity of a `width`×`height` photo under `scheme` (default: the default scheme), as embed will process it:
 * fitted to `fit`, or to the scheme's default fit.
 */
export function capacity(width: number, height: number, scheme: SchemeName = DEFAULT_SCHEME, fit?: number): Capacity {
  const hiding = schemeNamed(scheme);
  const size = fittedSize(width, height, fit ?? hiding.containerDefaults.fit);
  const samples = hiding.capacitySamples(size.width, size.height);
  return { samples, seconds: samples / SAMPLE_RATE, sampleRate: SAMPLE_RATE };
}

/** File formats embed writes containers in: PNG for every scheme, JPEG for those that survive it. */
export const CONTAINER_FORMATS = ['png', 'jpeg'] as const;
export type ContainerFormat = (typeof CONTAINER_FORMATS)[number];

/** Result of {@link embedAudio}. */
export interface EmbedResult {
  /** The container file, in {@link format}. */
  container: Uint8Array;
  format: ContainerFormat;
  /** The same bytes as {@link container} (the name predates JPEG containers). */
  png: Uint8Array;
  width: number;
  height: number;
  /** Duration of the embedded clip and the image's capacity under the scheme used, in seconds. */
  seconds: number;
  capacitySeconds: number;
  /** Rate the clip was carried at (the neural scheme spreads short clips); 8000 = as given. */
  spreadRate: number;
  /** True when quality `high` took effect. */
  fedBack: boolean;
  /** How the audio was hidden. */
  scheme: SchemeName;
  /** Version of the weights that ran; absent when the scheme runs no model. */
  model?: string;
}

/** Result of {@link revealAudio}. */
export interface RevealResult {
  wav: Uint8Array;
  samples: Float32Array;
  seconds: number;
  keyed: boolean;
  /** How the audio was hidden (read from the container's header). */
  scheme: SchemeName;
  /** Mean loudness-envelope error of the revealed audio against the header's fingerprint, in dB (0: exact check). */
  fingerprintDriftDb: number;
  /** True when the post-filter ran. */
  denoised: boolean;
  /** Version of the weights that ran; absent when the scheme runs no model. */
  model?: string;
  /** Frames the clip travelled in and how many failed their check and were concealed (framed schemes only). */
  frames?: { total: number; lost: number };
}

/**
 * The pixel limit a photo meets under `scheme`: `maxPixels`, or for a scheme that takes phone photos whole the larger
 * `maxPhotoPixels`.
 */
export function photoLimits(scheme: { takesPhonePhotos?: boolean }, limits: Limits): Limits {
  if (!scheme.takesPhonePhotos) return limits;
  return { ...limits, maxPixels: Math.max(limits.maxPixels, limits.maxPhotoPixels ?? DEFAULT_PHOTO_PIXELS) };
}

/** Runs `use` with the model when `scheme` needs one, with null otherwise (the weights are then never loaded). */
async function withSchemeModel<T>(
  scheme: { needsModel: boolean },
  models: ModelAccess,
  use: (model: LoadedModel | null) => Promise<T>,
): Promise<T> {
  if (!scheme.needsModel) return use(null);
  if (models === null) throw new StegError('no_weights', 'this scheme needs the model, and no weights are available');
  return typeof models === 'function' ? models(use) : use(models);
}

/** Options of {@link embedAudio}. */
export interface EmbedOptions {
  key?: string;
  limits?: Limits;
  quality?: Quality;
  scheme?: SchemeName;
  /** Bring the photo's long side down to this many pixels first (a size messengers keep: 1600, 1280, 1080); default: the scheme's. */
  fit?: number;
  /** The container's file format (default: the scheme's, PNG but for robust); JPEG only for a scheme that survives it. */
  format?: ContainerFormat;
}

/**
 * Hides the clip in the cover: PNG or JPEG + WAV in, the container out (PNG, or JPEG for the robust scheme; the
 * cover's size, or its size fitted to `fit`). With a key only the same key gets the audio back. Throws StegError for
 * every bad input.
 */
export async function embedAudio(
  models: ModelAccess,
  imageBytes: Uint8Array,
  audioBytes: Uint8Array,
  options: EmbedOptions = {},
): Promise<EmbedResult> {
  const limits = options.limits ?? DEFAULT_LIMITS;
  const scheme = schemeNamed(options.scheme ?? DEFAULT_SCHEME) as unknown as HidingScheme<string, PayloadHeader>;
  const format = options.format ?? scheme.containerDefaults.format;
  if (format === 'jpeg' && !scheme.survivesJpeg)
    throw new StegError(
      'bad_request',
      `a JPEG container would destroy the ${scheme.name} scheme's payload; ask for format=png, or scheme=robust`,
    );
  const photoLimit = photoLimits(scheme, limits);
  const sniffed = sniffImage(imageBytes);
  checkPixels(sniffed.width, sniffed.height, photoLimit);
  const { width, height } = fittedSize(sniffed.width, sniffed.height, options.fit ?? scheme.containerDefaults.fit);
  checkCoverSize(width, height, photoLimit);
  const capacitySamples = scheme.capacitySamples(width, height);
  const clip = decodeAudioInput(audioBytes, limits, capacitySamples, scheme.footprint);
  if (clip.length === 0) throw new StegError('bad_audio', 'the audio has no samples');
  // The header's length is checked before decoding; resampling can land a sample or two either side of it.
  assertFits(clip.length, capacitySamples, scheme.footprint);
  const photo = await decodeImage(imageBytes, { maxPixels: photoLimit.maxPixels });
  const cover = resizeRgb(photo, width, height);
  return withSchemeModel(scheme, models, async (model) => {
    const out = await scheme.embed({
      cover,
      clip,
      key: options.key,
      quality: options.quality ?? 'standard',
      maxHighPixels: limits.maxHighPixels ?? DEFAULT_HIGH_PIXELS,
      model,
    });
    await sealHeader(out.rgb, serializePayloadHeader(out.header), options.key);
    const image = { width, height, data: out.rgb };
    const container = format === 'jpeg' ? encodeJpeg(image) : encodePng(image);
    return {
      container,
      format,
      png: container,
      width,
      height,
      seconds: clip.length / SAMPLE_RATE,
      capacitySeconds: capacitySamples / SAMPLE_RATE,
      spreadRate: out.carriedRate,
      fedBack: out.quality === 'high',
      scheme: scheme.name as SchemeName,
      ...(model ? { model: model.version } : {}),
    };
  });
}

/** What {@link readPayloadHeaderInfo} found: the header and how it was stored. */
export interface PayloadHeaderInfo {
  header: PayloadHeader;
  /**
   * How the header opened: `key` (sealed under the key given), `keyless` (sealed with no key) or `clear` (a legacy
   * header in the clear, versions 1–4).
   */
  frame: 'key' | 'keyless' | 'clear';
  /** The header layout version inside the frame (for `clear`, the legacy version byte). */
  version: number;
}

/**
 * The header of a container's top rows: sealed (opened with `key`, or keyless), else a legacy header in the clear
 * (versions 1–4, "SVX"). Nothing found → `no_payload` with the same words whether the photo is empty or sealed
 * under another key, so a refusal tells nothing about what is there.
 */
export async function readPayloadHeader(rgb: Uint8Array, key: string | undefined): Promise<PayloadHeader> {
  return (await readPayloadHeaderInfo(rgb, key)).header;
}

/**
 * {@link readPayloadHeader} plus how the header was stored, for `stegavox info`: the same search order and the
 * same refusals, so the two never disagree about what a photo holds.
 */
export async function readPayloadHeaderInfo(rgb: Uint8Array, key: string | undefined): Promise<PayloadHeaderInfo> {
  const withKey = key === undefined ? null : await openHeader(rgb, key);
  const sealed = withKey ?? (await openHeader(rgb));
  if (sealed) return { header: parsePayloadHeader(sealed), frame: withKey ? 'key' : 'keyless', version: sealed[3]! };
  try {
    const bytes = readHeaderBytes(rgb);
    return { header: parsePayloadHeader(bytes), frame: 'clear', version: bytes[3]! };
  } catch (e) {
    if (!(e instanceof StegError) || e.code !== 'no_payload') throw e;
    throw nothingFound(key);
  }
}

/** The one refusal for "no payload opens": the same words whether the photo is empty or keyed under another key. */
function nothingFound(key: string | undefined): StegError {
  return new StegError(
    'no_payload',
    key === undefined
      ? 'nothing found: this photo holds no stegavox audio that opens without a key (if it was hidden with a key, send it)'
      : 'nothing found for this key: the photo holds no stegavox audio this key opens',
  );
}

/**
 * A photo whose LSB header is gone or never was (a JPEG, a re-saved or resized container): the schemes that carry
 * their own header in the content look for theirs. Nothing → the same refusal as an empty photo.
 */
async function revealUnframed(imageBytes: Uint8Array, limits: Limits, key: string | undefined): Promise<RevealResult> {
  const image = await decodeImage(imageBytes, { maxPixels: limits.maxPixels });
  for (const scheme of SCHEMES) {
    if (!scheme.revealUnframed) continue;
    const found = await scheme.revealUnframed(image, key);
    if (found) return revealResult(found, { ...found, scheme: scheme.name }, null);
  }
  throw nothingFound(key);
}

/** What reveal answers for a scheme's output, `about` the clip as embedded. */
function revealResult(
  out: RevealOutput,
  about: { sampleCount: number; keyed: boolean; scheme: SchemeName },
  model: LoadedModel | null,
): RevealResult {
  return {
    wav: encodeWav16(out.samples, SAMPLE_RATE),
    samples: out.samples,
    seconds: about.sampleCount / SAMPLE_RATE,
    keyed: about.keyed,
    scheme: about.scheme,
    fingerprintDriftDb: out.fingerprintDriftDb,
    denoised: out.denoised,
    ...(model ? { model: model.version } : {}),
    ...(out.frames ? { frames: out.frames } : {}),
  };
}

/**
 * Recovers the clip from a container (PNG, or JPEG for the robust scheme): 16-bit PCM mono 8 kHz WAV of the embedded
 * duration. No payload, or a container altered so the audio no longer decodes → StegError 422.
 */
export async function revealAudio(
  models: ModelAccess,
  imageBytes: Uint8Array,
  options: {
    key?: string;
    limits?: Limits;
    /** Post-filter against the scheme's error (default true); false returns what was read, unfiltered. */
    denoise?: boolean;
    /** Evaluation only: report a damaged payload's figures instead of refusing it. */
    ignoreFingerprint?: boolean;
  } = {},
): Promise<RevealResult> {
  const limits = options.limits ?? DEFAULT_LIMITS;
  const { format, width, height } = sniffImage(imageBytes);
  // The largest photo any scheme takes; each scheme's own limit is checked once the header names it.
  const anyScheme = SCHEMES.reduce((l, s) => photoLimits(s, l), limits);
  checkPixels(width, height, anyScheme);
  // A JPEG has no LSB header left: only a scheme that survives re-encoding can be in it.
  if (format !== 'png') return revealUnframed(imageBytes, anyScheme, options.key);
  // Only the top rows matter: first the few that hold the header, then the region it names. A short clip in a big
  // photo never inflates the rest of the PNG.
  const top = await decodeImage(imageBytes, {
    maxPixels: anyScheme.maxPixels,
    maxRows: Math.ceil(HEADER_VALUES / (3 * width)),
  });
  let header: PayloadHeader;
  try {
    header = await readPayloadHeader(top.data, options.key);
  } catch (e) {
    // A PNG that lost its LSB header (a re-saved or resized container) may still hold a robust payload.
    if (e instanceof StegError && e.code === 'no_payload') return revealUnframed(imageBytes, anyScheme, options.key);
    throw e;
  }
  if (header.width !== width || header.height !== height)
    throw new StegError(
      'damaged_payload',
      `the container was made at ${header.width}×${header.height} but is ${width}×${height}: it was resized or cropped`,
    );
  const scheme = schemeOf(header);
  const schemeLimit = photoLimits(scheme, limits);
  checkPixels(width, height, schemeLimit);
  const rows = scheme.revealRows(header, width, height);
  const container =
    rows <= top.height ? top : await decodeImage(imageBytes, { maxPixels: schemeLimit.maxPixels, maxRows: rows });
  return withSchemeModel(scheme, models, async (model) => {
    const out = await scheme.reveal({
      container,
      header,
      key: options.key,
      denoise: options.denoise ?? true,
      ignoreIntegrity: options.ignoreFingerprint ?? false,
      model,
    });
    return revealResult(out, header, model);
  });
}
