/** Folders of PNG/JPEG photos held in memory, and random crops (position + horizontal flip) for training covers. */
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { decodeImage, type RgbImage } from '../src/formats/image.js';
import { StegError } from '../src/util/errors.js';
import type { Rng } from '../src/util/rng.js';

export type { RgbImage };

/** Anything that can hand out training covers of a given square size. */
export interface CoverSource {
  /** A `size`×`size` RGB crop at a random position of a random image, mirrored left-right half the time. */
  randomCrop(size: number, rng: Rng): RgbImage;
}

const IMAGE_EXT = /\.(png|jpe?g)$/i;

/** Every PNG/JPEG path under `dir` (recursively), sorted so loading order is reproducible. */
export async function listImages(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && IMAGE_EXT.test(e.name))
    .map((e) => join(e.parentPath, e.name))
    .sort((a, b) => (relative(dir, a) < relative(dir, b) ? -1 : 1));
}

/**
 * `size`×`size` crop of `image` at (x, y), optionally mirrored left-right. The caller keeps the window inside the image.
 */
export function cropImage(image: RgbImage, x: number, y: number, size: number, flip: boolean): RgbImage {
  const out = new Uint8Array(size * size * 3);
  const { width, data } = image;
  for (let row = 0; row < size; row++) {
    const src = ((y + row) * width + x) * 3;
    const dst = row * size * 3;
    if (!flip) {
      out.set(data.subarray(src, src + size * 3), dst);
    } else {
      for (let c = 0; c < size; c++) {
        const s = src + (size - 1 - c) * 3;
        const d = dst + c * 3;
        out[d] = data[s]!;
        out[d + 1] = data[s + 1]!;
        out[d + 2] = data[s + 2]!;
      }
    }
  }
  return { width: size, height: size, data: out };
}

/**
 * A set of images in memory that serves random crops (mirrored half the time unless `flip: false`); images smaller
 * than the crop are skipped for that size.
 */
export class ImagePool implements CoverSource {
  readonly images: RgbImage[];
  /** Source path (or label) of each image, same order as {@link images}. */
  readonly names: string[];
  /** Whether crops are mirrored left-right half the time. */
  readonly flip: boolean;
  private readonly fitting = new Map<number, RgbImage[]>();

  constructor(images: RgbImage[], names?: string[], options: { flip?: boolean } = {}) {
    if (images.length === 0) throw new StegError('bad_request', 'An image pool needs at least one image.');
    this.images = images;
    this.names = names ?? images.map((_, i) => `#${i}`);
    this.flip = options.flip ?? true;
  }

  /** Images at least `size` pixels on both sides (cached per size). */
  private fit(size: number): RgbImage[] {
    let list = this.fitting.get(size);
    if (!list) {
      list = this.images.filter((im) => im.width >= size && im.height >= size);
      if (list.length === 0) {
        throw new StegError('bad_request', `No image in the pool is at least ${size}×${size} pixels.`);
      }
      this.fitting.set(size, list);
    }
    return list;
  }

  randomCrop(size: number, rng: Rng): RgbImage {
    const list = this.fit(size);
    const image = list[rng.int(list.length)]!;
    const x = rng.int(image.width - size + 1);
    const y = rng.int(image.height - size + 1);
    return cropImage(image, x, y, size, this.flip && rng.next() < 0.5);
  }
}

/** Options for {@link loadImageFolder}. */
export interface LoadImagesOptions {
  /** Load at most this many images (the first by sorted path). */
  limit?: number;
  /** Pixel limit handed to the decoder; larger images are refused. Default 40 megapixels. */
  maxPixels?: number;
}

/**
 * Decodes every PNG/JPEG under `dirs` (recursively) into memory once. Undecodable files are refused with the
 * decoder's `StegError` naming the file, so a broken data set fails loudly instead of training on less.
 */
export async function loadImageFolder(dirs: string | string[], options: LoadImagesOptions = {}): Promise<ImagePool> {
  const paths: string[] = [];
  for (const dir of Array.isArray(dirs) ? dirs : [dirs]) paths.push(...(await listImages(dir)));
  const chosen = options.limit !== undefined ? paths.slice(0, options.limit) : paths;
  if (chosen.length === 0) throw new StegError('bad_request', `No PNG or JPEG files under ${String(dirs)}.`);
  const images: RgbImage[] = [];
  for (const path of chosen) images.push(await decodeFile(path, options.maxPixels ?? 40_000_000));
  return new ImagePool(images, chosen);
}

/** Decodes one image file to RGB; a failure names the file. */
export async function decodeFile(path: string, maxPixels: number): Promise<RgbImage> {
  const bytes = new Uint8Array(await readFile(path));
  try {
    const image = await decodeImage(bytes, { maxPixels });
    return { width: image.width, height: image.height, data: image.data };
  } catch (e) {
    if (e instanceof StegError) throw new StegError(e.code, `${path}: ${e.message}`, { cause: e });
    throw e;
  }
}
