/** The robust scheme: a voice clip coded, convolutionally protected and QIM-embedded in JPEG-grid luma DCT coefficients. */
import { StegError } from '../../util/errors.js';
import { mulberry32 } from '../../util/rng.js';
import {
  CLIP_RATE,
  DEFAULT_CODEC,
  decodeSpeech,
  encodeSpeech,
  frameBits,
  frameCount,
  type CodecParams,
  validCodec,
} from '../../speech/envelope-codec.js';
import { codedLength, convEncode, viterbiDecode } from './conv-code.js';
import { JPEG_LUMA_TABLE, ZIGZAG, dct8, frequencySpan, idct8, lumaOf, type Rgb } from './dct.js';
import { resizePlane } from '../../formats/resize.js';
import { HEADER_BITS, headerFromBits, headerToBits, type RobustHeader } from './header.js';
import { deriveKey, randomSalt, xorKeystream } from './keys.js';
import { qimEmbed, qimSoft } from './qim.js';

export type { Rgb } from './dct.js';

/** Header coefficients: zigzag ranks 1…5, the lowest AC terms, which survive resizing and q50 best. */
const HEADER_COEFS = 5;
/** Header QIM step scale (× JPEG luma table): fixed, since the receiver needs it before it has read anything. */
const HEADER_STEP_SCALE = 2;
/** Fraction of the header-eligible slots the header's repeats may take (the rest carry payload). */
const HEADER_SHARE = 0.05;
const HEADER_SEED = 0x5eed4ead;
const PAYLOAD_SEED = 0x9a7104d;
/** CRC-16 bits appended to each codec frame. */
const FRAME_CRC_BITS = 16;
/**
 * How a luma change δ is spread over R, G, B. 'min-mse' moves them by δ·(0.299, 0.587, 0.114)/0.447, the smallest
 * RGB change with that luma (1.27 dB of PSNR for free, some green–magenta chroma noise that 4:2:0 JPEG and the eye
 * both mostly drop); 'gray' moves all three by δ. On three BSDS training photos at 1280×960 (10 s): PSNR 40.85 →
 * 42.09 dB, SSIM 0.956 → 0.968, q60 still lossless.
 */
const SPLITS = {
  'min-mse': [0.299 / 0.44697, 0.587 / 0.44697, 0.114 / 0.44697],
  gray: [1, 1, 1],
} as const;
/** Embedding passes: later ones re-aim coefficients that pixel rounding and clipping pulled off their lattice. */
const PASSES = 2;

/**
 * Payload defaults: steps 1.75 × the JPEG luma table on zigzag ranks 1…9. A step of s·T survives re-quantisation
 * errors below s/4·T, and quality q quantises with (200 − 2q)/100·T, so s = 1.6 clears q60 and 1.75 most of q50. On
 * BSDS training photos (10 s, 1280×960 / 1600×1200), gray split: 1.3 × ranks 1…12 (PSNR 40.6) lost 47 % of frames at
 * q60 and failed 1600→1280 + q80; 1.45 × 1…10 (41.0 dB) lost 27 % at q60 (1280); 1.6 × 1…9 (40.8 dB) lost none at
 * q60. With the min-MSE split, 1.6 → 1.75 (four photos, 1600×1200) cost 0.6 dB (42.1 → 41.5) and 0.005 SSIM but
 * took frames lost after 1600→1280 linear + q80 from 11.3 % to 3.8 % and after q50 from 16 % to 0. Ranks 1…9 are the
 * most a 10 s clip leaves room for at 1280×960 (1.2 slots per coded bit); ranks 1…14 cost SSIM and failed resizes.
 */
export const DEFAULT_STEP_SCALE = 1.75;
/** Payload coefficients per block by default: zigzag ranks 1…9 (see {@link DEFAULT_STEP_SCALE}). */
export const DEFAULT_COEFFICIENTS = 9;
/** Long sides a received image is rescaled to when its own size does not yield a header (messenger presets). */
export const CANDIDATE_LONG_SIDES: readonly number[] = [1600, 1280, 2048, 1920, 1024, 2560, 800];

