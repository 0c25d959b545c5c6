/** A fast zlib (RFC 1950/1951) compressor for filtered image rows: Huffman coding of literals plus runs (distance 1). */

/**
 * Input bytes per deflate block. Each block gets its own Huffman code, so statistics can follow the image; the
 * block header (~150 bytes) is then under 0.3 % of the output.
 */
const BLOCK_INPUT = 64 * 1024;
/** Shortest and longest run deflate can express as one match. */
const MIN_RUN = 3;
const MAX_RUN = 258;
/** Order in which the code-length code lengths are written (RFC 1951 3.2.7). */
const CL_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

/** For every match length 3…258: its length symbol (257…285), extra-bit count and extra value. */
const LENGTH_SYMBOL = new Uint16Array(MAX_RUN + 1);
const LENGTH_EXTRA_BITS = new Uint8Array(MAX_RUN + 1);
const LENGTH_EXTRA_VALUE = new Uint8Array(MAX_RUN + 1);
{
  const bases = [
    3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227,
  ];
  const extra = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5];
  bases.forEach((base, k) => {
    // Symbol 284 stops at 257: 258 has its own symbol (285), and strict inflaters refuse 284 + 31.
    for (let len = base; len < base + (1 << extra[k]!) && len < MAX_RUN; len++) {
      LENGTH_SYMBOL[len] = 257 + k;
      LENGTH_EXTRA_BITS[len] = extra[k]!;
      LENGTH_EXTRA_VALUE[len] = len - base;
    }
  });
  LENGTH_SYMBOL[MAX_RUN] = 285;
}

/**
 * Huffman code lengths (≤ `maxLen` bits) for the symbol frequencies. At least two symbols always get a code, so
 * every code is complete, as zlib's inflater requires for these alphabets. Lengths too long are avoided by halving
 * the frequencies and building again (rare: it needs frequencies spanning ~2^maxLen).
 */
export function codeLengths(freq: Uint32Array, maxLen: number): Uint8Array {
  const f = Uint32Array.from(freq);
  let used = 0;
  for (let s = 0; s < f.length && used < 2; s++) if (f[s]) used++;
  for (let s = 0; s < f.length && used < 2; s++) if (!f[s]) ((f[s] = 1), used++);
  for (;;) {
    const lengths = huffmanLengths(f);
    let longest = 0;
    for (const l of lengths) longest = Math.max(longest, l);
    if (longest <= maxLen) return lengths;
    for (let s = 0; s < f.length; s++) if (f[s]) f[s] = Math.max(1, f[s]! >>> 1);
  }
}

/** Unlimited Huffman code lengths by the two-queue method (leaves sorted by frequency, merged nodes in order). */
function huffmanLengths(f: Uint32Array): Uint8Array {
  const leaves: number[] = [];
  for (let s = 0; s < f.length; s++) if (f[s]) leaves.push(s);
  leaves.sort((a, b) => f[a]! - f[b]! || a - b);
  const n = leaves.length;
  const weight = new Float64Array(2 * n);
  const parent = new Int32Array(2 * n).fill(-1);
  for (let k = 0; k < n; k++) weight[k] = f[leaves[k]!]!;
  let leaf = 0;
  let node = n;
  let next = n;
  const take = () => (leaf < n && (node >= next || weight[leaf]! <= weight[node]!) ? leaf++ : node++);
  while (next < 2 * n - 1) {
    const a = take();
    const b = take();
    weight[next] = weight[a]! + weight[b]!;
    parent[a] = parent[b] = next++;
  }
  const depth = new Uint8Array(2 * n);
  for (let k = 2 * n - 3; k >= 0; k--) depth[k] = depth[parent[k]!]! + 1;
  const lengths = new Uint8Array(f.length);
  for (let k = 0; k < n; k++) lengths[leaves[k]!] = depth[k]!;
  return lengths;
}

/** Canonical codes for the lengths (RFC 1951 3.2.2), bit-reversed because deflate writes codes from their top bit. */
function reversedCodes(lengths: Uint8Array): Uint16Array {
  const count = new Uint16Array(16);
  for (const l of lengths) if (l) count[l]!++;
  const nextCode = new Uint16Array(16);
  // Codes of each length follow all shorter ones (count[0] is 0: unused symbols get no code).
  for (let bits = 1, code = 0; bits < 16; bits++) {
    code = (code + count[bits - 1]!) << 1;
    nextCode[bits] = code;
  }
  const codes = new Uint16Array(lengths.length);
  for (let s = 0; s < lengths.length; s++) {
    const l = lengths[s]!;
    if (!l) continue;
    let c = nextCode[l]!++;
    let r = 0;
    for (let k = 0; k < l; k++, c >>= 1) r = (r << 1) | (c & 1);
    codes[s] = r;
  }
  return codes;
}

