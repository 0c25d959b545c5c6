// The in-repo steganalysis (evaluation/steganalysis): AUC and P_E on hand-made scores, SPAM's shape and normalisation,
// the FLD ensemble on separable data, and a small SPAM + ensemble detector on crops of the committed photo that catches
// LSB replacement at 0.4 bpc and stays at chance when nothing is embedded.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeImage, type RgbImage } from '../../src/formats/image.js';
import { createRng, mulberry32 } from '../../src/util/rng.js';
import {
  boxDownsample2,
  crop,
  lsbReplacement,
  runBenchmark,
  formatTable,
  type Embedder,
} from '../../evaluation/steganalysis/bench.js';
import { ensembleScores, trainEnsemble } from '../../evaluation/steganalysis/fld.js';
import { auc, meanStd, minPe } from '../../evaluation/steganalysis/metrics.js';
import { SPAM_DIM, spamFeatures, spamPlane } from '../../evaluation/steganalysis/spam.js';

async function fixture(): Promise<RgbImage> {
  const bytes = new Uint8Array(
    readFileSync(fileURLToPath(new URL('../fixtures/real/kodim23-crop256.png', import.meta.url))),
  );
  return decodeImage(bytes);
}

describe('metrics', () => {
  it('AUC: 1 when separated, 0 when reversed, ½ for ties, Mann–Whitney in between', () => {
    expect(auc([0, 1, 2], [3, 4])).toBe(1);
    expect(auc([3, 4], [0, 1, 2])).toBe(0);
    expect(auc([1, 1], [1, 1, 1])).toBe(0.5);
    // pairs (c, s): (0,1) ✓ (0,3) ✓ (2,1) ✗ (2,3) ✓ → 3/4
    expect(auc([0, 2], [1, 3])).toBe(0.75);
    expect(auc([0, 1], [1, 2])).toBe(0.875); // the tie (1,1) counts one half
  });

  it('P_E: 0 when separable, ½ at chance, the best threshold otherwise', () => {
    expect(minPe([0, 1, 2], [3, 4])).toBe(0);
    expect(minPe([1, 1], [1, 1])).toBe(0.5);
    expect(minPe([3, 4], [0, 1])).toBe(0.5); // reversed scores: "stego when larger" never beats guessing
    // threshold between 1 and 2: P_FA = 1/3 (the 2), P_MD = 0 → 1/6
    expect(minPe([0, 1, 2], [2.5, 3])).toBe(0);
    expect(minPe([0, 1, 3], [2, 4])).toBeCloseTo(1 / 6, 12);
  });

  it('mean and sample standard deviation', () => {
    const r = meanStd([1, 2, 3, 4]);
    expect(r.mean).toBe(2.5);
    expect(r.std).toBeCloseTo(Math.sqrt(5 / 3), 12);
  });
});

describe('SPAM features', () => {
  it('has 686 features per plane; a flat plane puts all mass on the (0,0,0) transition', () => {
    const f = spamPlane(new Uint8Array(16 * 16).fill(9), 16, 16);
    expect(f.length).toBe(SPAM_DIM);
    expect(SPAM_DIM).toBe(686);
    const zero = 3 * 49 + 3 * 7 + 3; // (w, v, u) = (0, 0, 0) shifted by T = 3
    expect(f[zero]).toBe(1);
    expect(f[343 + zero]).toBe(1);
    expect(f.reduce((a, b) => a + b, 0)).toBe(2);
  });

  it('is made of conditional probabilities: each (w, v) row sums to 0, ¼, ½, ¾ or 1 per group', () => {
    const rand = mulberry32(1);
    const plane = new Uint8Array(40 * 30).map(() => 100 + Math.floor(rand() * 8));
    const f = spamPlane(plane, 40, 30);
    for (let g = 0; g < 2; g++) {
      for (let r = 0; r < 49; r++) {
        let s = 0;
        for (let u = 0; u < 7; u++) s += f[g * 343 + r * 7 + u]!;
        expect([0, 0.25, 0.5, 0.75, 1].some((v) => Math.abs(s - v) < 1e-12)).toBe(true);
      }
    }
  });

  it('averages (686) or concatenates (2058) the colour planes', () => {
    const rand = mulberry32(2);
    const rgb = new Uint8Array(24 * 24 * 3).map(() => Math.floor(rand() * 256));
    const avg = spamFeatures(rgb, 24, 24);
    const cat = spamFeatures(rgb, 24, 24, 'concat');
    expect(avg.length).toBe(686);
    expect(cat.length).toBe(2058);
    for (let k = 0; k < 686; k++) expect(avg[k]).toBeCloseTo((cat[k]! + cat[686 + k]! + cat[1372 + k]!) / 3, 12);
  });
});

