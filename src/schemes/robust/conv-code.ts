/** The robust scheme's channel code: the K = 7, rate-1/2 convolutional code (0o133, 0o171) with soft Viterbi decoding. */

/** Constraint length; the encoder appends K − 1 zero tail bits so the trellis ends in state 0. */
export const CONV_K = 7;
const STATES = 1 << (CONV_K - 1);
const G1 = 0o133;
const G2 = 0o171;

function parity(x: number): number {
  x ^= x >>> 4;
  x ^= x >>> 2;
  x ^= x >>> 1;
  return x & 1;
}

/** Output pair of each (state, input) transition: bit 1 = G1 parity, bit 0 = G2 parity. */
const OUT = (() => {
  const t = new Uint8Array(STATES * 2);
  for (let s = 0; s < STATES; s++) {
    for (let b = 0; b < 2; b++) {
      const reg = (b << (CONV_K - 1)) | s;
      t[s * 2 + b] = (parity(reg & G1) << 1) | parity(reg & G2);
    }
  }
  return t;
})();

/** Coded length for `n` information bits: 2·(n + K − 1). */
export function codedLength(n: number): number {
  return 2 * (n + CONV_K - 1);
}

/** Encodes bits (one per byte, 0/1) into {@link codedLength} code bits, tail-terminated. */
export function convEncode(bits: Uint8Array): Uint8Array {
  const out = new Uint8Array(codedLength(bits.length));
  let s = 0;
  for (let i = 0; i < bits.length + CONV_K - 1; i++) {
    const b = i < bits.length ? bits[i]! & 1 : 0;
    const o = OUT[s * 2 + b]!;
    out[2 * i] = o >> 1;
    out[2 * i + 1] = o & 1;
    s = ((b << (CONV_K - 1)) | s) >> 1;
  }
  return out;
}

/**
 * Soft-decision Viterbi decoding of {@link convEncode}'s output. `soft[i]` is the evidence for code bit i, positive
 * for 0 and negative for 1 (any scale, 0 = erased); returns `n` information bits and the path metric margin per
 * bit (final best metric / coded length), a cheap confidence figure.
 */
export function viterbiDecode(soft: Float32Array, n: number): { bits: Uint8Array; metric: number } {
  const steps = n + CONV_K - 1;
  if (soft.length < 2 * steps) throw new RangeError(`viterbi: ${soft.length} soft values for ${n} bits`);
  let metric = new Float64Array(STATES).fill(-1e300);
  let next = new Float64Array(STATES);
  metric[0] = 0;
  // One decision bit per state and step: which predecessor (low bit of the previous state) survived.
  const decisions = new Uint8Array(steps * STATES);
  const gains = new Float64Array(4);
  for (let i = 0; i < steps; i++) {
    const a = soft[2 * i]!;
    const b = soft[2 * i + 1]!;
    // Branch gains for outputs 00, 01, 10, 11 (correlation with ±1).
    const g0 = a + b,
      g1 = a - b,
      g2 = -a + b,
      g3 = -a - b;
    gains[0] = g0;
    gains[1] = g1;
    gains[2] = g2;
    gains[3] = g3;
    const inputAllowed = i < n ? 2 : 1;
    next.fill(-1e300);
    const row = i * STATES;
    for (let ns = 0; ns < STATES; ns++) {
      const bit = ns >> (CONV_K - 2);
      if (bit >= inputAllowed) continue;
      // Predecessors: s = ((ns << 1) & (STATES − 1)) | low, for low in {0, 1}.
      const p0 = (ns << 1) & (STATES - 1);
      const p1 = p0 | 1;
      const m0 = metric[p0]! + gains[OUT[p0 * 2 + bit]!]!;
      const m1 = metric[p1]! + gains[OUT[p1 * 2 + bit]!]!;
      if (m1 > m0) {
        next[ns] = m1;
        decisions[row + ns] = 1;
      } else next[ns] = m0;
    }
    const t = metric;
    metric = next;
    next = t;
  }
  const bits = new Uint8Array(n);
  let s = 0;
  for (let i = steps - 1; i >= 0; i--) {
    const bit = s >> (CONV_K - 2);
    if (i < n) bits[i] = bit;
    s = ((s << 1) & (STATES - 1)) | decisions[i * STATES + s]!;
  }
  return { bits, metric: metric[0]! / (2 * steps) };
}
