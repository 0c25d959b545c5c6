/** The region the nets work on: the tile rows that carry the clip, run in bands, written back tile by tile. */
import type { RgbImage } from '../../formats/image.js';
import {
  audioToBlocks,
  BLOCK,
  BLOCK_CHANNELS,
  blocksToAudio,
  blocksToRgb,
  carryingBlockMask,
  paddedSize,
  rgbToBlocks,
  SAMPLES_PER_TILE,
  TILE,
  tileGrid,
} from '../../container/layout.js';
import { runInBands } from './banded.js';
import { COVER_HEADROOM, embed, receptiveReach, reveal } from './model.js';
import type { LoadedModel } from './weights-format.js';

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
export async function embedRegion(
  model: LoadedModel,
  cover: RgbImage,
  payload: Float32Array,
  quantize: 'round' | 'none',
  headroom = COVER_HEADROOM,
): Promise<EmbeddedRegion> {
  const { width, height } = cover;
  const rows = regionHeight(width, height, payload.length);
  const padded = paddedSize(width, rows);
  const [blockRows, blockCols] = [padded.height / BLOCK, padded.width / BLOCK];
  const coverBlocks = rgbToBlocks(cover.data.subarray(0, rows * width * 3), width, rows);
  const blocks = await runInBands(
    [coverBlocks, audioToBlocks(payload, width, rows)],
    blockRows,
    blockCols,
    receptiveReach(model.config, 'embed'),
    ([c, a]) => embed(model.weights, model.config, c!, a!, quantize, undefined, headroom),
  );
  return { rows, blockRows, blockCols, coverBlocks, blocks };
}

/**
 * The float container (no rounding) for `payload`, with the cover's values outside the tiles that carry samples, as
 * {@link keepTilesWithAudio} makes the saved container; and the carrying mask, one value per block position.
 */
export async function floatContainer(
  model: LoadedModel,
  cover: RgbImage,
  payload: Float32Array,
  headroom = COVER_HEADROOM,
): Promise<EmbeddedRegion & { mask: Float32Array }> {
  const region = await embedRegion(model, cover, payload, 'none', headroom);
  const mask = carryingBlockMask(cover.width, region.blockRows, region.blockCols, payload.length);
  const { blocks, coverBlocks } = region;
  for (let i = 0; i < blocks.length; i++) if (mask[Math.floor(i / BLOCK_CHANNELS)] !== 1) blocks[i] = coverBlocks[i]!;
  return { ...region, mask };
}

/** Reveal over a block grid, in bands: the audio blocks. */
export function revealBlocks(
  model: LoadedModel,
  blocks: Float32Array,
  blockRows: number,
  blockCols: number,
): Promise<Float32Array> {
  return runInBands([blocks], blockRows, blockCols, receptiveReach(model.config, 'reveal'), ([c]) =>
    reveal(model.weights, model.config, c!),
  );
}

/**
 * Runs Prepare + Hiding on the tile rows that carry `payload` and returns the container's 8-bit RGB;
 * rows below are the cover untouched. `payload` holds normalised samples in [-1, 1].
 */
export async function embedSamples(
  model: LoadedModel,
  cover: RgbImage,
  payload: Float32Array,
  headroom = COVER_HEADROOM,
): Promise<Uint8Array> {
  const { rows, blocks } = await embedRegion(model, cover, payload, 'round', headroom);
  return keepTilesWithAudio(cover, blocksToRgb(blocks, cover.width, rows), payload.length);
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
export async function revealSamples(
  model: LoadedModel,
  container: RgbImage,
  sampleCount: number,
): Promise<Float32Array> {
  const { width, height } = container;
  const rows = regionHeight(width, height, sampleCount);
  const padded = paddedSize(width, rows);
  const blocks = rgbToBlocks(container.data.subarray(0, rows * width * 3), width, rows);
  return blocksToAudio(
    await revealBlocks(model, blocks, padded.height / BLOCK, padded.width / BLOCK),
    width,
    rows,
    sampleCount,
  );
}
