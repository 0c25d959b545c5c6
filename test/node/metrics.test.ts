// Metrics against hand-computed values and a naive SSIM reference implementation.
import { describe, expect, it } from 'vitest';
import { isStegError } from '../../src/util/errors.js';
import { mse, pcc, psnr, siSnr, ssim } from '../../src/metrics/quality.js';

/** Deterministic pseudo-random bytes for test images. */
function bytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s >>> 24;
  }
  return out;
}

/** Straightforward SSIM: for every valid 11×11 window position, weighted statistics computed directly in 2-D. */
function naiveSsim(a: Uint8Array, b: Uint8Array, w: number, h: number): number {
  const g: number[] = [];
  for (let i = 0; i < 11; i++) g.push(Math.exp(-((i - 5) ** 2) / (2 * 1.5 * 1.5)));
  const gs = g.reduce((p, q) => p + q, 0);
  const win = (i: number, j: number) => (g[i]! * g[j]!) / (gs * gs);
  const C1 = (0.01 * 255) ** 2;
  const C2 = (0.03 * 255) ** 2;
  let total = 0;
  for (let ch = 0; ch < 3; ch++) {
    let sum = 0;
    let count = 0;
    for (let y = 0; y + 11 <= h; y++) {
      for (let x = 0; x + 11 <= w; x++) {
        let mx = 0;
        let my = 0;
        for (let j = 0; j < 11; j++)
          for (let i = 0; i < 11; i++) {
            const p = ((y + j) * w + x + i) * 3 + ch;
            mx += win(i, j) * a[p]!;
            my += win(i, j) * b[p]!;
          }
        let vx = 0;
        let vy = 0;
        let cxy = 0;
        for (let j = 0; j < 11; j++)
          for (let i = 0; i < 11; i++) {
            const p = ((y + j) * w + x + i) * 3 + ch;
            vx += win(i, j) * (a[p]! - mx) ** 2;
            vy += win(i, j) * (b[p]! - my) ** 2;
            cxy += win(i, j) * (a[p]! - mx) * (b[p]! - my);
          }
        sum += ((2 * mx * my + C1) * (2 * cxy + C2)) / ((mx * mx + my * my + C1) * (vx + vy + C2));
        count++;
      }
    }
    total += sum / count;
  }
  return total / 3;
}

describe('mse / psnr', () => {
  it('works on the [0, 1] scale for 8-bit inputs', () => {
    // (255/255 − 0)² and 0² over two values
    expect(mse(new Uint8Array([0, 255]), new Uint8Array([255, 255]))).toBeCloseTo(0.5, 12);
    expect(mse(new Uint8Array([10, 20, 30]), new Uint8Array([10, 20, 30]))).toBe(0);
  });

  it('takes float inputs as [0, 1] and mixes types', () => {
    // 51/255 = 0.2 against 0.1 → 0.01
    expect(mse(new Uint8Array([51]), new Float32Array([0.1]))).toBeCloseTo(0.01, 7);
    expect(mse(new Float32Array([0.5, 0.25]), new Float32Array([0.25, 0.5]))).toBeCloseTo(0.0625, 12);
  });

  it('psnr has peak 1', () => {
    expect(psnr(0.01)).toBeCloseTo(20, 12);
    expect(psnr(1)).toBe(0);
    expect(psnr(0)).toBe(Infinity);
  });

  it('refuses mismatched lengths with a typed error', () => {
    try {
      mse(new Uint8Array(3), new Uint8Array(4));
      expect.unreachable();
    } catch (e) {
      expect(isStegError(e) && e.code).toBe('bad_request');
    }
  });
});

describe('ssim', () => {
  it('is 1 for identical images', () => {
    const a = bytes(24 * 16 * 3, 1);
    expect(ssim(a, a, 24, 16)).toBeCloseTo(1, 12);
  });

  it('matches the closed form for a constant image shifted by a constant', () => {
    // flat image v, shifted by c: variances and covariance vanish, SSIM = (2v(v+c)+C1)/(v²+(v+c)²+C1) on that channel
    const w = 16;
    const h = 13;
    const a = new Uint8Array(w * h * 3).fill(100);
    const b = new Uint8Array(w * h * 3).fill(100);
    for (let i = 0; i < w * h; i++) b[i * 3] = 120; // only red shifted by 20
    const C1 = (0.01 * 255) ** 2;
    const red = (2 * 100 * 120 + C1) / (100 ** 2 + 120 ** 2 + C1);
    expect(ssim(a, b, w, h)).toBeCloseTo((red + 1 + 1) / 3, 10);
  });

  it('agrees with a naive 2-D implementation on random images', () => {
    const w = 19;
    const h = 14;
    const a = bytes(w * h * 3, 7);
    const b = new Uint8Array(a.map((v, i) => Math.max(0, Math.min(255, v + ((i * 37) % 61) - 30))));
    const got = ssim(a, b, w, h);
    expect(got).toBeCloseTo(naiveSsim(a, b, w, h), 9);
    expect(got).toBeLessThan(1);
    // floats on [0, 1] give the same result
    expect(
      ssim(
        Float32Array.from(a, (v) => v / 255),
        Float32Array.from(b, (v) => v / 255),
        w,
        h,
      ),
    ).toBeCloseTo(got, 5);
  });

  it('refuses images smaller than the window and wrong sizes', () => {
    expect(() => ssim(new Uint8Array(10 * 10 * 3), new Uint8Array(10 * 10 * 3), 10, 10)).toThrow(/at least 11/);
    expect(() => ssim(new Uint8Array(12 * 12 * 3), new Uint8Array(12 * 12 * 3), 12, 13)).toThrow(/12×13×3/);
  });
});

describe('pcc', () => {
  it('matches hand-computed values', () => {
    expect(pcc([1, 2, 3], [2, 4, 6])).toBeCloseTo(1, 12);
    expect(pcc([1, 2, 3], [3, 2, 1])).toBeCloseTo(-1, 12);
    // dx = dy-ish: Σdxdy = 4, Σdx² = Σdy² = 5 → 0.8
    expect(pcc([1, 2, 3, 4], [1, 3, 2, 4])).toBeCloseTo(0.8, 12);
  });

  it('is 0 when a side has no variance', () => {
    expect(pcc([1, 1, 1], [1, 2, 3])).toBe(0);
  });
});

describe('siSnr', () => {
  it('matches a hand-computed orthogonal-noise case and is scale invariant', () => {
    const ref = [1, -1, 1, -1];
    // noise 0.5·[1, 1, −1, −1] is zero-mean and orthogonal to ref: |target|² = 4, |noise|² = 1 → 10·log10(4)
    const est = ref.map((v, i) => v + 0.5 * [1, 1, -1, -1][i]!);
    expect(siSnr(ref, est)).toBeCloseTo(10 * Math.log10(4), 10);
    expect(
      siSnr(
        ref,
        est.map((v) => v * 3),
      ),
    ).toBeCloseTo(10 * Math.log10(4), 10);
    // an offset does not matter either (zero-mean)
    expect(
      siSnr(
        ref,
        est.map((v) => v + 5),
      ),
    ).toBeCloseTo(10 * Math.log10(4), 10);
  });

  it('is Infinity for a scaled copy and NaN for a silent reference', () => {
    expect(siSnr([1, 2, -3], [2, 4, -6])).toBe(Infinity);
    expect(siSnr([0, 0, 0], [1, 2, 3])).toBeNaN();
  });
});
