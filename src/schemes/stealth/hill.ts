/** HILL content-adaptive costs (Li, Wang, Huang, Ni 2014) for interleaved 8-bit RGB, and ±1 embedding of a message on the LSB plane through STC. */
import { STC_DEFAULT_HEIGHT, stcEmbed, stcExtract } from './stc.js';
import { mulberry32 } from '../../util/rng.js';

/**
 * Cost given to elements whose HILL cost overflows (perfectly flat 15×15 neighbourhoods), as in the authors' reference
 * code (`wetCost = 1e10`): large enough that the trellis never picks them while any textured element is left, finite so
 * a tiny cover that is flat everywhere can still carry a message.
 */
export const HILL_WET_COST = 1e10;

/**
 * Mirror index with edge repeat (MATLAB `'symmetric'` padding, what the reference HILL uses): -1 → 0, -2 → 1, n → n−1.
 * Loops so windows wider than the image (15×15 on a 4-pixel strip) still land inside it.
 */
function reflect(i: number, n: number): number {
  if (n === 1) return 0;
  for (;;) {
    if (i < 0) i = -i - 1;
    else if (i >= n) i = 2 * n - i - 1;
    else return i;
  }
}

/** Separable 1-D filter along rows then columns with symmetric padding; `k` is centred (odd length). */
function separable(
  src: Float64Array,
  width: number,
  height: number,
  kx: readonly number[],
  ky: readonly number[],
): Float64Array {
  const tmp = new Float64Array(width * height);
  const out = new Float64Array(width * height);
  const rx = (kx.length - 1) >> 1;
  const ry = (ky.length - 1) >> 1;
  const colIdx = new Int32Array(width + 2 * rx);
  for (let x = -rx; x < width + rx; x++) colIdx[x + rx] = reflect(x, width);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      let s = 0;
      for (let t = 0; t < kx.length; t++) s += kx[t]! * src[row + colIdx[x + t]!]!;
      tmp[row + x] = s;
    }
  }
  const rowIdx = new Int32Array(height + 2 * ry);
  for (let y = -ry; y < height + ry; y++) rowIdx[y + ry] = reflect(y, height) * width;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let s = 0;
      for (let t = 0; t < ky.length; t++) s += ky[t]! * tmp[rowIdx[y + t]! + x]!;
      out[y * width + x] = s;
    }
  }
  return out;
}

// KB = [-1 2 -1; 2 -4 2; -1 2 -1], unscaled as in the authors' code (so costs match theirs), is the outer product
// −[-1 2 -1]ᵀ[-1 2 -1]; the sign vanishes under |·|.
const KB_1D = [-1, 2, -1];
const box = (k: number): number[] => new Array<number>(k).fill(1 / k);
const L1 = box(3);
const L2 = box(15);

/**
 * HILL costs of one 8-bit plane (row-major, width × height): ρ = L2 ⊛ (1 / (L1 ⊛ |KB ⊛ X|)). High-pass KB finds
 * where a change is hard to model, the 3×3 average L1 spreads that, and the wide 15×15 L2 makes costs clustered,
 * which the paper found beats pixel-wise costs (spreading changes into textured regions, not onto isolated pixels).
 */
export function hillPlaneCosts(plane: ArrayLike<number>, width: number, height: number): Float64Array {
  const n = width * height;
  if (plane.length !== n) throw new RangeError(`Plane has ${plane.length} values for ${width}×${height}.`);
  const x = Float64Array.from(plane);
  const r = separable(x, width, height, KB_1D, KB_1D);
  for (let i = 0; i < n; i++) r[i] = Math.abs(r[i]!);
  const xi = separable(r, width, height, L1, L1);
  for (let i = 0; i < n; i++) {
    const c = 1 / xi[i]!; // xi = 0 (flat) → Infinity, clamped like the reference code
    xi[i] = c > HILL_WET_COST ? HILL_WET_COST : c;
  }
  const rho = separable(xi, width, height, L2, L2);
  for (let i = 0; i < n; i++) if (!(rho[i]! <= HILL_WET_COST)) rho[i] = HILL_WET_COST;
  return rho;
}

/**
 * HILL costs for every value of interleaved 8-bit RGB (`rgb.length === width·height·3`), each channel filtered on its
 * own (the paper is grey-scale; per-channel is the usual colour extension). Returned in the same interleaved order.
 * The cost is that of a ±1 change; the direction at 0 and 255 is forced by {@link embedLsbPlusMinusOne}, so no element
 * needs to be wet for range reasons.
 */