/** Options of {@link embedRobust}. */
export interface EmbedRobustOptions {
  /** Encrypt the codec bits (AES-CTR, PBKDF2 key); the reveal then needs the same passphrase. */
  passphrase?: string;
  /** Salt for the passphrase (8 bytes); random by default. */
  salt?: Uint8Array;
  /** Speech codec parameters over {@link DEFAULT_CODEC} (2 kHz ADPCM, 5 levels, 0.512 s frames). */
  codec?: Partial<CodecParams>;
  /** Payload QIM step scale (× JPEG luma table): robustness against PSNR. */
  stepScale?: number;
  /** Payload coefficients per 8×8 block (zigzag ranks 1…n, n ≤ 27). */
  coefficients?: number;
  /** RGB spread of the luma change (see {@link SPLITS}); default 'min-mse'. */
  split?: keyof typeof SPLITS;
  /**
   * Blocks of the cover with AC power per pixel under this carry no payload (stored in the header; the receiver
   * erases blocks it reads as flat). Default: the largest {@link FLAT_THRESHOLDS} entry that leaves no coded bit
   * without a copy. Higher buys SSIM with robustness (see {@link MAX_ERASED}).
   */
  flatThreshold?: number;
}

/** What {@link embedRobust} returns. */
export interface EmbedRobustResult {
  rgb: Rgb;
  header: RobustHeader;
  framesTotal: number;
  /** Payload slots per coded bit (≥ 1); repeats are soft-combined on reveal. */
  repetition: number;
}

/** Options of {@link revealRobust}. */
export interface RevealRobustOptions {
  /** The passphrase the container was embedded with (needed when its header says it is encrypted). */
  passphrase?: string;
  /**
   * Refuse (`damaged_payload`) when more than this fraction of frames fail their CRC; default 0.2. Each lost frame is
   * 0.5 s of silence: on kodak24/cbsd68 (10 s) 11 % / 15 % / 21 % / 31 % lost gave STOI 0.83 / 0.78 / 0.72 / 0.61, so
   * past 20 % the voice is more gap than speech. Pass 1 to get whatever survived.
   */
  maxLostFraction?: number;
  /** Long sides to try when the image's own size yields no header; default {@link CANDIDATE_LONG_SIDES}. */
  candidateLongSides?: readonly number[];
}

/** What {@link revealRobust} returns: the clip at 8 kHz, lost frames silenced and counted. */
export interface RevealRobustResult {
  samples: Float32Array;
  sampleRate: number;
  framesTotal: number;
  framesLost: number;
  header: RobustHeader;
  /** True when the image had to be rescaled back to the header's size. */
  rescaled: boolean;
  /** First-pass Viterbi path metric per coded bit and repeat, in [0, 1]: ≈ 1 on a clean channel, falling with noise. */
  confidence: number;
}

/** Slot index in the per-block coefficient layout: block·64 + row-major coefficient index. */
interface Layout {
  blocksX: number;
  blocks: number;
  headerSlots: Int32Array;
  payloadSlots: Int32Array;
  /** 1 at header slots (block·64 + k), so activity can leave them out. */
  headerMask: Uint8Array;
}

function shuffle(a: Int32Array, seed: number): Int32Array {
  const rnd = mulberry32(seed);
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  }
  return a;
}

/** The last few layouts (the shuffles are a tenth of a reveal's time); read-only once built. */
const layoutCache = new Map<string, Layout>();

