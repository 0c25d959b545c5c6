/** Audio ↔ image layout and pixel normalisation: the one definition training, CLI and worker share. */

/** Version of the layout below; bumped whenever any mapping in this file changes. Stored in weights manifests. */
export const LAYOUT_VERSION = 1;
/** Audio sample rate every clip is resampled to before embedding. */
export const SAMPLE_RATE = 8000;
/** Side of the square tile that carries one frame of audio. */
export const TILE = 32;
/** Pixel-unshuffle factor: the nets see BLOCK×BLOCK×3 pixels as one position with BLOCK²·3 channels. */
export const BLOCK = 4;
/** Channels per position after pixel-unshuffle (4·4·3 = 48). */
export const BLOCK_CHANNELS = BLOCK * BLOCK * 3;
/** Audio samples one tile carries: one sample per 8-bit channel value (32·32·3 = 3072). */
export const SAMPLES_PER_TILE = TILE * TILE * 3;
/** Samples per block: BLOCK_CHANNELS consecutive samples sit in one BLOCK×BLOCK pixel block. */
export const SAMPLES_PER_BLOCK = BLOCK_CHANNELS;

/** Tiles that fit fully inside an image; border pixels outside them carry no audio. */
export function tileGrid(width: number, height: number): { cols: number; rows: number; count: number } {
  const cols = Math.floor(width / TILE);
  const rows = Math.floor(height / TILE);
  return { cols, rows, count: cols * rows };
}

/** Raw audio capacity of an image in samples (one sample per channel value of every full tile). */
export function rawCapacitySamples(width: number, height: number): number {
  return tileGrid(width, height).count * SAMPLES_PER_TILE;
}

/** Image size padded up to whole tiles: the nets run on this size, the container is cropped back. */
export function paddedSize(width: number, height: number): { width: number; height: number } {
  return { width: Math.ceil(width / TILE) * TILE, height: Math.ceil(height / TILE) * TILE };
}

/**
 * Index of audio sample `s` in a block-layout tensor of shape [H/BLOCK, W/BLOCK, BLOCK_CHANNELS]
 * (H, W = padded size). Samples fill tiles in raster order; inside a tile, blocks in raster order; inside a block,
 * BLOCK_CHANNELS consecutive samples fill the channels. So every block holds 6 ms of consecutive audio.
 */
function blockIndexOfSample(s: number, paddedWidth: number, tileCols: number): number {
  const tile = Math.floor(s / SAMPLES_PER_TILE);
  const inTile = s - tile * SAMPLES_PER_TILE;
  const blocksPerTileSide = TILE / BLOCK;
  const block = Math.floor(inTile / SAMPLES_PER_BLOCK);
  const channel = inTile - block * SAMPLES_PER_BLOCK;
  const by = Math.floor(tile / tileCols) * blocksPerTileSide + Math.floor(block / blocksPerTileSide);
  const bx = (tile % tileCols) * blocksPerTileSide + (block % blocksPerTileSide);
  return (by * (paddedWidth / BLOCK) + bx) * BLOCK_CHANNELS + channel;
}

/**
 * Lays `samples` (values in [-1, 1], at most the capacity) into a zero-filled block tensor
 * [paddedH/BLOCK, paddedW/BLOCK, BLOCK_CHANNELS] for an image of `width`×`height`.
 */
export function audioToBlocks(samples: Float32Array, width: number, height: number): Float32Array {
  const { cols } = tileGrid(width, height);
  const padded = paddedSize(width, height);
  const out = new Float32Array((padded.width / BLOCK) * (padded.height / BLOCK) * BLOCK_CHANNELS);
  const n = Math.min(samples.length, rawCapacitySamples(width, height));
  // A block's channels are consecutive samples: copy them a block at a time.
  for (let s = 0; s < n; s += SAMPLES_PER_BLOCK)
    out.set(samples.subarray(s, Math.min(n, s + SAMPLES_PER_BLOCK)), blockIndexOfSample(s, padded.width, cols));
  return out;
}

/**
 * 1 for each block position of a `blockRows`×`blockCols` grid (an image `width` pixels wide) that lies in a 32×32 tile
 * carrying some of `sampleCount` samples, else 0: the positions whose pixels a container may change.
 */
