/** Small seedable PRNG (mulberry32) so every data pipeline run is reproducible. */

/** A seeded random source: `next()` is uniform in [0, 1). */
export interface Rng {
  /** Uniform float in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Uniform float in [lo, hi). */
  uniform(lo: number, hi: number): number;
  /** A fresh independent generator derived from this one (for sub-streams that must not shift each other). */
  fork(): Rng;
}

/** mulberry32: 32-bit state, period 2^32, good enough statistics for data sampling and fast in JS. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A {@link Rng} seeded with `seed` (any number; the low 32 bits are used). */
export function createRng(seed: number): Rng {
  const next = mulberry32(seed);
  const rng: Rng = {
    next,
    int: (n) => Math.floor(next() * n),
    uniform: (lo, hi) => lo + (hi - lo) * next(),
    fork: () => createRng(Math.floor(next() * 4294967296)),
  };
  return rng;
}

/**
 * xoshiro128** (Blackman and Vigna): 128-bit state, uint32 outputs. For keyed orders (the neural scramble, the sealed
 * header's bit positions), seeded from key digests; the state must not be all zero.
 */
export function xoshiro128ss(a: number, b: number, c: number, d: number): () => number {
  const rotl = (x: number, k: number) => (x << k) | (x >>> (32 - k));
  return () => {
    const result = Math.imul(rotl(Math.imul(b, 5), 7), 9) >>> 0;
    const t = b << 9;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = rotl(d, 11);
    return result;
  };
}