/** Which slots carry the header and which the payload: a keyless function of the size and coefficient count. */
function layout(width: number, height: number, coefficients: number): Layout {
  const cacheKey = `${width}x${height}/${coefficients}`;
  const known = layoutCache.get(cacheKey);
  if (known) return known;
  const blocksX = Math.floor(width / 8);
  const blocks = blocksX * Math.floor(height / 8);
  const headerCoded = codedLength(HEADER_BITS);
  const eligible = new Int32Array(blocks * HEADER_COEFS);
  for (let b = 0, k = 0; b < blocks; b++) for (let z = 1; z <= HEADER_COEFS; z++) eligible[k++] = b * 64 + ZIGZAG[z]!;
  shuffle(eligible, HEADER_SEED);
  const repeats = Math.max(3, Math.min(24, Math.floor((eligible.length * HEADER_SHARE) / headerCoded)));
  const headerSlots = eligible.slice(0, Math.min(eligible.length, repeats * headerCoded));
  const taken = new Uint8Array(blocks * 64);
  for (const s of headerSlots) taken[s] = 1;
  const payload = new Int32Array(blocks * coefficients - headerSlots.length);
  let n = 0;
  for (let b = 0; b < blocks; b++) {
    for (let z = 1; z <= coefficients; z++) {
      const s = b * 64 + ZIGZAG[z]!;
      if (!taken[s]) payload[n++] = s;
    }
  }
  const result = {
    blocksX,
    blocks,
    headerSlots,
    payloadSlots: shuffle(payload.subarray(0, n), PAYLOAD_SEED),
    headerMask: taken,
  };
  if (layoutCache.size >= 4) layoutCache.delete(layoutCache.keys().next().value!);
  layoutCache.set(cacheKey, result);
  return result;
}

/** Per-slot dither in [0, 1) (× step): a keyless integer hash, so no table is stored. */
function ditherOf(slot: number): number {
  let h = Math.imul(slot ^ 0x27d4eb2d, 0x165667b1);
  h ^= h >>> 15;
  h = Math.imul(h, 0x85ebca77);
  h ^= h >>> 13;
  return (h >>> 0) / 4294967296;
}

/** CRC-16/CCITT (poly 0x1021, init 0xFFFF) of a bit array. */
function crc16Bits(bits: Uint8Array, start: number, end: number): number {
  let crc = 0xffff;
  for (let i = start; i < end; i++) {
    const fb = ((crc >> 15) & 1) ^ bits[i]!;
    crc = (crc << 1) & 0xffff;
    if (fb) crc ^= 0x1021;
  }
  return crc;
}

/**
 * AC power per pixel of every block, header slots left out (they are embedded in every block, so they would blur the
 * flat/textured split the receiver has to repeat).
 */
function blockActivity(dct: { all: Float32Array; energy: Float32Array }, lay: Layout): Float32Array {
  const act = new Float32Array(lay.blocks);
  for (let b = 0; b < lay.blocks; b++) act[b] = dct.energy[b]! / 64;
  for (const s of lay.headerSlots) act[s >> 6]! -= (dct.all[s]! * dct.all[s]!) / 64;
  return act;
}

/**
 * Flat-block thresholds tried, largest first. SSIM punishes noise most where the cover is flat (a block of AC power
 * σ² loses about noise/(2σ² + 58.5) of its SSIM): on three BSDS training photos at 1280×960, leaving blocks under
 * 2 / 10 / 20 / 40 out raised SSIM from 0.951–0.958 to 0.959–0.974 / 0.968–0.980 / 0.975–0.984 / 0.983–0.989.
 */
const FLAT_THRESHOLDS: readonly number[] = [40, 30, 20, 14, 10, 7, 5, 3.5, 2.5, 1.5, 1, 0.5, 0];
/**
 * The largest flat threshold is kept under which at most this fraction of coded bits lose every copy (erasures).
 * Zero: skipping only where it is free. On four BSDS training photos at 1600×1200 (10 s), 0 / 2 % / 5 % gave SSIM
 * 0.953 / 0.957 / 0.962 but 1600→1280 linear + q80 revealed 4 / 2 / 1 of 4 (STOI 0.78 mean, 0.73 min at 0), so
 * robustness wins by default; `flatThreshold` buys SSIM explicitly.
 */
const MAX_ERASED = 0;
/** The receiver treats a block as flat (its slots as erasures) under threshold + this margin + 25 % of it: the
 * embedding adds ~5 to a carrying block's power, and a re-save only lowers a skipped block's. */
