/** Modular embedding: each carrying 8-bit value moves to the nearest value whose remainder mod `base` is the digit. */

/**
 * Writes `digits` (each in [0, base)) into `values[start …]` in place: every value moves to the nearest level in
 * [0, 255] that is ≡ digit (mod base), so it changes by at most ⌊base/2⌋ (a little more only at 0 or 255, where the
 * nearest level would fall outside). Reading needs nothing but the remainder ({@link readDigits}).
 */
export function writeDigits(values: Uint8Array, start: number, digits: Uint8Array, base: number): void {
  if (start + digits.length > values.length) throw new RangeError('digits do not fit');
  for (let i = 0; i < digits.length; i++) {
    const v = values[start + i]!;
    let d = digits[i]! - (v % base);
    if (2 * d > base) d -= base;
    else if (2 * d < -base) d += base;
    let moved = v + d;
    if (moved < 0) moved += base;
    else if (moved > 255) moved -= base;
    values[start + i] = moved;
  }
}

/** Reads `count` digits from `values[start …]`: each value's remainder mod `base`. */
export function readDigits(values: Uint8Array, start: number, count: number, base: number): Uint8Array {
  if (start + count > values.length) throw new RangeError('digits run past the image');
  const out = new Uint8Array(count);
  for (let i = 0; i < count; i++) out[i] = values[start + i]! % base;
  return out;
}

/** Splits each symbol (in [0, base^per)) into `per` base-`base` digits, least significant first. */
export function toDigits(symbols: Uint8Array, base: number, per: number): Uint8Array {
  const out = new Uint8Array(symbols.length * per);
  for (let i = 0; i < symbols.length; i++) {
    let s = symbols[i]!;
    for (let j = 0; j < per; j++) {
      out[i * per + j] = s % base;
      s = (s - (s % base)) / base;
    }
  }
  return out;
}

/** Inverse of {@link toDigits}. */
export function fromDigits(digits: Uint8Array, base: number, per: number): Uint8Array {
  const out = new Uint8Array(digits.length / per);
  for (let i = 0; i < out.length; i++) {
    let s = 0;
    for (let j = per - 1; j >= 0; j--) s = s * base + digits[i * per + j]!;
    out[i] = s;
  }
  return out;
}
