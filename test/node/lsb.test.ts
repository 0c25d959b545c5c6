// The k-bit LSB baseline (evaluation/lsb.ts): exact code round trips in every mode, which values change and by how
// much, the quantiser it reveals through, and that distortion grows with k on a generated photo.
import { describe, expect, it } from 'vitest';
import { normaliseClip } from '../../src/audio/normalise.js';
import { isStegError } from '../../src/util/errors.js';
import { pcc, siSnr } from '../../src/metrics/quality.js';
import { createRng } from '../../src/util/rng.js';
import {
  dequantiseCodes,
  evaluateLsb,
  lsbEmbed,
  lsbExtract,
  lsbPlan,
  lsbRoundTrip,
  quantiseCodes,
  type LsbMode,
} from '../../evaluation/lsb.js';
import { pattern } from '../fixtures/pattern.js';
import { speechLike } from '../helpers/signals.js';

const W = 67;
const H = 41; // odd sizes: raster order over the whole image, no tiles
const cover = { width: W, height: H, data: pattern(W, H) };
const VALUES = W * H * 3;

function stegCode(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return isStegError(e) ? e.code : 'not a StegError';
  }
  return undefined;
}

describe('LSB plan', () => {
  it('plain: k bits of one value per sample; spread: k·m-bit codes, at most 16 bits; thin: k bits over up to m values', () => {
    expect(lsbPlan(3, 1000, 16000, 'plain')).toEqual({ chunks: [3], codeBits: 3, valuesTouched: 1000 });
    expect(lsbPlan(3, 1000, 4000, 'spread').chunks).toEqual([3, 3, 3, 3]);
    expect(lsbPlan(3, 1000, 16000, 'spread').chunks).toEqual([3, 3, 3, 3, 3]); // 15 bits, not 18
    expect(lsbPlan(4, 1000, 16000, 'spread').codeBits).toBe(16);
    expect(lsbPlan(4, 1000, 4000, 'thin').chunks).toEqual([1, 1, 1, 1]);
    expect(lsbPlan(5, 1000, 4000, 'thin').chunks).toEqual([2, 2, 1]);
    expect(lsbPlan(5, 1000, 16000, 'thin').chunks).toEqual([1, 1, 1, 1, 1]);
    for (const mode of ['plain', 'spread', 'thin'] as const) expect(lsbPlan(4, 1000, 1000, mode).chunks).toEqual([4]);
  });

  it('refuses k outside 1–8 and a clip longer than the image, with typed errors', () => {
    expect(stegCode(() => lsbPlan(0, 10, 100, 'plain'))).toBe('bad_request');
    expect(stegCode(() => lsbPlan(9, 10, 100, 'plain'))).toBe('bad_request');
    expect(stegCode(() => lsbPlan(2.5, 10, 100, 'plain'))).toBe('bad_request');
    expect(stegCode(() => lsbPlan(3, 0, 100, 'plain'))).toBe('bad_request');
    expect(stegCode(() => lsbPlan(3, 101, 100, 'plain'))).toBe('too_long');
    const plan = lsbPlan(3, 10, 100, 'plain');
    expect(stegCode(() => lsbEmbed(new Uint8Array(5), new Uint32Array(10), plan))).toBe('too_long');
    expect(stegCode(() => lsbExtract(new Uint8Array(5), 10, plan))).toBe('too_long');
  });
});

describe('LSB embed / extract', () => {
  it('every code of every width comes back exactly, and each value changes only in its plan.chunks low bits', () => {
    const rng = createRng(3);
    for (const mode of ['plain', 'spread', 'thin'] as const) {
      for (const k of [1, 3, 4, 5, 8]) {
        for (const count of [1, 257, Math.floor(VALUES / 16), VALUES / 3, VALUES]) {
          if (!Number.isInteger(count)) continue;
          const plan = lsbPlan(k, count, VALUES, mode);
          const codes = new Uint32Array(count).map(() => rng.int(2 ** plan.codeBits));
          const container = lsbEmbed(cover.data, codes, plan);
          expect(Array.from(lsbExtract(container, count, plan))).toEqual(Array.from(codes));
          const n = plan.chunks.length;
          let wrong = 0;
          for (let i = 0; i < VALUES; i++) {
            const size = i < count * n ? 2 ** plan.chunks[i % n]! : 1;
            // Only the chunk's low bits may differ: the bits above it are the cover's.
            if (container[i]! - (container[i]! % size) !== cover.data[i]! - (cover.data[i]! % size)) wrong++;
          }
          expect(wrong, `${mode} k=${k} count=${count}`).toBe(0);
        }
      }
    }
  });

  it('codes are offset-binary PCM: silence is the middle code, the range is [−1, 1 − 2^(1−k)]', () => {
    const x = Float32Array.from([0, 1, -1, 0.5, -0.5, 0.124, 0.126, 2, -2]);
    expect(Array.from(quantiseCodes(x, 3))).toEqual([4, 7, 0, 6, 2, 4, 5, 7, 0]);
    expect(Array.from(dequantiseCodes(quantiseCodes(x, 3), 3))).toEqual([0, 0.75, -1, 0.5, -0.5, 0, 0.25, 0.75, -1]);
  });
});

