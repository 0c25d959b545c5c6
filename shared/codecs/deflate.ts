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
  const bases = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227];
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

/** Length of the run of bytes equal to `raw[i - 1]` starting at `i`, up to MAX_RUN (0 when shorter than MIN_RUN). */
function runAt(raw: Uint8Array, i: number, end: number): number {
  const b = raw[i - 1];
  const stop = Math.min(end, i + MAX_RUN);
  let j = i;
  while (j < stop && raw[j] === b) j++;
  return j - i >= MIN_RUN ? j - i : 0;
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
  for (let s = 0; s < f.length && used < 2; s++) if (!f[s]) (f[s] = 1), used++;
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

/** Appends bits to a growable byte buffer, least significant bit first (deflate's bit order). */
class BitWriter {
  bytes: Uint8Array;
  pos = 0;
  private acc = 0;
  private count = 0;
  constructor(capacity: number) {
    this.bytes = new Uint8Array(capacity);
  }
  /** Makes room for `more` further bytes. */
  reserve(more: number): void {
    if (this.pos + more + 8 <= this.bytes.length) return;
    const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.pos + more + 1024));
    grown.set(this.bytes.subarray(0, this.pos));
    this.bytes = grown;
  }
  /** Writes the low `n` (≤ 16) bits of `value`. The caller has reserved room. */
  put(value: number, n: number): void {
    this.acc |= value << this.count;
    this.count += n;
    while (this.count >= 8) {
      this.bytes[this.pos++] = this.acc & 0xff;
      this.acc >>>= 8;
      this.count -= 8;
    }
  }
  /** Pads to a whole byte. */
  align(): void {
    if (this.count > 0) this.put(0, 8 - this.count);
  }
}

/** Adler-32 of `data` (the zlib trailer). */
export function adler32(data: Uint8Array): number {
  let a = 1;
  let b = 0;
  for (let i = 0; i < data.length; ) {
    // 5552 is the most bytes that cannot overflow b before the modulo (zlib's NMAX).
    const end = Math.min(data.length, i + 5552);
    for (; i < end; i++) {
      a += data[i]!;
      b += a;
    }
    a %= 65521;
    b %= 65521;
  }
  return ((b << 16) | a) >>> 0;
}

/**
 * zlib-compresses `raw` (what a PNG's IDAT holds). Every byte is a Huffman-coded literal except runs of a repeated
 * byte, written as matches at distance 1 (zlib's Z_RLE strategy). PNG-filtered photos are mostly residual noise,
 * which string matching barely shortens but Huffman coding does, so this writes files within a few percent of
 * zlib level 1 at several times the speed; flat areas still shrink ~100-fold through the runs.
 */
export function zlibRle(raw: Uint8Array): Uint8Array {
  const n = raw.length;
  const out = new BitWriter(Math.max(1024, (n >> 1) + 1024));
  out.put(0x78, 8);
  out.put(0x01, 8); // 32 KiB window, no preset dictionary, fastest-level hint; (0x78 · 256 + 0x01) % 31 === 0
  const freq = new Uint32Array(286);
  let start = 0;
  do {
    // Pass 1: symbol frequencies of this block (its matches may run past the nominal end).
    freq.fill(0);
    const nominalEnd = Math.min(n, start + BLOCK_INPUT);
    let i = start;
    while (i < nominalEnd) {
      freq[raw[i]!]!++;
      i++;
      const run = i < n ? runAt(raw, i, n) : 0;
      if (run) {
        freq[LENGTH_SYMBOL[run]!]!++;
        i += run;
      }
    }
    const end = i;
    freq[256] = 1;
    const litLengths = codeLengths(freq, 15);
    const litCodes = reversedCodes(litLengths);
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

    // Room for this block: its symbols, plus at most 5 extra bits and 1 distance bit per match, plus the header.
    let bits = 0;
    for (let s = 0; s < 286; s++) bits += freq[s]! * (litLengths[s]! + (s > 256 ? 6 : 0));
    out.reserve((bits >> 3) + 512);

    out.put(end >= n ? 1 : 0, 1); // BFINAL
    out.put(2, 2); // dynamic Huffman codes
    out.put(hlit - 257, 5);
    out.put(0, 5); // HDIST − 1: one distance code
    out.put(hclen - 4, 4);
    for (let k = 0; k < hclen; k++) out.put(clLengths[CL_ORDER[k]!]!, 3);
    for (const l of lengthList) out.put(clCodes[l]!, clLengths[l]!);

    // Pass 2: the same tokens, written.
    i = start;
    while (i < end) {
      const b = raw[i]!;
      out.put(litCodes[b]!, litLengths[b]!);
      i++;
      const run = i < n ? runAt(raw, i, n) : 0;
      if (run) {
        const sym = LENGTH_SYMBOL[run]!;
        out.put(litCodes[sym]!, litLengths[sym]!);
        if (LENGTH_EXTRA_BITS[run]) out.put(LENGTH_EXTRA_VALUE[run]!, LENGTH_EXTRA_BITS[run]!);
        out.put(0, 1); // distance code 0 (distance 1), no extra bits
        i += run;
      }
    }
    out.put(litCodes[256]!, litLengths[256]!);
    start = end;
  } while (start < n);
  out.align();
  out.reserve(4);
  const adler = adler32(raw);
  out.put(adler >>> 24, 8);
  out.put((adler >>> 16) & 0xff, 8);
  out.put((adler >>> 8) & 0xff, 8);
  out.put(adler & 0xff, 8);
  return out.bytes.subarray(0, out.pos);
}
