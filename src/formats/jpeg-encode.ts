/** Writing a container as JPEG (jpeg-js, baseline): for the robust scheme's messenger-ready output. */
import jpeg from 'jpeg-js';
import type { RgbImage } from './image.js';

/**
 * Quality of the JPEG containers embed writes: high enough that the robust payload loses nothing to it (it survives
 * re-encoding down to quality 60), small enough to be a natural photo file (docs/schemes/robust.md).
 */
export const CONTAINER_JPEG_QUALITY = 92;

/** Baseline JPEG of 8-bit RGB at `quality`. */
export function encodeJpeg(image: RgbImage, quality = CONTAINER_JPEG_QUALITY): Uint8Array {
  const { width, height, data } = image;
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0, j = 0; i < data.length; i += 3, j += 4) {
    rgba[j] = data[i]!;
    rgba[j + 1] = data[i + 1]!;
    rgba[j + 2] = data[i + 2]!;
    rgba[j + 3] = 255;
  }
  const holder = globalThis as { Buffer?: unknown };
  // jpeg-js returns Buffer.from(bytes) whenever a CommonJS `module` is in scope, which bundlers provide; workerd has
  // no Buffer without nodejs_compat, so it gets the one method jpeg-js calls, for the length of this synchronous call.
  const lent = holder.Buffer === undefined;
  if (lent) holder.Buffer = { from: (bytes: ArrayLike<number>) => Uint8Array.from(bytes) };
  try {
    const encoded = jpeg.encode({ width, height, data: rgba }, quality).data;
    return new Uint8Array(encoded.buffer, encoded.byteOffset, encoded.byteLength);
  } finally {
    if (lent) delete holder.Buffer;
  }
}
