/** Input limits, checked from file headers before anything is decoded, and the checks that apply them. */
import { StegError } from '../util/errors.js';
import { HEADER_VALUES } from '../container/header.js';
import { rawCapacitySamples, TILE } from '../container/layout.js';

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
  /**
   * Largest photo a scheme that takes phone photos whole (robust) accepts, when above `maxPixels`. Default
   * {@link DEFAULT_PHOTO_PIXELS}.
   */
  maxPhotoPixels?: number;
}

/**
 * Default of {@link Limits.maxPhotoPixels}: 1600×1200 and 1920×1080 photos whole (2.07 MP). JPEG decoding takes about
 * 25 bytes per pixel (55 MB here) and the robust scheme's planes 4 bytes per pixel, so a Worker's 128 MB holds it.
 */
export const DEFAULT_PHOTO_PIXELS = 2_200_000;

/**
 * Default of {@link Limits.maxHighPixels}: a 512×512 region. The rounding search keeps arrays of the whole region
 * (about 36 bytes per pixel) besides its ≤ 49 MiB of tiled tensors: 512×512 at full density stays near 100 MB in all,
 * a megapixel would not fit a Worker's 128 MB. Node tools may raise it.
 */
export const DEFAULT_HIGH_PIXELS = 512 * 512;

/** Defaults sized for a 128 MB Workers isolate: 1024×1024 photos, 10 minutes of input audio. */
export const DEFAULT_LIMITS: Limits = {
  maxPixels: 1024 * 1024,
  maxAudioSeconds: 600,
  maxHighPixels: DEFAULT_HIGH_PIXELS,
  maxPhotoPixels: DEFAULT_PHOTO_PIXELS,
};

/** Refuses a photo over the pixel limit (413). */
export function checkPixels(width: number, height: number, limits: Limits): void {
  if (width * height > limits.maxPixels)
    throw new StegError(
      'too_large',
      `image is ${width}×${height} = ${width * height} pixels; the limit is ${limits.maxPixels}`,
    );
}

/** Refuses a cover over the pixel limit, or too small to hold a header and one tile of audio. */
export function checkCoverSize(width: number, height: number, limits: Limits): void {
  checkPixels(width, height, limits);
  if (rawCapacitySamples(width, height) === 0 || width * height * 3 < HEADER_VALUES)
    throw new StegError(
      'too_large',
      `image is ${width}×${height}; it must be at least ${TILE}×${TILE} pixels to hold audio`,
    );
}