const FLAT_MARGIN = 1;

/** The largest {@link FLAT_THRESHOLDS} entry leaving at most {@link MAX_ERASED} of `coded` bits without a copy. */
function chooseFlatThreshold(act: Float32Array, slots: Int32Array, coded: number): number {
  const covered = new Uint8Array(coded);
  for (const t of FLAT_THRESHOLDS) {
    covered.fill(0);
    for (let i = 0; i < slots.length; i++) if (act[slots[i]! >> 6]! >= t) covered[i % coded] = 1;
    let erased = 0;
    for (const c of covered) erased += 1 - c;
    if (erased <= MAX_ERASED * coded) return t;
  }
  return 0;
}

/** Receiver-side flat test for a block of power `a` under the header's threshold `t`. */
function readsFlat(a: number, t: number): boolean {
  return t > 0 && a < t * 1.25 + FLAT_MARGIN;
}

/** Payload slots the image of this size holds and the coded bits a clip needs. */
function payloadDemand(codec: CodecParams, clipSamples: number): { frames: number; infoBits: number; coded: number } {
  const frames = frameCount(codec, clipSamples);
  const infoBits = frames * (frameBits(codec) + FRAME_CRC_BITS);
  return { frames, infoBits, coded: codedLength(infoBits) };
}

/**
 * Seconds of speech an image of `width`×`height` holds with these options (payload slots ≥ coded bits, i.e. at least
 * one copy of each code bit).
 */
export function robustCapacitySeconds(width: number, height: number, options: EmbedRobustOptions = {}): number {
  const codec = { ...DEFAULT_CODEC, ...options.codec };
  const slots = layout(width, height, options.coefficients ?? DEFAULT_COEFFICIENTS).payloadSlots.length;
  const perFrame = 2 * (frameBits(codec) + FRAME_CRC_BITS);
  const frames = Math.floor((slots - 2 * 6) / perFrame);
  return Math.max(0, (frames * codec.frameSamples) / codec.rate);
}

/**
 * Hides `clip` (mono, 8 kHz, any level) in `cover`. The luma coefficients of 8×8 blocks aligned to the JPEG grid
 * from the top-left corner are moved onto QIM lattices; the pixel change is spread over R, G, B per `split`. Throws `too_long` when the clip does not fit
 * (see {@link robustCapacitySeconds}) and `bad_request` for images under 64×64 or an empty clip.
 */