describe('FLD ensemble', () => {
  it('separates two Gaussian classes that differ in a few of many dimensions', () => {
    const rand = createRng(3);
    const gauss = () => Math.sqrt(-2 * Math.log(1 - rand.next())) * Math.cos(2 * Math.PI * rand.next());
    const d = 100;
    const sample = (shift: number) => Float64Array.from({ length: d }, (_, i) => gauss() + (i % 10 === 0 ? shift : 0));
    const make = (n: number, shift: number) => Array.from({ length: n }, () => sample(shift));
    const model = trainEnsemble(make(150, 0), make(150, 1), { seed: 1 });
    expect(model.learners.length).toBe(51);
    expect(model.search.length).toBeGreaterThan(1);
    const sc = ensembleScores(model, make(200, 0)).score;
    const ss = ensembleScores(model, make(200, 1)).score;
    expect(auc(sc, ss)).toBeGreaterThan(0.9);
    expect(minPe(sc, ss)).toBeLessThan(0.2);
  });
});

/**
 * A small detector on 48×48 crops of the 256×256 photo: the image is cut into 64×64 blocks, alternate blocks (a
 * checkerboard) go to training and testing, and each block yields nine overlapping crops (stride 8). Training and
 * test crops never overlap, and the checkerboard mixes parrot and background on both sides (a left/right split gave
 * AUC 0.80–0.87 because the halves differ in content, not in embedding).
 */
async function fixtureDetector(embed: Embedder, seed: number): Promise<{ auc: number; pe: number }> {
  const img = await fixture();
  const rng = createRng(seed);
  const B = 64;
  const P = 48;
  const train: { c: Float64Array; s: Float64Array }[] = [];
  const test: typeof train = [];
  for (let by = 0; by < img.height; by += B) {
    for (let bx = 0; bx < img.width; bx += B) {
      const side = (bx / B + by / B + seed) % 2 === 0 ? train : test;
      for (let y = by; y + P <= by + B; y += 8) {
        for (let x = bx; x + P <= bx + B; x += 8) {
          const c = crop(img.data, img.width, x, y, P, P);
          side.push({ c: spamFeatures(c, P, P), s: spamFeatures(embed(c, P, P, rng), P, P) });
        }
      }
    }
  }
  const model = trainEnsemble(
    train.map((t) => t.c),
    train.map((t) => t.s),
    { seed },
  );
  const sc = ensembleScores(
    model,
    test.map((t) => t.c),
  ).score;
  const ss = ensembleScores(
    model,
    test.map((t) => t.s),
  ).score;
  return { auc: auc(sc, ss), pe: minPe(sc, ss) };
}

describe('detector on the committed photo', () => {
  it('catches LSB replacement at 0.4 bpc', async () => {
    // Measured with seeds 1–3: AUC 0.93, 0.94, 0.97; P_E 0.15, 0.11, 0.08.
    for (const seed of [1, 2]) {
      const r = await fixtureDetector(lsbReplacement(0.4), seed);
      expect(r.auc).toBeGreaterThan(0.85);
      expect(r.pe).toBeLessThan(0.25);
    }
  });

  it('is at chance when the "stego" images are the covers', async () => {
    const r = await fixtureDetector((rgb) => rgb.slice(), 1); // identical features: measured exactly 0.5
    expect(r.auc).toBeGreaterThan(0.3);
    expect(r.auc).toBeLessThan(0.7);
  });

  it('the benchmark harness runs end to end on fixture crops and prints a table', async () => {
    const img = await fixture();
    const small = boxDownsample2(img.data, img.width, img.height); // 128×128
    expect(small.width).toBe(128);
    const covers = [];
    for (let y = 0; y + 40 <= 128; y += 22)
      for (let x = 0; x + 40 <= 128; x += 22)
        covers.push({ id: `${x},${y}`, width: 40, height: 40, data: crop(small.data, 128, x, y, 40, 40) });
    const results = runBenchmark({
      covers,
      cases: [{ name: 'LSBR', payload: '0.4 bpc', embed: lsbReplacement(0.4) }],
      splits: 2,
      ensemble: { L: 11, dSub: 40 },
    });
    expect(results).toHaveLength(1);
    expect(results[0]!.changeRate).toBeGreaterThan(0.18);
    expect(results[0]!.changeRate).toBeLessThan(0.22);
    expect(formatTable(results)).toMatch(/^\| Embedder \| Payload/);
    expect(formatTable(results).split('\n')).toHaveLength(3);
  });
});