/** Writes deflate's bit stream (least significant bit first) into a buffer already sized for it. */
class BitWriter {
  /** Pending bits: the low `count` (< 32) bits of `acc`. */
  acc = 0;
  count = 0;
  constructor(
    readonly out: Uint8Array,
    public pos: number,
  ) {}
  /** Writes the low `n` (≤ 24) bits of `value`, which has no higher bits set. */
  put(value: number, n: number): void {
    this.acc |= value << this.count;
    this.count += n;
    if (this.count >= 32) {
      store32(this.out, this.pos, this.acc);
      this.pos += 4;
      this.count -= 32;
      // The top `count` bits of value did not fit in acc's 32; they start the next word.
      this.acc = value >>> (n - this.count);
    }
  }
  /** Writes the pending bits, padded with zeros to a whole byte. */
  flush(): void {
    for (; this.count > 0; this.count -= 8, this.acc >>>= 8) this.out[this.pos++] = this.acc;
    this.count = 0;
    this.acc = 0;
  }
}

/** Stores `value`'s 32 bits little-endian at `out[pos …]`. */
function store32(out: Uint8Array, pos: number, value: number): void {
  out[pos] = value;
  out[pos + 1] = value >>> 8;
  out[pos + 2] = value >>> 16;
  out[pos + 3] = value >>> 24;
}

/** Adler-32 of `data` (the zlib trailer), continuing from `adler` (that of the bytes before). */
export function adler32(data: Uint8Array, adler = 1): number {
  let a = adler & 0xffff;
  let b = adler >>> 16;
  const n = data.length;
  for (let i = 0; i < n;) {
    // 5552 is the most bytes that cannot overflow b before the modulo (zlib's NMAX).
    const end = Math.min(n, i + 5552);
    // Unrolled by hand: V8 does not unroll, and the loop overhead is most of a byte's cost (~1.5× faster).
    for (const end16 = end - 16; i <= end16; i += 16) {
      a += data[i]!;
      b += a;
      a += data[i + 1]!;
      b += a;
      a += data[i + 2]!;
      b += a;
      a += data[i + 3]!;
      b += a;
      a += data[i + 4]!;
      b += a;
      a += data[i + 5]!;
      b += a;
      a += data[i + 6]!;
      b += a;
      a += data[i + 7]!;
      b += a;
      a += data[i + 8]!;
      b += a;
      a += data[i + 9]!;
      b += a;
      a += data[i + 10]!;
      b += a;
      a += data[i + 11]!;
      b += a;
      a += data[i + 12]!;
      b += a;
      a += data[i + 13]!;
      b += a;
      a += data[i + 14]!;
      b += a;
      a += data[i + 15]!;
      b += a;
    }
    for (; i < end; i++) {
      a += data[i]!;
      b += a;
    }
    a %= 65521;
    b %= 65521;
  }
  return ((b << 16) | a) >>> 0;
}

/** Input one block may read: its nominal bytes plus the longest run that can start at its last byte. */
const WINDOW = BLOCK_INPUT + MAX_RUN;
/**
 * The bytes being compressed, one block at a time, reused by every call (one thread, and no call keeps it). Fresh
 * memory costs a page fault per 4 KiB on first touch, which measured as much as the compression of those bytes.
 */
const window = new Uint8Array(WINDOW);

/** Writes input bytes [from, to) to `into[0 … to − from)`; asked for at most 64 KiB + 258 bytes at a time. */
export type FillBytes = (into: Uint8Array, from: number, to: number) => void;

/** One deflate block: where its input ends, its Huffman code and the header that describes the code. */
interface Block {
  end: number;
  /** The block's runs in order, each as (where the match starts, relative to the block) << 9 | its length. */
  matches: Int32Array;
  /**
   * What to write for each token, as bits | bit count << 24 (one lookup per token): literal byte b at index b, the
   * end of block at 256, a run of length r at 256 + r (its length code, extra bits and the 1-bit distance code).
   */
  codes: Int32Array;
  hlit: number;
  hclen: number;
  lengthList: Uint8Array;
  clLengths: Uint8Array;
  clCodes: Uint16Array;
}