export async function embedRobust(
  cover: Rgb,
  clip: Float32Array,
  options: EmbedRobustOptions = {},
): Promise<EmbedRobustResult> {
  const { width, height } = cover;
  if (cover.data.length !== width * height * 3)
    throw new StegError('bad_request', `robust: ${cover.data.length} bytes is not ${width}×${height}×3`);
  if (width < 64 || height < 64 || width > 65535 || height > 65535)
    throw new StegError('bad_request', `robust: ${width}×${height} is outside 64…65535`);
  if (clip.length === 0 || clip.length >= 2 ** 24)
    throw new StegError('bad_request', `robust: a clip of ${clip.length} samples`);
  const codec: CodecParams = { ...DEFAULT_CODEC, ...options.codec };
  if (!validCodec(codec))
    throw new StegError('bad_request', `robust: invalid codec parameters ${JSON.stringify(codec)}`);
  const stepScale = Math.round((options.stepScale ?? DEFAULT_STEP_SCALE) * 16) / 16;
  const coefficients = options.coefficients ?? DEFAULT_COEFFICIENTS;
  if (coefficients < HEADER_COEFS || coefficients > 27)
    throw new StegError('bad_request', `robust: ${coefficients} coefficients per block`);
  let peak = 0;
  for (const v of clip) peak = Math.max(peak, Math.abs(v));
  if (!(peak > 0) || !Number.isFinite(peak))
    throw new StegError('bad_audio', 'robust: the clip is silent or not finite');
  const norm = Float32Array.from(clip, (v) => v / peak);

  const lay = layout(width, height, coefficients);
  const demand = payloadDemand(codec, clip.length);
  if (lay.payloadSlots.length < demand.coded) {
    throw new StegError(
      'too_long',
      `robust: ${(clip.length / CLIP_RATE).toFixed(1)} s needs ${demand.coded} slots, ${width}×${height} has ${lay.payloadSlots.length} (${robustCapacitySeconds(width, height, options).toFixed(1)} s)`,
    );
  }
  const salt = options.passphrase !== undefined ? (options.salt ?? randomSalt()) : null;
  const key = salt ? await deriveKey(options.passphrase!, salt) : null;
  const header: RobustHeader = {
    codec,
    clipSamples: clip.length,
    peak,
    stepScale,
    coefficients,
    width,
    height,
    salt,
    keyCheck: key?.check ?? 0,
    flatThreshold: 0,
  };

  // Information bits: per frame the (encrypted) codec bits then a CRC-16 over them.
  const frames = encodeSpeech(norm, codec);
  const fb = frameBits(codec);
  const info = new Uint8Array(demand.infoBits);
  frames.forEach((f, i) => info.set(f, i * (fb + FRAME_CRC_BITS)));
  if (key) {
    const body = new Uint8Array(frames.length * fb);
    frames.forEach((f, i) => body.set(f, i * fb));
    await xorKeystream(body, key);
    for (let i = 0; i < frames.length; i++) info.set(body.subarray(i * fb, (i + 1) * fb), i * (fb + FRAME_CRC_BITS));
  }
  for (let i = 0; i < frames.length; i++) {
    const o = i * (fb + FRAME_CRC_BITS);
    const crc = crc16Bits(info, o, o + fb);
    for (let b = 0; b < FRAME_CRC_BITS; b++) info[o + fb + b] = (crc >> (15 - b)) & 1;
  }
  const coded = convEncode(info);
  const act = blockActivity(blockCoefficients(lumaOf(cover), width, lay, HEADER_COEFS), lay);
  header.flatThreshold = options.flatThreshold ?? chooseFlatThreshold(act, lay.payloadSlots, coded.length);
  const headerCoded = convEncode(headerToBits(header));

  // Target bit and step of every used slot; the payload's coded bits repeat cyclically over all its slots.
  const target = new Int8Array(lay.blocks * 64).fill(-1);
  const step = new Float32Array(lay.blocks * 64);
  lay.headerSlots.forEach((s, i) => {
    target[s] = headerCoded[i % headerCoded.length]!;
    step[s] = HEADER_STEP_SCALE * JPEG_LUMA_TABLE[s & 63]!;
  });
  lay.payloadSlots.forEach((s, i) => {
    if (act[s >> 6]! < header.flatThreshold) return;
    target[s] = coded[i % coded.length]!;
    step[s] = stepScale * JPEG_LUMA_TABLE[s & 63]!;
  });

  const data = cover.data.slice();
  const coef = new Float64Array(64),
    delta = new Float64Array(64),
    pix = new Float64Array(64),
    tmp = new Float64Array(64);
  const m = frequencySpan(Math.max(coefficients, HEADER_COEFS));
  const split = SPLITS[options.split ?? 'min-mse'];
  for (let pass = 0; pass < PASSES; pass++) {
    const y = lumaOf({ width, height, data });
    for (let b = 0; b < lay.blocks; b++) {
      const bx = b % lay.blocksX;
      const by = (b - bx) / lay.blocksX;
      dct8(y, width, bx, by, coef, tmp, m);
      delta.fill(0);
      let moved = false;
      for (let k = 1; k < 64; k++) {
        const t = target[b * 64 + k]!;
        if (t < 0) continue;
        const st = step[b * 64 + k]!;
        const d = qimEmbed(coef[k]!, t, st, ditherOf(b * 64 + k) * st) - coef[k]!;
        if (Math.abs(d) > 0.05) {
          delta[k] = d;
          moved = true;
        }
      }
      if (!moved) continue;
      idct8(delta, pix, tmp, m);
      for (let r = 0; r < 8; r++) {
        for (let c = 0; c < 8; c++) {
          const p = ((by * 8 + r) * width + bx * 8 + c) * 3;
          const d = pix[r * 8 + c]!;
          for (let ch = 0; ch < 3; ch++) {
            const v = (data[p + ch]! + d * split[ch]! + 0.5) | 0;
            data[p + ch] = v < 0 ? 0 : v > 255 ? 255 : v;
          }
        }
      }
    }
  }
  return {
    rgb: { width, height, data },
    header,
    framesTotal: frames.length,
    repetition: lay.payloadSlots.length / coded.length,
  };
}

