/** IEEE 754 half-precision packing for the weights binary (round-to-nearest-even, subnormals, inf/nan) and bulk unpacking. */

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** Float32 value → float16 bits. */
export function toHalf(value: number): number {
  f32[0] = value;
  const x = u32[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    if (rem > mid || (rem === mid && half & 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && half & 1)) half++;
  return sign | half;
}

/** Float16 bits → float32 value. */
export function fromHalf(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

/**
 * Float16 bits → the bits of the same value as a float32 (exactly {@link fromHalf}, NaN stays NaN), by moving bits
 * rather than by arithmetic: the weights loader converts hundreds of thousands per cold start.
 */
export function halfToFloat32Bits(h: number): number {
  const sign = (h & 0x8000) << 16;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0x1f) return (sign | 0x7f800000 | (mant << 13)) >>> 0;
  if (exp !== 0) return (sign | ((exp + 112) << 23) | (mant << 13)) >>> 0;
  if (mant === 0) return sign >>> 0;
  // A subnormal half is a normal float32: mant · 2⁻²⁴ with its leading one at bit p becomes 1.f · 2^(p − 24).
  const p = 31 - Math.clz32(mant);
  return (sign | ((p + 103) << 23) | ((mant << (23 - p)) & 0x7fffff)) >>> 0;
}

/** Many float16 bit patterns → float32 values (see {@link halfToFloat32Bits}). */
export function halfBitsToFloat32(bits: ArrayLike<number>): Float32Array {
  const out = new Float32Array(bits.length);
  const outBits = new Uint32Array(out.buffer);
  for (let i = 0; i < bits.length; i++) outBits[i] = halfToFloat32Bits(bits[i]!);
  return out;
}