/** A zlib stream planned by {@link planZlibRle}: its exact length in bytes, and what {@link writeZlibRle} needs. */
export interface ZlibPlan {
  readonly length: number;
  readonly inputLength: number;
  readonly blocks: readonly Block[];
  readonly adler: number;
}

/** Extra bits (length extra bits plus the 1-bit distance code) after each length symbol 257…285. */
const MATCH_EXTRA_BITS = new Uint8Array(286);
for (let run = MIN_RUN; run <= MAX_RUN; run++) MATCH_EXTRA_BITS[LENGTH_SYMBOL[run]!] = LENGTH_EXTRA_BITS[run]! + 1;

/** Length of the run of bytes equal to `w[i - 1]` from `i`, up to MAX_RUN and `limit` (0 when shorter than MIN_RUN). */
function runAt(w: Uint8Array, i: number, limit: number): number {
  const b = w[i - 1];
  if (i + MIN_RUN > limit || w[i] !== b || w[i + 1] !== b || w[i + 2] !== b) return 0;
  const stop = Math.min(limit, i + MAX_RUN);
  let j = i + MIN_RUN;
  while (j < stop && w[j] === b) j++;
  return j - i;
}

/** Most runs one block can hold (a literal and at least MIN_RUN more bytes each), for the scratch list below. */
const MAX_MATCHES = Math.ceil(BLOCK_INPUT / (1 + MIN_RUN)) + 1;
const matchScratch = new Int32Array(MAX_MATCHES);

/**
 * Counts the tokens of one block into `freq`: a literal per byte, and a length symbol per run after it, and lists
 * the runs so the writing pass need not look for them again. Starts a token before `stop` (a run may carry past it,
 * never past `limit`).
 */
function countSymbols(
  w: Uint8Array,
  stop: number,
  limit: number,
  freq: Uint32Array,
): { used: number; matches: Int32Array } {
  freq.fill(0);
  let found = 0;
  let i = 0;
  while (i < stop) {
    const b = w[i++]!;
    freq[b]!++;
    // Most bytes of a filtered photo differ from the one before, so the cheap test skips runAt's call.
    if (w[i] === b) {
      const run = runAt(w, i, limit);
      if (run) {
        freq[LENGTH_SYMBOL[run]!]!++;
        matchScratch[found++] = (i << 9) | run;
        i += run;
      }
    }
  }
  return { used: i, matches: matchScratch.slice(0, found) };
}

/** Writes the literals `w[from … to)` with the block's codes. */
function writeLiterals(bits: BitWriter, w: Uint8Array, from: number, to: number, codes: Int32Array): void {
  const out = bits.out;
  let { pos, acc, count } = bits;
  // BitWriter.put, inlined: a method call per byte costs as much as the rest of the loop.
  for (let i = from; i < to; i++) {
    const entry = codes[w[i]!]!;
    acc |= (entry & 0xffffff) << count;
    count += entry >>> 24;
    if (count >= 32) {
      store32(out, pos, acc);
      pos += 4;
      count -= 32;
      acc = (entry & 0xffffff) >>> ((entry >>> 24) - count);
    }
  }
  bits.pos = pos;
  bits.acc = acc;
  bits.count = count;
}

/** The Huffman code for a block's symbol counts and the header that transmits it; `bits` is the block's exact size. */
function blockCode(freq: Uint32Array, end: number, matches: Int32Array): { block: Block; bits: number } {
  freq[256] = 1;
  const litLengths = codeLengths(freq, 15);
  const litCodes = reversedCodes(litLengths);
  let bits = 0;
  for (let s = 0; s < 286; s++) bits += freq[s]! * (litLengths[s]! + MATCH_EXTRA_BITS[s]!);
  const codes = new Int32Array(257 + MAX_RUN);
  for (let s = 0; s <= 256; s++) codes[s] = litCodes[s]! | (litLengths[s]! << 24);
  for (let run = MIN_RUN; run <= MAX_RUN; run++) {
    const s = LENGTH_SYMBOL[run]!;
    // The distance code's one bit is 0, so it is just one more bit of length.
    const value = litCodes[s]! | (LENGTH_EXTRA_VALUE[run]! << litLengths[s]!);
    codes[256 + run] = value | ((litLengths[s]! + MATCH_EXTRA_BITS[s]!) << 24);
  }
  let hlit = 286;
  while (hlit > 257 && litLengths[hlit - 1] === 0) hlit--;
  // One distance code (distance 1) of one bit, as RFC 1951 3.2.7 describes for a single distance code.
  const lengthList = new Uint8Array(hlit + 1);
  lengthList.set(litLengths.subarray(0, hlit));
  lengthList[hlit] = 1;
  const clFreq = new Uint32Array(19);
  for (const l of lengthList) clFreq[l]!++;
  const clLengths = codeLengths(clFreq, 7);
  const clCodes = reversedCodes(clLengths);
  let hclen = 19;
  while (hclen > 4 && clLengths[CL_ORDER[hclen - 1]!] === 0) hclen--;
  bits += 3 + 5 + 5 + 4 + 3 * hclen;
  for (const l of lengthList) bits += clLengths[l]!;
  return { block: { end, matches, codes, hlit, hclen, lengthList, clLengths, clCodes }, bits };
}

