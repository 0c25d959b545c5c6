// makeBatch: shapes, value ranges, the secret's placement per src/container/layout.ts, mix shares, truncation, errors.
import { describe, expect, it } from 'vitest';
import { isStegError } from '../../src/util/errors.js';
import { blocksToAudio, blocksToRgb } from '../../src/container/layout.js';
import { makeBatch, type MakeBatchOptions } from '../../datasets/batch.js';
import { ImagePool, type RgbImage } from '../../datasets/images.js';
import { createRng } from '../../src/util/rng.js';
import { SpeechStream } from '../../datasets/speech.js';

function coordImage(w: number, h: number, tag: number): RgbImage {
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data.set([x, y, tag], (y * w + x) * 3);
  return { width: w, height: h, data };
}

const N = 100_000;
/** A ramp from −1 to 1: every window says where it started. */
const ramp = Float32Array.from({ length: N }, (_, i) => (2 * i) / N - 1);
const images = new ImagePool([coordImage(100, 90, 5)]);
const speech = new SpeechStream([ramp]);
const base = (over: Partial<MakeBatchOptions>): MakeBatchOptions => ({
  images,
  audio: speech,
  batch: 4,
  crop: 64,
  mix: { sines: 0, speech: 1 },
  rng: createRng(1),
  ...over,
});

describe('makeBatch', () => {
  it('has the block-layout shape and [0, 1] covers that are crops of the pool', () => {
    const b = makeBatch(base({}));
    expect(b.shape).toEqual([4, 16, 16, 48]);
    expect(b.cover.length).toBe(4 * 16 * 16 * 48);
    expect(b.audio.length).toBe(b.cover.length);
    const per = 16 * 16 * 48;
    for (let i = 0; i < 4; i++) {
      const item = b.cover.subarray(i * per, (i + 1) * per);
      expect(Math.min(...item)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...item)).toBeLessThanOrEqual(1);
      const rgb = blocksToRgb(item, 64, 64);
      const [x0, y0, tag] = [rgb[0]!, rgb[1]!, rgb[2]!];
      const last = (63 * 64 + 63) * 3;
      expect(tag).toBe(5);
      expect(rgb[last + 1]! - y0).toBe(63);
      expect(Math.abs(rgb[last]! - x0)).toBe(63);
    }
  });

  it('puts speech where src/container/layout.ts says: consecutive samples, tiles and blocks in raster order', () => {
    const b = makeBatch(base({ batch: 3 }));
    const per = 16 * 16 * 48;
    for (let i = 0; i < 3; i++) {
      const item = b.audio.subarray(i * per, (i + 1) * per);
      const frame = blocksToAudio(item, 64, 64, 64 * 64 * 3);
      const start = Math.round(((frame[0]! + 1) * N) / 2);
      expect(frame).toEqual(ramp.subarray(start, start + 12288));
      // direct offsets: sample 48 → block (0,1); sample 384 → block (1,0) of tile 0; sample 3072 → tile 1 = block (0,8)
      expect(item[48]).toBe(frame[48]);
      expect(item[(1 * 16 + 0) * 48]).toBe(frame[384]);
      expect(item[8 * 48]).toBe(frame[3072]);
      expect(item[8 * 16 * 48]).toBe(frame[2 * 3072]);
    }
    expect(b.kinds).toEqual(['speech', 'speech', 'speech']);
  });

  it('draws sines, speech and silence in the requested shares', () => {
    const b = makeBatch(base({ batch: 400, crop: 32, mix: { sines: 1, speech: 1, silence: 2 } }));
    const count = (k: string) => b.kinds.filter((x) => x === k).length;
    expect(count('sine')).toBeGreaterThan(70);
    expect(count('sine')).toBeLessThan(130);
    expect(count('speech')).toBeGreaterThan(70);
    expect(count('silence')).toBeGreaterThan(160);
    const per = 8 * 8 * 48;
    b.kinds.forEach((k, i) => {
      const item = b.audio.subarray(i * per, (i + 1) * per);
      const peak = Math.max(...item.map(Math.abs));
      if (k === 'silence') expect(peak).toBe(0);
      else {
        expect(peak).toBeGreaterThan(0);
        expect(peak).toBeLessThanOrEqual(1);
      }
    });
  });

  it('works without a speech source for sines only, and is reproducible', () => {
    const opts = () => base({ audio: null, mix: { sines: 1, speech: 0 }, crop: 32, batch: 5, rng: createRng(77) });
    const a = makeBatch(opts());
    const b = makeBatch(opts());
    expect(a.cover).toEqual(b.cover);
    expect(a.audio).toEqual(b.audio);
    expect(a.kinds).toEqual(['sine', 'sine', 'sine', 'sine', 'sine']);
  });

  it('truncates secrets with a zero tail when asked', () => {
    const b = makeBatch(base({ batch: 6, crop: 32, truncate: 1 }));
    const per = 8 * 8 * 48;
    for (let i = 0; i < 6; i++) {
      const frame = blocksToAudio(b.audio.subarray(i * per, (i + 1) * per), 32, 32, 3072);
      expect(frame[3071]).toBe(0);
      const firstZero = frame.findIndex((v) => v === 0);
      expect(firstZero).toBeGreaterThan(0);
      expect(frame.subarray(firstZero).every((v) => v === 0)).toBe(true);
    }
  });

  it('refuses bad options with bad_request', () => {
    const bad: Array<Partial<MakeBatchOptions>> = [
      { crop: 48 },
      { crop: 0 },
      { batch: 0 },
      { batch: 1.5 },
      { mix: { sines: -1, speech: 2 } },
      { mix: { sines: 0, speech: 0 } },
      { audio: null },
    ];
    for (const over of bad) {
      try {
        makeBatch(base(over));
        expect.unreachable(JSON.stringify(over));
      } catch (e) {
        expect(isStegError(e) && e.code).toBe('bad_request');
      }
    }
  });
});
