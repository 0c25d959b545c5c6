/** Image codecs shared by training, CLI and worker: PNG/JPEG sniffing and decoding to 8-bit RGB, PNG encoding. */
import { StegError } from '../util/errors.js';
import { decodeJpegRgb, orientedSize, readJpegHeader } from './jpeg.js';
import { PNG_SIGNATURE, decodePngRgb, readPngHeader, rowsToDecode } from './png.js';
import { writePngRgb } from './png-encode.js';

/** 8-bit RGB, interleaved, row-major: `data.length === width * height * 3`. */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/** The image formats the service accepts. */
export type ImageFormat = 'png' | 'jpeg';

/**
 * Pixel ceiling applied even when the caller gives no limit (same as jpeg-js's default): beyond it the decoders'
 * working memory (up to ~25 bytes per pixel for JPEG) would take the process down instead of failing cleanly.
 */
export const HARD_MAX_PIXELS = 100_000_000;

const JPEG_SIGNATURE: readonly number[] = [0xff, 0xd8, 0xff];

/** Formats people send by mistake, named in the error so the message says what the file is. */
const OTHER_FORMATS: ReadonlyArray<{ name: string; test: (b: Uint8Array) => boolean }> = [
  { name: 'GIF', test: (b) => ascii(b, 0, 'GIF8') },
  { name: 'WebP', test: (b) => ascii(b, 0, 'RIFF') && ascii(b, 8, 'WEBP') },
  { name: 'WAV audio', test: (b) => ascii(b, 0, 'RIFF') && ascii(b, 8, 'WAVE') },
  { name: 'BMP', test: (b) => ascii(b, 0, 'BM') },
  { name: 'TIFF', test: (b) => ascii(b, 0, 'II*\0') || ascii(b, 0, 'MM\0*') },
  { name: 'HEIF/AVIF', test: (b) => ascii(b, 4, 'ftyp') },
  { name: 'MP3 audio', test: (b) => ascii(b, 0, 'ID3') || (b[0] === 0xff && (b[1]! & 0xe0) === 0xe0) },
  { name: 'Ogg', test: (b) => ascii(b, 0, 'OggS') },
  { name: 'FLAC audio', test: (b) => ascii(b, 0, 'fLaC') },
];

function ascii(b: Uint8Array, at: number, s: string): boolean {
  if (b.length < at + s.length) return false;
  for (let i = 0; i < s.length; i++) if (b[at + i] !== s.charCodeAt(i)) return false;
  return true;
}

function startsWith(b: Uint8Array, sig: readonly number[]): boolean {
  if (b.length < sig.length) return false;
  for (let i = 0; i < sig.length; i++) if (b[i] !== sig[i]) return false;
  return true;
}

/** True when `b` is shorter than `sig` and matches it as far as it goes (a truncated file of that format). */
function isPrefixOf(b: Uint8Array, sig: readonly number[]): boolean {
  return b.length < sig.length && b.every((x, i) => x === sig[i]);
}

/**
 * Identifies a PNG or JPEG and reads its size from the signature and IHDR / the frame header only (no pixels are
 * decoded). JPEG sizes are after EXIF orientation, i.e. as {@link decodeImage} will return them.
 * Unknown signature → `unsupported_media_type`; empty, truncated or garbled header → `bad_image`.
 */
export function sniffImage(bytes: Uint8Array): { format: ImageFormat; width: number; height: number } {
  if (startsWith(bytes, PNG_SIGNATURE)) {
    const h = readPngHeader(bytes);
    return { format: 'png', width: h.width, height: h.height };
  }
  if (startsWith(bytes, JPEG_SIGNATURE)) {
    return { format: 'jpeg', ...orientedSize(readJpegHeader(bytes)) };
  }
  if (bytes.length === 0) throw new StegError('bad_image', 'The image file is empty.');
  if (isPrefixOf(bytes, PNG_SIGNATURE) || isPrefixOf(bytes, JPEG_SIGNATURE)) {
    throw new StegError('bad_image', 'The image file is truncated.');
  }
  const other = OTHER_FORMATS.find((f) => f.test(bytes));
  throw new StegError(
    'unsupported_media_type',
    other ? `This looks like ${other.name}; send a PNG or JPEG image.` : 'Not a PNG or JPEG image.',
  );
}

/**
 * Decodes a PNG (grey, grey+alpha, palette, RGB, RGBA; 1–16 bits; interlaced or not) or a JPEG (baseline or
 * progressive; grey, YCbCr or Adobe CMYK) to 8-bit RGB. 16-bit samples become round(v / 257). Alpha is dropped,
 * not composited: the container is an opaque RGB PNG and the nets see only colour, so the stored colour values are
 * what gets kept (compositing onto a chosen background would invent colours the photo does not have).
 * JPEG EXIF orientation is applied. Colour profiles and gamma are ignored (values are used as stored).
 *
 * The size is checked against `limits.maxPixels` (and {@link HARD_MAX_PIXELS}) from the header, before any pixel
 * buffer exists → `too_large`. Everything else that fails is `bad_image`; `unsupported_media_type` for non-images.
 *
 * `limits.maxRows` asks for the top rows only: the result is an image of min(maxRows, height) rows (at least one).
 * A non-interlaced PNG is then decoded only that far, which is what makes reveal cheap (the payload sits in the top
 * rows); damage below those rows goes unnoticed. Interlaced PNGs and JPEGs are decoded whole and cut.
 */
export async function decodeImage(
  bytes: Uint8Array,
  limits?: { maxPixels?: number; maxRows?: number },
): Promise<RgbImage> {
  const info = sniffImage(bytes);
  const pixels = info.width * info.height;
  const maxPixels = limits?.maxPixels;
  if (maxPixels !== undefined && pixels > maxPixels) {
    throw new StegError(
      'too_large',
      `The image is ${info.width}×${info.height} (${pixels} pixels); the limit is ${maxPixels} pixels.`,
    );
  }
  // The hard ceiling is checked inside each decoder after the cheap file-size plausibility checks, so a tiny file
  // with an absurd header is reported as the broken file it is (bad_image) rather than as a big image.
  const ceiling = () => {
    if (pixels > HARD_MAX_PIXELS) {
      throw new StegError(
        'too_large',
        `The image is ${info.width}×${info.height}; at most ${HARD_MAX_PIXELS} pixels are supported.`,
      );
    }
  };
  if (info.format === 'png') {
    const header = readPngHeader(bytes);
    return decodePngRgb(bytes, header, ceiling, limits?.maxRows);
  }
  const header = readJpegHeader(bytes);
  const image = decodeJpegRgb(bytes, header, ceiling);
  if (limits?.maxRows === undefined) return image;
  const rows = rowsToDecode(image.height, limits.maxRows);
  return { width: image.width, height: rows, data: image.data.subarray(0, rows * image.width * 3) };
}

/**
 * Encodes 8-bit RGB as a PNG (Sub-filtered rows, the project's own zlib writer; see png-encode.ts). Throws `bad_request` when
 * `data` does not match the size.
 */
export function encodePng(image: RgbImage): Uint8Array {
  const { width, height, data } = image;
  if (
    !Number.isInteger(width) ||
    !Number.isInteger(height) ||
    width < 1 ||
    height < 1 ||
    data.length !== width * height * 3
  ) {
    throw new StegError('bad_request', `encodePng: ${data.length} bytes do not make a ${width}×${height} RGB image.`);
  }
  return writePngRgb(width, height, data);
}