/**
 * Pass 1 of {@link zlibRle} over `inputLength` bytes that `fill` supplies: the blocks, their codes, the Adler-32 and
 * the exact output length, so the caller can allocate the output once (or place it inside a larger file).
 */
export function planZlibRle(inputLength: number, fill: FillBytes): ZlibPlan {
  const blocks: Block[] = [];
  const freq = new Uint32Array(286);
  let bits = 16; // the zlib header
  let adler = 1;
  let start = 0;
  do {
    const limit = Math.min(inputLength - start, WINDOW);
    fill(window, start, start + limit);
    const { used, matches } = countSymbols(window, Math.min(limit, BLOCK_INPUT), limit, freq);
    adler = adler32(window.subarray(0, used), adler);
    const { block, bits: blockBits } = blockCode(freq, start + used, matches);
    blocks.push(block);
    bits += blockBits;
    start += used;
  } while (start < inputLength);
  return { length: ((bits + 7) >> 3) + 4, inputLength, blocks, adler };
}

/** Pass 2: writes the planned stream to `out[at …]` (`plan.length` bytes), `fill` supplying the same bytes again. */
export function writeZlibRle(plan: ZlibPlan, fill: FillBytes, out: Uint8Array, at: number): void {
  const bits = new BitWriter(out, at);
  bits.put(0x78, 8);
  bits.put(0x01, 8); // 32 KiB window, no preset dictionary, fastest-level hint; (0x78 · 256 + 0x01) % 31 === 0
  let start = 0;
  for (const block of plan.blocks) {
    const used = block.end - start;
    fill(window, start, block.end);
    bits.put(block.end >= plan.inputLength ? 1 : 0, 1); // BFINAL
    bits.put(2, 2); // dynamic Huffman codes
    bits.put(block.hlit - 257, 5);
    bits.put(0, 5); // HDIST − 1: one distance code
    bits.put(block.hclen - 4, 4);
    for (let k = 0; k < block.hclen; k++) bits.put(block.clLengths[CL_ORDER[k]!]!, 3);
    for (const l of block.lengthList) bits.put(block.clCodes[l]!, block.clLengths[l]!);
    const codes = block.codes;
    let i = 0;
    for (const match of block.matches) {
      const matchAt = match >>> 9;
      const run = match & 511;
      writeLiterals(bits, window, i, matchAt, codes);
      bits.put(codes[256 + run]! & 0xffffff, codes[256 + run]! >>> 24);
      i = matchAt + run;
    }
    writeLiterals(bits, window, i, used, codes);
    bits.put(codes[256]! & 0xffffff, codes[256]! >>> 24);
    start = block.end;
  }
  bits.flush();
  for (const shift of [24, 16, 8, 0]) bits.put((plan.adler >>> shift) & 0xff, 8);
  bits.flush();
  if (bits.pos !== at + plan.length) throw new Error(`zlibRle wrote ${bits.pos - at} bytes, planned ${plan.length}`);
}

/**
 * zlib-compresses `raw` (what a PNG's IDAT holds). Every byte is a Huffman-coded literal except runs of a repeated
 * byte, written as matches at distance 1 (zlib's Z_RLE strategy). PNG-filtered photos are mostly residual noise,
 * which string matching barely shortens but Huffman coding does, so this writes files within a few percent of
 * zlib level 1 at several times the speed; flat areas still shrink ~100-fold through the runs.
 */
export function zlibRle(raw: Uint8Array): Uint8Array {
  const fill: FillBytes = (into, from, to) => into.set(raw.subarray(from, to));
  const plan = planZlibRle(raw.length, fill);
  const out = new Uint8Array(plan.length);
  writeZlibRle(plan, fill, out, 0);
  return out;
}