/**
 * Gains tried per coefficient after a rescale: a down-then-up resampling chain shrinks mid-frequency coefficients
 * (QIM is not scale-invariant, so a 10 % loss on a coefficient of 100 already crosses the decision boundary). The
 * gain that best re-aligns each coefficient's values with its lattices (largest mean |soft|) is kept.
 */
const RESCALE_GAINS: readonly number[] = Array.from({ length: 22 }, (_, i) => 0.64 + 0.02 * i);

/**
 * The 8×8 DCT coefficients of every block of a luma plane that zigzag ranks ≤ `rank` need (u, v below
 * {@link frequencySpan}), block after block: index block·64 + k is exactly a slot number, so header and payload read
 * from one transform of the image. Also each block's AC energy (Parseval: Σp² − (Σp)²/64), for the flat test.
 */
function blockCoefficients(
  y: Float32Array,
  width: number,
  lay: Layout,
  rank: number,
): { all: Float32Array; energy: Float32Array } {
  const all = new Float32Array(lay.blocks * 64);
  const energy = new Float32Array(lay.blocks);
  const m = frequencySpan(rank);
  const coef = new Float64Array(64),
    tmp = new Float64Array(64);
  for (let b = 0; b < lay.blocks; b++) {
    const bx = b % lay.blocksX;
    const by = (b - bx) / lay.blocksX;
    dct8(y, width, bx, by, coef, tmp, m);
    for (let v = 0; v < m; v++) for (let u = 0; u < m; u++) all[b * 64 + v * 8 + u] = coef[v * 8 + u]!;
    let s = 0,
      s2 = 0;
    for (let r = 0; r < 8; r++) {
      const row = (by * 8 + r) * width + bx * 8;
      for (let c = 0; c < 8; c++) {
        const p = y[row + c]!;
        s += p;
        s2 += p * p;
      }
    }
    energy[b] = s2 - (s * s) / 64;
  }
  return { all, energy };
}

/**
 * Per coefficient position, the gain from {@link RESCALE_GAINS} that best re-aligns its values with the lattices
 * (largest mean |soft|: 2/π for values unrelated to the lattices, 1 for values on them). Every 4th slot is used:
 * ~7,000 values per position at 1600×1200 place the peak well.
 */
function searchGains(values: Float32Array, slots: Int32Array, scale: number): Float64Array {
  const g = RESCALE_GAINS.length;
  const score = new Float64Array(64 * g);
  for (let i = 0; i < slots.length; i += 4) {
    const s = slots[i]!;
    const k = s & 63;
    const st = scale * JPEG_LUMA_TABLE[k]!;
    const d = ditherOf(s) * st;
    for (let j = 0; j < g; j++) score[k * g + j]! += Math.abs(qimSoft(values[i]! / RESCALE_GAINS[j]!, st, d));
  }
  const gain = new Float64Array(64).fill(1);
  for (let k = 1; k < 64; k++) {
    let best = -1;
    for (let j = 0; j < g; j++)
      if (score[k * g + j]! > 0 && (best < 0 || score[k * g + j]! > score[k * g + best]!)) best = j;
    if (best >= 0) gain[k] = RESCALE_GAINS[best]!;
  }
  return gain;
}

