// The one FFT (src/audio/fft.ts): forward against a naive DFT at several lengths, the inverse undoing it, bad lengths.
import { describe, expect, it } from 'vitest';
import { fftOfLength } from '../../src/audio/fft.js';

function naiveDft(re: Float64Array, im: Float64Array, sign: number): [Float64Array, Float64Array] {
  const n = re.length;
  const [outRe, outIm] = [new Float64Array(n), new Float64Array(n)];
  for (let k = 0; k < n; k++) {
    for (let t = 0; t < n; t++) {
      const a = (sign * 2 * Math.PI * k * t) / n;
      outRe[k]! += re[t]! * Math.cos(a) - im[t]! * Math.sin(a);
      outIm[k]! += re[t]! * Math.sin(a) + im[t]! * Math.cos(a);
    }
  }
  return [outRe, outIm];
}

describe('fftOfLength', () => {
  for (const n of [4, 8, 16, 256, 512]) {
    it(`length ${n}: forward matches a naive DFT, inverse matches the conjugate DFT and undoes forward (×n)`, () => {
      const re = Float64Array.from({ length: n }, (_, i) => Math.cos(i * 1.3) + 0.2 * i);
      const im = Float64Array.from({ length: n }, (_, i) => Math.sin(i * 0.7));
      const fft = fftOfLength(n);
      const [x, y] = [re.slice(), im.slice()];
      fft(x, y);
      const [dr, di] = naiveDft(re, im, -1);
      for (let k = 0; k < n; k++) {
        expect(x[k]).toBeCloseTo(dr[k]!, 7);
        expect(y[k]).toBeCloseTo(di[k]!, 7);
      }
      const [ir, ii] = naiveDft(re, im, 1);
      const [u, v] = [re.slice(), im.slice()];
      fft(u, v, true);
      for (let k = 0; k < n; k++) {
        expect(u[k]).toBeCloseTo(ir[k]!, 7);
        expect(v[k]).toBeCloseTo(ii[k]!, 7);
      }
      fft(x, y, true);
      for (let k = 0; k < n; k++) {
        expect(x[k]! / n).toBeCloseTo(re[k]!, 9);
        expect(y[k]! / n).toBeCloseTo(im[k]!, 9);
      }
    });
  }

  it('is built once per length and refuses lengths that are not powers of two', () => {
    expect(fftOfLength(64)).toBe(fftOfLength(64));
    for (const n of [0, 2, 3, 12, 100, 4.5]) expect(() => fftOfLength(n)).toThrow(RangeError);
  });
});