export function carryingBlockMask(
  width: number,
  blockRows: number,
  blockCols: number,
  sampleCount: number,
): Float32Array {
  const { cols } = tileGrid(width, blockRows * BLOCK);
  const tiles = Math.ceil(sampleCount / SAMPLES_PER_TILE);
  const perTile = TILE / BLOCK;
  const mask = new Float32Array(blockRows * blockCols);
  for (let by = 0; by < blockRows; by++)
    for (let bx = 0; bx < blockCols; bx++) {
      const tx = Math.floor(bx / perTile);
      if (tx < cols && Math.floor(by / perTile) * cols + tx < tiles) mask[by * blockCols + bx] = 1;
    }
  return mask;
}

/** Inverse of {@link audioToBlocks}: reads the first `count` samples back out of a block tensor. */
export function blocksToAudio(blocks: Float32Array, width: number, height: number, count: number): Float32Array {
  const { cols } = tileGrid(width, height);
  const padded = paddedSize(width, height);
  const n = Math.min(count, rawCapacitySamples(width, height));
  const out = new Float32Array(n);
  for (let s = 0; s < n; s += SAMPLES_PER_BLOCK) {
    const at = blockIndexOfSample(s, padded.width, cols);
    out.set(blocks.subarray(at, at + Math.min(SAMPLES_PER_BLOCK, n - s)), s);
  }
  return out;
}

/**
 * Pixel-unshuffle of interleaved 8-bit RGB (`width`×`height`×3) into the nets' block layout, as floats in [0, 1]
 * (value / 255). The image is edge-padded up to whole tiles. Channel order inside a block: (dy, dx, rgb).
 */
export function rgbToBlocks(rgb: Uint8Array, width: number, height: number): Float32Array {
  const padded = paddedSize(width, height);
  const bw = padded.width / BLOCK;
  const out = new Float32Array((padded.height / BLOCK) * bw * BLOCK_CHANNELS);
  for (let y = 0; y < padded.height; y++) {
    const sy = Math.min(y, height - 1);
    const by = Math.floor(y / BLOCK);
    const dy = y % BLOCK;
    for (let x = 0; x < padded.width; x++) {
      const sx = Math.min(x, width - 1);
      const src = (sy * width + sx) * 3;
      const dst = (by * bw + Math.floor(x / BLOCK)) * BLOCK_CHANNELS + (dy * BLOCK + (x % BLOCK)) * 3;
      out[dst] = rgb[src]! / 255;
      out[dst + 1] = rgb[src + 1]! / 255;
      out[dst + 2] = rgb[src + 2]! / 255;
    }
  }
  return out;
}

/**
 * Inverse of {@link rgbToBlocks}: block-layout floats in [0, 1] back to interleaved 8-bit RGB of the original size,
 * clipped and rounded with {@link toByte} (the same rounding training simulates).
 */
export function blocksToRgb(blocks: Float32Array | Uint8Array, width: number, height: number, scale = 1): Uint8Array {
  const padded = paddedSize(width, height);
  const bw = padded.width / BLOCK;
  const out = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const by = Math.floor(y / BLOCK);
    const dy = y % BLOCK;
    for (let x = 0; x < width; x++) {
      const src = (by * bw + Math.floor(x / BLOCK)) * BLOCK_CHANNELS + (dy * BLOCK + (x % BLOCK)) * 3;
      const dst = (y * width + x) * 3;
      out[dst] = toByte(blocks[src]! * scale);
      out[dst + 1] = toByte(blocks[src + 1]! * scale);
      out[dst + 2] = toByte(blocks[src + 2]! * scale);
    }
  }
  return out;
}

/** The server's 8-bit rounding of a [0, 1] pixel value: clip, then round(x·255). Training simulates exactly this. */
export function toByte(x: number): number {
  const v = Math.round(x * 255);
  return v <= 0 ? 0 : v > 255 ? 255 : v; // <= so that -0 (round of a tiny negative) comes back as 0
}

/** Net input normalisation of [0, 1] pixels: centred on zero. Used for cover and container alike. */
export const PIXEL_CENTRE = 0.5;
