// Audio ↔ image layout (src/container/layout.ts): exact round trips at odd image sizes, capacities, pixel positions, 8-bit rounding.
import { describe, expect, it } from 'vitest';
import {
  audioToBlocks,
  BLOCK,
  BLOCK_CHANNELS,
  blocksToAudio,
  blocksToRgb,
  paddedSize,
  rawCapacitySamples,
  rgbToBlocks,
  SAMPLES_PER_TILE,
  TILE,
  tileGrid,
  toByte,
} from '../../src/container/layout.js';
import { mulberry32 as rng } from '../../src/util/rng.js';

/** Index of the first element where `a` and `b` differ (or the shorter length), -1 when identical: vitest's deep equality is slow on 10⁶-element arrays. */
function firstMismatch(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

const SIZES: Array<[number, number]> = [
  [100, 70],
  [33, 97],
  [512, 512],
  [32, 32],
  [95, 33],
];

describe('capacity and grid', () => {
  it('counts only full 32×32 tiles, 3072 samples each', () => {
    expect(SAMPLES_PER_TILE).toBe(3072);
    expect(tileGrid(100, 70)).toEqual({ cols: 3, rows: 2, count: 6 });
    expect(rawCapacitySamples(100, 70)).toBe(6 * 3072);
    expect(rawCapacitySamples(33, 97)).toBe(3 * 3072);
    expect(rawCapacitySamples(512, 512)).toBe(256 * 3072);
    expect(rawCapacitySamples(96, 64)).toBe(18_432);
    // Smaller than one tile in either direction: nothing fits.
    expect(rawCapacitySamples(31, 500)).toBe(0);
    expect(rawCapacitySamples(500, 31)).toBe(0);
  });

  it('pads up to whole tiles', () => {
    expect(paddedSize(100, 70)).toEqual({ width: 128, height: 96 });
    expect(paddedSize(33, 97)).toEqual({ width: 64, height: 128 });
    expect(paddedSize(512, 512)).toEqual({ width: 512, height: 512 });
    expect(paddedSize(1, 1)).toEqual({ width: 32, height: 32 });
  });
});

describe('audioToBlocks / blocksToAudio', () => {
  for (const [w, h] of SIZES) {
    it(`round trips a full-capacity clip exactly at ${w}×${h}`, () => {
      const cap = rawCapacitySamples(w, h);
      const r = rng(w * 1000 + h);
      const samples = Float32Array.from({ length: cap }, () => r() * 2 - 1);
      const blocks = audioToBlocks(samples, w, h);
      const padded = paddedSize(w, h);
      expect(blocks.length).toBe((padded.width / BLOCK) * (padded.height / BLOCK) * BLOCK_CHANNELS);
      expect(firstMismatch(blocksToAudio(blocks, w, h, cap), samples)).toBe(-1);
      // Every sample lands in its own slot: the non-zero count equals the clip length (no collisions, no loss).
      let nonZero = 0;
      for (const v of blocks) if (v !== 0) nonZero++;
      expect(nonZero).toBe(cap);
    });
  }

  it('round trips a partial clip and leaves the rest zero', () => {
    const [w, h] = [100, 70];
    const samples = Float32Array.from({ length: 5000 }, (_, i) => Math.sin(i / 7) * 0.9 + 0.05);
    const blocks = audioToBlocks(samples, w, h);
    expect(blocksToAudio(blocks, w, h, 5000)).toEqual(samples);
    const extra = blocksToAudio(blocks, w, h, 6000).subarray(5000);
    expect(extra.every((v) => v === 0)).toBe(true);
  });

  it('drops samples beyond the capacity and never reads past it', () => {
    const [w, h] = [33, 97];
    const cap = rawCapacitySamples(w, h);
    const samples = Float32Array.from({ length: cap + 500 }, (_, i) => (i % 200) / 100 - 1 + 1e-3);
    const blocks = audioToBlocks(samples, w, h);
    expect(blocksToAudio(blocks, w, h, cap + 500)).toEqual(samples.subarray(0, cap));
  });

  it('puts sample s at the documented pixel: tile raster, then 4×4 block raster, then (dy, dx, rgb)', () => {
    const [w, h] = [100, 70]; // 3×2 tiles
    const cap = rawCapacitySamples(w, h);
    for (const s of [0, 1, 2, 3, 47, 48, 383, 384, 3071, 3072, 3072 * 3 + 100, 3072 * 4 + 2000, cap - 1]) {
      const one = new Float32Array(cap);
      one[s] = 1;
      const rgb = blocksToRgb(audioToBlocks(one, w, h), w, h);
      const lit = [...rgb.keys()].filter((i) => rgb[i] !== 0);
      const tile = Math.floor(s / SAMPLES_PER_TILE);
      const block = Math.floor((s % SAMPLES_PER_TILE) / BLOCK_CHANNELS);
      const inBlock = s % BLOCK_CHANNELS;
      const x = (tile % 3) * TILE + (block % 8) * BLOCK + (Math.floor(inBlock / 3) % BLOCK);
      const y = Math.floor(tile / 3) * TILE + Math.floor(block / 8) * BLOCK + Math.floor(inBlock / 3 / BLOCK);
      expect(lit, `sample ${s}`).toEqual([(y * w + x) * 3 + (inBlock % 3)]);
      expect(rgb[lit[0]!]).toBe(255);
    }
  });
});

describe('rgbToBlocks / blocksToRgb', () => {
  for (const [w, h] of [
    ...SIZES,
    [1, 1] as [number, number],
    [31, 5] as [number, number],
    [7, 64] as [number, number],
  ]) {
    it(`round trips 8-bit RGB exactly at ${w}×${h}`, () => {
      const r = rng(w * 7 + h * 13);
      const rgb = Uint8Array.from({ length: w * h * 3 }, () => Math.floor(r() * 256));
      rgb[0] = 0;
      rgb[rgb.length - 1] = 255;
      const blocks = rgbToBlocks(rgb, w, h);
      expect(blocks.every((v) => v >= 0 && v <= 1)).toBe(true);
      expect(firstMismatch(blocksToRgb(blocks, w, h), rgb)).toBe(-1);
    });
  }

  it('edge-pads the image out to whole tiles', () => {
    const [w, h] = [33, 35];
    const r = rng(99);
    const rgb = Uint8Array.from({ length: w * h * 3 }, () => Math.floor(r() * 256));
    const blocks = rgbToBlocks(rgb, w, h);
    // Read the padded 64×64 image back as if it were the full size: padding repeats the last column/row.
    const padded = blocksToRgb(blocks, 64, 64);
    const at = (im: Uint8Array, width: number, x: number, y: number) => [
      ...im.subarray((y * width + x) * 3, (y * width + x) * 3 + 3),
    ];
    expect(at(padded, 64, 63, 10)).toEqual(at(rgb, w, w - 1, 10));
    expect(at(padded, 64, 5, 63)).toEqual(at(rgb, w, 5, h - 1));
    expect(at(padded, 64, 63, 63)).toEqual(at(rgb, w, w - 1, h - 1));
    expect(at(padded, 64, 32, 34)).toEqual(at(rgb, w, 32, 34));
  });

  it('applies the optional scale before rounding', () => {
    const rgb = new Uint8Array(32 * 32 * 3).fill(100);
    const out = blocksToRgb(rgbToBlocks(rgb, 32, 32), 32, 32, 2);
    expect(out.every((v) => v === 200)).toBe(true);
  });
});

describe('toByte', () => {
  it('maps every multiple of 1/255 to its byte', () => {
    for (let k = 0; k <= 255; k++) expect(toByte(k / 255)).toBe(k);
  });

  it('rounds to the nearest step', () => {
    for (const k of [0, 1, 17, 128, 254]) {
      expect(toByte((k + 0.49) / 255)).toBe(k);
      expect(toByte((k + 0.51) / 255)).toBe(k + 1);
    }
  });

  it('clips outside [0, 1]', () => {
    // Compared with == semantics: a tiny negative rounds to -0, which a Uint8Array stores as 0.
    expect(toByte(-0.3) === 0).toBe(true);
    expect(toByte(-1e-9) === 0).toBe(true);
    expect(toByte(1.0001)).toBe(255);
    expect(toByte(7)).toBe(255);
    expect(toByte(-Infinity)).toBe(0);
    expect(toByte(Infinity)).toBe(255);
  });

  it('writes out-of-range and non-finite block values as clipped bytes', () => {
    const blocks = rgbToBlocks(new Uint8Array(32 * 32 * 3).fill(10), 32, 32);
    blocks[0] = -0.5;
    blocks[1] = 1.5;
    blocks[2] = Number.NaN;
    const rgb = blocksToRgb(blocks, 32, 32);
    expect([...rgb.subarray(0, 4)]).toEqual([0, 255, 0, 10]);
  });
});
