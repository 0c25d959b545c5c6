/** The one FFT: in-place radix-2 complex transforms of a fixed power-of-two length, tables computed once per length. */

/** An in-place FFT of one length: `inverse` omits the 1/N, which callers fold into their own scaling. */
export type Fft = (re: Float64Array, im: Float64Array, inverse?: boolean) => void;

const cache = new Map<number, Fft>();

/**
 * The FFT of length `n` (a power of two, at least 4). Twiddles and the bit-reversal table are built once per length;
 * the first two stages (twiddles 1 and ∓i) are written out and the rest loop over twiddles outermost, so each twiddle
 * is loaded once: the post-filter's whole cost is its transforms.
 */
export function fftOfLength(n: number): Fft {
  const known = cache.get(n);
  if (known) return known;
  if (!Number.isInteger(n) || n < 4 || (n & (n - 1)) !== 0)
    throw new RangeError(`FFT length ${n} is not a power of two ≥ 4`);
  const bitReversed = Uint32Array.from({ length: n }, (_, i) => {
    let r = 0;
    for (let b = 1, v = i; b < n; b <<= 1, v >>= 1) r = (r << 1) | (v & 1);
    return r;
  });
  // Forward twiddles e^(−iπk/h) of the stage with butterfly span h, at [h − 1 + k]: each stage reads its own run.
  const twiddleRe = new Float64Array(n);
  const twiddleIm = new Float64Array(n);
  for (let h = 1; h < n; h <<= 1) {
    for (let k = 0; k < h; k++) {
      twiddleRe[h - 1 + k] = Math.cos((Math.PI * k) / h);
      twiddleIm[h - 1 + k] = -Math.sin((Math.PI * k) / h);
    }
  }
  const fft: Fft = (re, im, inverse = false) => {
    for (let i = 0; i < n; i++) {
      const j = bitReversed[i]!;
      if (i < j) {
        const tr = re[i]!;
        re[i] = re[j]!;
        re[j] = tr;
        const ti = im[i]!;
        im[i] = im[j]!;
        im[j] = ti;
      }
    }
    for (let a = 0; a < n; a += 2) {
      const br = re[a + 1]!;
      const bi = im[a + 1]!;
      re[a + 1] = re[a]! - br;
      im[a + 1] = im[a]! - bi;
      re[a]! += br;
      im[a]! += bi;
    }
    for (let a = 0; a < n; a += 4) {
      let br = re[a + 2]!;
      let bi = im[a + 2]!;
      re[a + 2] = re[a]! - br;
      im[a + 2] = im[a]! - bi;
      re[a]! += br;
      im[a]! += bi;
      // Times −i (forward) or +i (inverse).
      br = re[a + 3]!;
      bi = im[a + 3]!;
      const vr = inverse ? -bi : bi;
      const vi = inverse ? br : -br;
      re[a + 3] = re[a + 1]! - vr;
      im[a + 3] = im[a + 1]! - vi;
      re[a + 1]! += vr;
      im[a + 1]! += vi;
    }
    const sign = inverse ? -1 : 1;
    for (let half = 4; half < n; half <<= 1) {
      const span = half << 1;
      for (let k = 0; k < half; k++) {
        const wr = twiddleRe[half - 1 + k]!;
        const wi = sign * twiddleIm[half - 1 + k]!;
        for (let a = k; a < n; a += span) {
          const b = a + half;
          const xr = re[b]!;
          const xi = im[b]!;
          const vr = xr * wr - xi * wi;
          const vi = xr * wi + xi * wr;
          const ar = re[a]!;
          const ai = im[a]!;
          re[b] = ar - vr;
          im[b] = ai - vi;
          re[a] = ar + vr;
          im[a] = ai + vi;
        }
      }
    }
  };
  cache.set(n, fft);
  return fft;
}
