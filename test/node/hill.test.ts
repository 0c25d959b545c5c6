// HILL costs and ±1 LSB-plane embedding (src/schemes/stealth/hill.ts): textured areas cheaper than flat ones, channels
// independent, values kept inside [0, 255] at saturation, exact message round trips with and without a key.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeImage } from '../../src/formats/image.js';
import {
  HILL_WET_COST,
  embedLsbPlusMinusOne,
  extractLsbPlusMinusOne,
  hillCosts,
  hillEmbed,
  hillPlaneCosts,
} from '../../src/schemes/stealth/hill.js';
import { mulberry32 } from '../../src/util/rng.js';

function randomBits(n: number, rand: () => number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = rand() < 0.5 ? 1 : 0;
  return b;
}

/** 64×64 grey plane: a gentle gradient with ±1 sensor-like noise on the left half, ±24 noise around 128 on the right. */
function halfTextured(rand: () => number): Uint8Array {
  const W = 64;
  const p = new Uint8Array(W * W);
  for (let y = 0; y < W; y++) {
    for (let x = 0; x < W; x++) {
      p[y * W + x] = x < 32 ? 100 + (x >> 2) + Math.round((rand() - 0.5) * 3) : Math.round(128 + (rand() - 0.5) * 48);
    }
  }
  return p;
}

const mean = (a: ArrayLike<number>, pick: (i: number) => boolean) => {
  let s = 0;
  let k = 0;
  for (let i = 0; i < a.length; i++) {
    if (!pick(i)) continue;
    s += a[i]!;
    k++;
  }
  return s / k;
};

async function fixture() {
  const bytes = new Uint8Array(
    readFileSync(fileURLToPath(new URL('../fixtures/real/kodim23-crop256.png', import.meta.url))),
  );
  return decodeImage(bytes);
}

describe('HILL costs', () => {
  it('are far lower in a textured area than in a smooth one', () => {
    const rand = mulberry32(1);
    const plane = halfTextured(rand);
    const rho = hillPlaneCosts(plane, 64, 64);
    // Stay 8 pixels (half the 15×15 window) away from the seam so each side is measured on its own.
    const flat = mean(rho, (i) => i % 64 < 24);
    const textured = mean(rho, (i) => i % 64 >= 40);
    expect(textured).toBeGreaterThan(0);
    expect(flat).toBeGreaterThan(8 * textured); // measured 0.31 against 0.019: 16×
    for (const v of rho) expect(Number.isFinite(v) && v > 0 && v <= HILL_WET_COST).toBe(true);
  });

  it('give a perfectly flat plane the wet cost, and handle planes smaller than the 15×15 window', () => {
    const rho = hillPlaneCosts(new Uint8Array(20 * 20).fill(77), 20, 20);
    for (const v of rho) expect(v).toBe(HILL_WET_COST);
    const tiny = hillPlaneCosts(Uint8Array.of(0, 255, 255, 0, 9, 100), 3, 2);
    for (const v of tiny) expect(Number.isFinite(v) && v > 0).toBe(true);
  });

  it('are computed per channel of interleaved RGB', () => {
    const rand = mulberry32(2);
    const W = 48;
    const rgb = new Uint8Array(W * W * 3);
    for (let i = 0; i < W * W; i++) {
      rgb[i * 3] = Math.floor(rand() * 256); // red: noise
      rgb[i * 3 + 1] = 120; // green: flat
      rgb[i * 3 + 2] = (i % W) * 4; // blue: a linear ramp, which KB cancels away from the edges
    }
    const c = hillCosts(rgb, W, W);
    expect(c.length).toBe(W * W * 3);
    const red = mean(c, (i) => i % 3 === 0);
    const green = mean(c, (i) => i % 3 === 1);
    const blue = mean(c, (i) => i % 3 === 2);
    expect(green).toBe(HILL_WET_COST);
    expect(blue).toBeGreaterThan(100 * red);
  });

  it('on the committed photo, rank busy neighbourhoods cheaper than calm ones', async () => {
    const img = await fixture();
    const { width: W, height: H, data } = img;
    const c = hillCosts(data, W, H);
    // Local activity: mean |horizontal difference| of the green channel over a 9×9 window.
    const act: number[] = [];
    const cost: number[] = [];
    for (let y = 8; y < H - 8; y += 4) {
      for (let x = 8; x < W - 8; x += 4) {
        let s = 0;
        for (let dy = -4; dy <= 4; dy++)
          for (let dx = -4; dx <= 4; dx++)
            s += Math.abs(data[((y + dy) * W + x + dx) * 3 + 1]! - data[((y + dy) * W + x + dx + 1) * 3 + 1]!);
        act.push(s);
        cost.push(c[(y * W + x) * 3 + 1]!);
      }
    }
    const order = act.map((_, i) => i).sort((a, b) => act[a]! - act[b]!);
    const tenth = Math.floor(order.length / 10);
    const median = (idx: number[]) => idx.map((i) => cost[i]!).sort((a, b) => a - b)[idx.length >> 1]!;
    const calm = median(order.slice(0, tenth));
    const busy = median(order.slice(-tenth));
    // Measured: median cost 0.18 in the calmest tenth against 0.043 in the busiest (4.2×).
    expect(calm).toBeGreaterThan(3 * busy);
  });
});