describe('LSB round trip on a clip', () => {
  const clip = speechLike(Math.floor(VALUES / 2), 8000, 7, 0.7);

  it('returns the k-bit quantised clip exactly (normalised as the pipeline does, gain as side information)', () => {
    const { samples, gain } = normaliseClip(clip);
    for (const k of [3, 4, 5]) {
      for (const mode of ['plain', 'thin'] as const) {
        const { revealed, plan } = lsbRoundTrip(cover, clip, k, mode);
        expect(plan.codeBits).toBe(k);
        const expected = dequantiseCodes(quantiseCodes(samples, k), k).map((v) => v / gain);
        expect(Array.from(revealed)).toEqual(Array.from(expected));
        // Rounding, not truncation: within half a step except where the top code clips.
        for (let i = 0; i < samples.length; i++) {
          if (samples[i]! < 1 - 1.5 / 2 ** (k - 1))
            expect(Math.abs(revealed[i]! * gain - samples[i]!)).toBeLessThanOrEqual(2 ** -k + 1e-7);
        }
      }
    }
  });

  it('spread buys precision (SI-SNR up), thin buys invisibility (PSNR up) at the same audio as plain', () => {
    const short = clip.subarray(0, Math.floor(VALUES / 4));
    const r = Object.fromEntries(
      (['plain', 'spread', 'thin'] as LsbMode[]).map((m) => [m, evaluateLsb('p', cover, short, 3, m)]),
    );
    expect(r.spread!.codeBits).toBe(12);
    expect(r.spread!.siSnr).toBeGreaterThan(r.plain!.siSnr + 30);
    expect(r.thin!.siSnr).toBe(r.plain!.siSnr);
    expect(r.thin!.psnr).toBeGreaterThan(r.plain!.psnr + 3);
    expect(r.thin!.touched).toBeCloseTo(3 / 4, 3);
  });
});

describe('LSB rate and distortion', () => {
  it('at full density PSNR falls and SI-SNR rises as k grows', () => {
    const clip = speechLike(VALUES, 8000, 5, 0.7);
    const rs = [1, 2, 3, 4, 5, 6].map((k) => evaluateLsb('pattern', cover, clip, k, 'plain'));
    for (let i = 1; i < rs.length; i++) {
      expect(rs[i]!.psnr).toBeLessThan(rs[i - 1]!.psnr - 3);
      expect(rs[i]!.siSnr).toBeGreaterThan(rs[i - 1]!.siSnr + 3);
    }
    expect(rs[4]!.pcc).toBeGreaterThan(0.99);
    expect(pcc(clip, lsbRoundTrip(cover, clip, 5, 'plain').revealed)).toBe(rs[4]!.pcc);
    expect(siSnr(clip, lsbRoundTrip(cover, clip, 5, 'plain').revealed)).toBe(rs[4]!.siSnr);
  });

  it('at density 1/16 only the first sixteenth of the values can change, and PSNR is ≈ 12 dB above full density', () => {
    const count = Math.floor(VALUES / 16);
    const full = lsbRoundTrip(cover, speechLike(VALUES, 8000, 5, 0.7), 4, 'plain');
    const sixteenth = lsbRoundTrip(cover, speechLike(count, 8000, 5, 0.7), 4, 'plain');
    expect(sixteenth.plan.valuesTouched / VALUES).toBeCloseTo(1 / 16, 3);
    let changed = 0;
    for (let i = 0; i < VALUES; i++) {
      if (sixteenth.container[i] !== cover.data[i]) {
        changed++;
        expect(i).toBeLessThan(count);
      }
    }
    expect(changed).toBeGreaterThan(count * 0.5); // most rewritten values do change
    const gain =
      evaluateLsb('p', cover, speechLike(count, 8000, 5, 0.7), 4, 'plain').psnr -
      evaluateLsb('p', cover, speechLike(VALUES, 8000, 5, 0.7), 4, 'plain').psnr;
    expect(gain).toBeGreaterThan(10);
    expect(gain).toBeLessThan(14);
    expect(full.plan.valuesTouched).toBe(VALUES);
  });
});