/** Per-slot soft values ({@link qimSoft}), each coefficient position divided by its gain first. */
function softValues(values: Float32Array, slots: Int32Array, scale: number, gain: Float64Array): Float32Array {
  return Float32Array.from(slots, (s, i) => {
    const k = s & 63;
    const st = scale * JPEG_LUMA_TABLE[k]!;
    return qimSoft(values[i]! / gain[k]!, st, ditherOf(s) * st);
  });
}

/** Sums the per-slot soft values onto the coded bits they repeat, each coefficient position weighted by `weight`. */
function combine(perSlot: Float32Array, slots: Int32Array, length: number, weight: Float64Array): Float32Array {
  const soft = new Float32Array(length);
  for (let i = 0; i < slots.length; i++) soft[i % length]! += weight[slots[i]! & 63]! * perSlot[i]!;
  return soft;
}

/**
 * Decision-directed reliability weights: with the first pass's decoded bits re-encoded as reference, each coefficient
 * position's weight is mean/variance of its soft values signed by the reference (the LLR scale of a Gaussian
 * approximation). Positions a channel wrecked (a downscale attenuates mid frequencies) then stop drowning the others.
 */
function reliabilityWeights(perSlot: Float32Array, slots: Int32Array, reference: Uint8Array): Float64Array {
  const sum = new Float64Array(64),
    sq = new Float64Array(64),
    n = new Float64Array(64);
  for (let i = 0; i < slots.length; i++) {
    if (perSlot[i] === 0) continue; // erased: a flat block
    const k = slots[i]! & 63;
    const v = reference[i % reference.length] ? -perSlot[i]! : perSlot[i]!;
    sum[k]! += v;
    sq[k]! += v * v;
    n[k]!++;
  }
  const w = new Float64Array(64);
  for (let k = 0; k < 64; k++) {
    if (!n[k]) continue;
    const m = sum[k]! / n[k]!;
    const varK = Math.max(1e-3, sq[k]! / n[k]! - m * m);
    w[k] = Math.max(0, m / varK);
  }
  return w;
}

/** Reads the header from a luma plane of this size; null unless it decodes with a valid CRC. */
function tryHeader(y: Float32Array, width: number, height: number): RobustHeader | null {
  if (width < 64 || height < 64) return null;
  const lay = layout(width, height, HEADER_COEFS);
  const dct = blockCoefficients(y, width, lay, HEADER_COEFS);
  const values = Float32Array.from(lay.headerSlots, (s) => dct.all[s]!);
  const soft = combine(
    softValues(values, lay.headerSlots, HEADER_STEP_SCALE, new Float64Array(64).fill(1)),
    lay.headerSlots,
    codedLength(HEADER_BITS),
    new Float64Array(64).fill(1),
  );
  return headerFromBits(viterbiDecode(soft, HEADER_BITS).bits);
}

/**
 * Recovers the clip from a container, possibly re-encoded or resized. The header is sought at the image's own size,
 * then at each of the candidate long sides (aspect kept, Lanczos-3 rescaling of luma); once found, the image is
 * rescaled to the exact size the header records and the payload is read there. Frames failing their CRC are silenced
 * and counted. Throws `no_payload` when no header is found, `unauthorized` for a missing or wrong passphrase, and
 * `damaged_payload` when more than `maxLostFraction` of the frames are lost.
 */