export function hillCosts(rgb: Uint8Array, width: number, height: number): Float32Array {
  const n = width * height;
  if (rgb.length !== n * 3) throw new RangeError(`RGB data has ${rgb.length} bytes for ${width}×${height}.`);
  const out = new Float32Array(n * 3);
  const plane = new Uint8Array(n);
  for (let c = 0; c < 3; c++) {
    for (let i = 0; i < n; i++) plane[i] = rgb[i * 3 + c]!;
    const rho = hillPlaneCosts(plane, width, height);
    for (let i = 0; i < n; i++) out[i * 3 + c] = rho[i]!;
  }
  return out;
}

/** Options shared by {@link embedLsbPlusMinusOne} and {@link extractLsbPlusMinusOne}. */
export interface LsbStcOptions {
  /** STC constraint height (default {@link STC_DEFAULT_HEIGHT}). */
  h?: number;
  /**
   * When set, the cover values are visited in a key-driven pseudo-random order. Costs already steer the changes, so
   * this is not needed for efficiency; it keeps the syndrome's dependence on position secret and spreads wet areas over
   * STC segments. Embed and extract must use the same key.
   */
  key?: number;
}

/** Options of {@link embedLsbPlusMinusOne}. */
export interface LsbStcEmbedOptions extends LsbStcOptions {
  /**
   * Uniform [0,1) source choosing +1 or −1 for each changed value away from 0 and 255 (HILL's cost is symmetric, so a
   * fair coin is right: a biased direction would shift the histogram). Default: a fixed-seed generator.
   */
  random?: () => number;
}

/** Fisher–Yates order of 0..n−1 from `key`, or null when no key is given. */
function keyOrder(n: number, key: number | undefined): Uint32Array | null {
  if (key === undefined) return null;
  const rand = mulberry32(key);
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
  return order;
}

/**
 * ±1 embedding on the LSB plane: STC picks which values' LSBs to flip at minimal total `costs`, and each flip becomes
 * +1 or −1 (0 → 1 and 255 → 254 forced, so values stay in [0, 255]; a coin otherwise). Both directions flip the LSB,
 * so {@link extractLsbPlusMinusOne} reads the message from the LSBs alone. Returns a new array; `cover` is untouched.
 */
export function embedLsbPlusMinusOne(
  cover: Uint8Array,
  costs: Float32Array | Float64Array,
  message: Uint8Array,
  options: LsbStcEmbedOptions = {},
): Uint8Array {
  const n = cover.length;
  if (costs.length !== n) throw new RangeError(`costs has ${costs.length} entries for ${n} cover values.`);
  const h = options.h ?? STC_DEFAULT_HEIGHT;
  const random = options.random ?? mulberry32(0x1badb002);
  const order = keyOrder(n, options.key);
  const bits = new Uint8Array(n);
  const rho = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const at = order ? order[i]! : i;
    bits[i] = cover[at]! & 1;
    rho[i] = costs[at]!;
  }
  const stegoBits = stcEmbed(bits, rho, message, h);
  const stego = cover.slice();
  for (let i = 0; i < n; i++) {
    if (stegoBits[i] === bits[i]) continue;
    const at = order ? order[i]! : i;
    const v = cover[at]!;
    stego[at] = v === 0 ? 1 : v === 255 ? 254 : random() < 0.5 ? v - 1 : v + 1;
  }
  return stego;
}

/** The `messageLength` bits that {@link embedLsbPlusMinusOne} hid in `stego` (same `h` and `key`). */
export function extractLsbPlusMinusOne(
  stego: Uint8Array,
  messageLength: number,
  options: LsbStcOptions = {},
): Uint8Array {
  const n = stego.length;
  const order = keyOrder(n, options.key);
  const bits = new Uint8Array(n);
  for (let i = 0; i < n; i++) bits[i] = stego[order ? order[i]! : i]! & 1;
  return stcExtract(bits, messageLength, options.h ?? STC_DEFAULT_HEIGHT);
}

/** HILL costs + STC ±1 embedding of `message` into interleaved RGB in one call; see {@link embedLsbPlusMinusOne}. */
export function hillEmbed(
  rgb: Uint8Array,
  width: number,
  height: number,
  message: Uint8Array,
  options: LsbStcEmbedOptions = {},
): Uint8Array {
  return embedLsbPlusMinusOne(rgb, hillCosts(rgb, width, height), message, options);
}