describe('±1 embedding on the LSB plane', () => {
  it('round-trips the message, changes values by exactly ±1 and keeps 0 and 255 in range', () => {
    const rand = mulberry32(3);
    const W = 40;
    const rgb = new Uint8Array(W * W * 3);
    for (let i = 0; i < rgb.length; i++) {
      const r = rand();
      rgb[i] = r < 0.3 ? 0 : r < 0.6 ? 255 : Math.floor(rand() * 256); // 60 % saturated, all of it noisy
    }
    const message = randomBits(Math.round(0.4 * rgb.length), rand);
    const stego = hillEmbed(rgb, W, W, message);
    let changed = 0;
    for (let i = 0; i < rgb.length; i++) {
      const d = stego[i]! - rgb[i]!;
      expect(Math.abs(d)).toBeLessThanOrEqual(1);
      if (d !== 0) changed++;
      if (rgb[i] === 0) expect(stego[i]).toBeLessThanOrEqual(1);
      if (rgb[i] === 255) expect(stego[i]).toBeGreaterThanOrEqual(254);
    }
    expect(changed).toBeGreaterThan(0);
    expect(changed).toBeLessThan(0.2 * rgb.length); // below the 0.2 of direct writing at 0.4 bits per value
    expect(Array.from(extractLsbPlusMinusOne(stego, message.length))).toEqual(Array.from(message));
  });

  it('with a key, round-trips only under that key', async () => {
    const img = await fixture();
    const rand = mulberry32(4);
    const message = randomBits(20_000, rand);
    const costs = hillCosts(img.data, img.width, img.height);
    const stego = embedLsbPlusMinusOne(img.data, costs, message, { key: 99, random: rand });
    expect(Array.from(extractLsbPlusMinusOne(stego, message.length, { key: 99 }))).toEqual(Array.from(message));
    expect(Array.from(extractLsbPlusMinusOne(stego, message.length, { key: 98 }))).not.toEqual(Array.from(message));
  });

  it('puts the changes where HILL says, both directions about equally often', async () => {
    const img = await fixture();
    const n = img.data.length;
    const rand = mulberry32(5);
    const costs = hillCosts(img.data, img.width, img.height);
    const stego = hillEmbed(img.data, img.width, img.height, randomBits(Math.round(0.2 * n), rand), { random: rand });
    let up = 0;
    let down = 0;
    const changedCosts: number[] = [];
    for (let i = 0; i < n; i++) {
      const d = stego[i]! - img.data[i]!;
      if (d > 0) up++;
      if (d < 0) down++;
      if (d !== 0) changedCosts.push(costs[i]!);
    }
    const sorted = Float64Array.from(costs).sort();
    const medianAll = sorted[n >> 1]!;
    changedCosts.sort((a, b) => a - b);
    expect(changedCosts[changedCosts.length >> 1]!).toBeLessThan(medianAll);
    expect(Math.abs(up - down)).toBeLessThan(0.1 * (up + down));
  });
});