export async function revealRobust(image: Rgb, options: RevealRobustOptions = {}): Promise<RevealRobustResult> {
  const { width, height } = image;
  if (image.data.length !== width * height * 3)
    throw new StegError('bad_request', `robust: ${image.data.length} bytes is not ${width}×${height}×3`);
  const y0 = lumaOf(image);
  const long = Math.max(width, height);
  const sizes: Array<[number, number]> = [[width, height]];
  for (const l of options.candidateLongSides ?? CANDIDATE_LONG_SIDES) {
    if (l !== long) sizes.push([Math.round((width * l) / long), Math.round((height * l) / long)]);
  }
  let header: RobustHeader | null = null;
  let found = { width, height, plane: y0 };
  for (const [w, h] of sizes) {
    const plane = resizePlane(y0, width, height, w, h);
    header = tryHeader(plane, w, h);
    if (header) {
      found = { width: w, height: h, plane };
      break;
    }
  }
  if (!header) throw new StegError('no_payload', 'robust: no header found at any candidate size');
  let key = null;
  if (header.salt) {
    if (options.passphrase === undefined)
      throw new StegError('unauthorized', 'robust: this container is encrypted; a passphrase is needed');
    key = await deriveKey(options.passphrase, header.salt);
    if (key.check !== header.keyCheck) throw new StegError('unauthorized', 'robust: wrong passphrase');
  }
  const { width: w, height: h } = header;
  // The header may have been found at a rounded size (a non-4:3 photo resized and back): read at its exact size.
  const same = found.width === w && found.height === h;
  const y = same ? found.plane : resizePlane(y0, width, height, w, h);
  const lay = layout(w, h, header.coefficients);
  const demand = payloadDemand(header.codec, header.clipSamples);
  if (lay.payloadSlots.length < demand.coded)
    throw new StegError('damaged_payload', 'robust: header names more payload than the image holds');
  const dct = blockCoefficients(y, w, lay, header.coefficients);
  const values = Float32Array.from(lay.payloadSlots, (s) => dct.all[s]!);
  const rescaled = w !== width || h !== height;
  const gain = rescaled ? searchGains(values, lay.payloadSlots, header.stepScale) : new Float64Array(64).fill(1);
  const perSlot = softValues(values, lay.payloadSlots, header.stepScale, gain);
  if (header.flatThreshold > 0) {
    const act = blockActivity(dct, lay);
    lay.payloadSlots.forEach((s, i) => {
      if (readsFlat(act[s >> 6]!, header.flatThreshold)) perSlot[i] = 0;
    });
  }
  const reps = lay.payloadSlots.length / demand.coded;
  const fb = frameBits(header.codec);
  const decode = (weight: Float64Array) => {
    const { bits: info, metric } = viterbiDecode(
      combine(perSlot, lay.payloadSlots, demand.coded, weight),
      demand.infoBits,
    );
    const ok: boolean[] = [];
    for (let i = 0; i < demand.frames; i++) {
      const o = i * (fb + FRAME_CRC_BITS);
      let crc = 0;
      for (let b = 0; b < FRAME_CRC_BITS; b++) crc = (crc << 1) | info[o + fb + b]!;
      ok.push(crc === crc16Bits(info, o, o + fb));
    }
    return { info, metric, ok, lost: ok.filter((v) => !v).length };
  };
  let pass = decode(new Float64Array(64).fill(1));
  const firstMetric = pass.metric;
  if (pass.lost > 0) {
    const second = decode(reliabilityWeights(perSlot, lay.payloadSlots, convEncode(pass.info)));
    if (second.lost < pass.lost) pass = second;
  }
  const { info, lost } = pass;
  const body = new Uint8Array(demand.frames * fb);
  const frames: Array<Uint8Array | null> = [];
  for (let i = 0; i < demand.frames; i++) {
    const o = i * (fb + FRAME_CRC_BITS);
    body.set(info.subarray(o, o + fb), i * fb);
    frames.push(pass.ok[i] ? body.subarray(i * fb, (i + 1) * fb) : null);
  }
  if (lost > (options.maxLostFraction ?? 0.2) * demand.frames) {
    throw new StegError('damaged_payload', `robust: ${lost} of ${demand.frames} frames failed their CRC`);
  }
  if (key) await xorKeystream(body, key);
  const norm = decodeSpeech(frames, header.codec, header.clipSamples);
  const samples = Float32Array.from(norm, (v) => v * header!.peak);
  return {
    samples,
    sampleRate: CLIP_RATE,
    framesTotal: demand.frames,
    framesLost: lost,
    header,
    rescaled,
    confidence: firstMetric / reps,
  };
}
