// Image folders (generated PNGs): recursive loading, random crops with flips, errors.
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodePng } from '../../src/formats/image.js';
import { cropImage, ImagePool, loadImageFolder, type RgbImage } from '../../datasets/images.js';
import { createRng } from '../../src/util/rng.js';

/** An image whose pixel (x, y) is (x, y, tag): every crop tells where it came from. */
function coordImage(w: number, h: number, tag: number): RgbImage {
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data.set([x, y, tag], (y * w + x) * 3);
  return { width: w, height: h, data };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stegavox-images-'));
  await mkdir(join(dir, 'a', 'b'), { recursive: true });
  await writeFile(join(dir, 'a', 'b', 'deep.png'), encodePng(coordImage(70, 50, 1)));
  await writeFile(join(dir, 'top.PNG'), encodePng(coordImage(40, 40, 2)));
  await writeFile(join(dir, 'readme.txt'), 'not an image');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('loadImageFolder', () => {
  it('finds PNG/JPEG files recursively and decodes them once', async () => {
    const pool = await loadImageFolder(dir);
    expect(pool.names.map((p) => p.slice(dir.length + 1))).toEqual(['a/b/deep.png', 'top.PNG']);
    expect(pool.images.map((im) => [im.width, im.height, im.data[2]])).toEqual([
      [70, 50, 1],
      [40, 40, 2],
    ]);
    expect((await loadImageFolder(dir, { limit: 1 })).images).toHaveLength(1);
  });

  it('names a file that does not decode', async () => {
    const bad = await mkdtemp(join(tmpdir(), 'stegavox-badimg-'));
    try {
      await writeFile(join(bad, 'broken.png'), new Uint8Array([137, 80, 78, 71, 1, 2, 3]));
      await expect(loadImageFolder(bad)).rejects.toThrow(/broken\.png/);
      await expect(loadImageFolder(join(bad))).rejects.toMatchObject({ name: 'StegError' });
    } finally {
      await rm(bad, { recursive: true, force: true });
    }
  });
});

describe('random crops', () => {
  it('are windows of a pool image, mirrored about half the time, only from images big enough', () => {
    const pool = new ImagePool([coordImage(70, 50, 1), coordImage(40, 40, 2)]);
    const rng = createRng(11);
    let flipped = 0;
    for (let n = 0; n < 200; n++) {
      const c = pool.randomCrop(48, rng);
      expect([c.width, c.height]).toEqual([48, 48]);
      expect(c.data[2]).toBe(1); // the 40×40 image cannot give a 48 crop
      const x0 = c.data[0]!;
      const y0 = c.data[1]!;
      const x1 = c.data[(47 * 48 + 47) * 3]!;
      const y1 = c.data[(47 * 48 + 47) * 3 + 1]!;
      expect(y1 - y0).toBe(47);
      expect(Math.abs(x1 - x0)).toBe(47);
      if (x1 < x0) flipped++;
      expect(Math.min(x0, x1)).toBeLessThanOrEqual(70 - 48);
      expect(y0).toBeLessThanOrEqual(50 - 48);
    }
    expect(flipped).toBeGreaterThan(60);
    expect(flipped).toBeLessThan(140);
    expect(() => pool.randomCrop(96, rng)).toThrow(/No image in the pool/);
  });

  it('can be made without flips and are reproducible per seed', () => {
    const pool = new ImagePool([coordImage(64, 64, 3)], undefined, { flip: false });
    const a = Array.from(
      { length: 10 },
      (
        (r) => () =>
          pool.randomCrop(32, r)
      )(createRng(2)),
    );
    const b = Array.from(
      { length: 10 },
      (
        (r) => () =>
          pool.randomCrop(32, r)
      )(createRng(2)),
    );
    expect(a).toEqual(b);
    for (const c of a) expect(c.data[3]! - c.data[0]!).toBe(1);
  });

  it('cropImage copies the exact window', () => {
    const c = cropImage(coordImage(10, 10, 0), 3, 4, 2, true);
    expect([...c.data]).toEqual([4, 4, 0, 3, 4, 0, 4, 5, 0, 3, 5, 0]);
  });
});
