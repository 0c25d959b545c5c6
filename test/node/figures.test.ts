// Figures: decodable PNGs of the expected size whose pixels show what they claim (diff gains, curves, a tone's row).
import { describe, expect, it } from 'vitest';
import { decodeImage } from '../../src/formats/image.js';
import {
  coverContainerFigure,
  spectrogram,
  spectrogramFigure,
  textWidth,
  waveformFigure,
} from '../../evaluation/figures.js';

const decode = (png: Uint8Array) => decodeImage(png, { maxPixels: 10_000_000 });
const px = (im: { width: number; data: Uint8Array }, x: number, y: number) => [
  ...im.data.subarray((y * im.width + x) * 3, (y * im.width + x) * 3 + 3),
];

describe('coverContainerFigure', () => {
  it('draws cover | container | diff×10 | diff×50, enlarging 32×32 images 4×', async () => {
    const cover = { width: 32, height: 32, data: new Uint8Array(32 * 32 * 3).fill(100) };
    const container = { width: 32, height: 32, data: new Uint8Array(cover.data) };
    container.data[0] = 103; // red of pixel (0, 0) moved by 3
    const im = await decode(coverContainerFigure(cover, container));
    // 4 panels of 128 px with 8 px gaps; title strip 21 px above, 8 px below
    expect([im.width, im.height]).toEqual([8 + 4 * 136, 21 + 128 + 8]);
    expect(px(im, 8, 21)).toEqual([100, 100, 100]);
    expect(px(im, 8 + 136 + 3, 21 + 3)).toEqual([103, 100, 100]);
    expect(px(im, 8 + 2 * 136, 21)).toEqual([30, 0, 0]);
    expect(px(im, 8 + 3 * 136 + 3, 21 + 3)).toEqual([150, 0, 0]);
    expect(px(im, 8 + 3 * 136 + 4, 21)).toEqual([0, 0, 0]);
  });

  it('refuses images of different sizes', () => {
    const a = { width: 32, height: 32, data: new Uint8Array(3072) };
    const b = { width: 32, height: 16, data: new Uint8Array(1536) };
    expect(() => coverContainerFigure(a, b)).toThrow(/differ in size/);
  });
});

describe('waveformFigure', () => {
  it('draws both signals in their colours at the requested width, with a zoom panel', async () => {
    const n = 8000;
    const original = Float32Array.from({ length: n }, (_, i) => 0.5 * Math.sin(i / 7) * (i > 4000 ? 1 : 0.2));
    const revealed = Float32Array.from(original, (v, i) => v + 0.05 * Math.sin(i));
    const im = await decode(waveformFigure(original, revealed, 8000, { width: 800, title: 'test clip' }));
    expect([im.width, im.height]).toEqual([800, 26 + 220 + 26 + 22 + 220 + 26]);
    let blue = 0;
    let orange = 0;
    for (let i = 0; i < im.data.length; i += 3) {
      const [r, g, b] = [im.data[i]!, im.data[i + 1]!, im.data[i + 2]!];
      if (b > 150 && r < 80) blue++;
      if (r > 200 && g > 90 && g < 170 && b < 100) orange++;
    }
    expect(blue).toBeGreaterThan(500);
    expect(orange).toBeGreaterThan(500);
  });

  it('omits the zoom panel for short clips', async () => {
    const x = Float32Array.from({ length: 200 }, (_, i) => Math.sin(i / 3));
    const im = await decode(waveformFigure(x, x, 8000));
    expect([im.width, im.height]).toEqual([1000, 26 + 220 + 26]);
  });
});

describe('spectrogram', () => {
  it('puts a 1 kHz tone in bin 32 of a 256-point STFT at 8 kHz', () => {
    const x = Float32Array.from({ length: 8000 }, (_, i) => Math.sin((2 * Math.PI * 1000 * i) / 8000));
    const s = spectrogram(x);
    expect(s.bins).toBe(129);
    expect(s.frames).toBe(Math.ceil((8000 - 256) / 64) + 1);
    const row = s.db.subarray(10 * 129, 11 * 129);
    expect(row.indexOf(Math.max(...row))).toBe(32);
  });

  it('figure: two stacked panels, the tone brightest at its frequency row', async () => {
    const x = Float32Array.from({ length: 8000 }, (_, i) => Math.sin((2 * Math.PI * 1000 * i) / 8000));
    const im = await decode(spectrogramFigure(x, x, 8000));
    // panel 200 px wide (123 frames, minimum width 200), 258 px high; 44 px left, 70 px right margins
    expect([im.width, im.height]).toEqual([44 + 200 + 70, 2 * (16 + 258 + 24) + 4]);
    for (const y0 of [16, 16 + 258 + 24 + 16]) {
      let best = -1;
      let bestY = -1;
      for (let y = y0; y < y0 + 258; y++) {
        const [r, g] = px(im, 44 + 100, y);
        if (r! + g! > best) {
          best = r! + g!;
          bestY = y;
        }
      }
      // bin 32 of 129 drawn 2 px per bin from the bottom: rows 257 − 2·32 − {0, 1}
      expect(Math.abs(bestY - (y0 + 257 - 64))).toBeLessThanOrEqual(2);
    }
    expect(textWidth('ab')).toBe(11);
  });
});
