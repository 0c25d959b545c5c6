/** The robust scheme's header: what a receiver needs before the payload (codec, length, gain, size, key salt), CRC-32 guarded. */
import { crc32 } from '../../container/crc32.js';
import { CODEC_RATES, validCodec, type CodecParams } from '../../speech/envelope-codec.js';

/** First header byte: identifies this scheme and its layout (bump on any change that decodes differently). */
export const ROBUST_MAGIC = 0xb7;
/** Header bytes before its CRC-32. */
export const HEADER_BYTES = 28;
/** Header bits on the channel: {@link HEADER_BYTES} + 4 bytes CRC-32. */
export const HEADER_BITS = (HEADER_BYTES + 4) * 8;

/** Everything the header carries. */
export interface RobustHeader {
  codec: CodecParams;
  /** Clip length in samples at 8 kHz (< 2²⁴, 35 minutes). */
  clipSamples: number;
  /** The clip's original peak: the decoder multiplies its normalised output by it (2^(1/2048) resolution). */
  peak: number;
  /** Payload QIM step scale (steps = scale × JPEG luma table), stored at 1/16 resolution. */
  stepScale: number;
  /** Payload coefficients per block: zigzag ranks 1…coefficients. */
  coefficients: number;
  /** Size of the image as embedded: a receiver that got a resized copy rescales it back to this. */
  width: number;
  height: number;
  /** PBKDF2 salt when the payload is encrypted (8 bytes), else null. */
  salt: Uint8Array | null;
  /** 16-bit check value derived with the key, so a wrong passphrase is told apart from a damaged payload. */
  keyCheck: number;
  /**
   * Blocks whose AC power per pixel (outside header slots) was under this in the cover carry no payload (0 = all
   * blocks do); stored at 1/4 resolution, at most 63.75.
   */
  flatThreshold: number;
}

/** Serialises a header to bits (one 0/1 per byte), CRC-32 appended. */
export function headerToBits(h: RobustHeader): Uint8Array {
  const b = new Uint8Array(HEADER_BYTES + 4);
  const rateIdx = CODEC_RATES.indexOf(h.codec.rate);
  if (rateIdx < 0) throw new RangeError(`robust header: rate ${h.codec.rate} not representable`);
  b[0] = ROBUST_MAGIC;
  b[1] = 1;
  b[2] = (rateIdx << 4) | (h.codec.levels & 15);
  b[3] = h.codec.frameSamples >> 8;
  b[4] = h.codec.frameSamples & 255;
  b[5] = (h.clipSamples >> 16) & 255;
  b[6] = (h.clipSamples >> 8) & 255;
  b[7] = h.clipSamples & 255;
  const g = Math.max(0, Math.min(65535, Math.round(2048 * Math.log2(Math.max(h.peak, 1e-9))) + 32768));
  b[8] = g >> 8;
  b[9] = g & 255;
  b[10] = Math.max(1, Math.min(255, Math.round(h.stepScale * 16)));
  b[11] = h.coefficients;
  b[12] = h.width >> 8;
  b[13] = h.width & 255;
  b[14] = h.height >> 8;
  b[15] = h.height & 255;
  b[16] = h.salt ? 1 : 0;
  if (h.salt) b.set(h.salt.subarray(0, 8), 17);
  b[25] = h.keyCheck >> 8;
  b[26] = h.keyCheck & 255;
  b[27] = Math.max(0, Math.min(255, Math.round(h.flatThreshold * 4)));
  const crc = crc32(b.subarray(0, HEADER_BYTES));
  b[28] = crc >>> 24;
  b[29] = (crc >>> 16) & 255;
  b[30] = (crc >>> 8) & 255;
  b[31] = crc & 255;
  const bits = new Uint8Array(HEADER_BITS);
  for (let i = 0; i < HEADER_BITS; i++) bits[i] = (b[i >> 3]! >> (7 - (i & 7))) & 1;
  return bits;
}

/** Parses header bits; null when the CRC, magic or version does not match or a field is out of range. */
export function headerFromBits(bits: Uint8Array): RobustHeader | null {
  const b = new Uint8Array(HEADER_BYTES + 4);
  for (let i = 0; i < HEADER_BITS; i++) b[i >> 3]! |= bits[i]! << (7 - (i & 7));
  const crc = ((b[28]! << 24) | (b[29]! << 16) | (b[30]! << 8) | b[31]!) >>> 0;
  if (crc !== crc32(b.subarray(0, HEADER_BYTES)) || b[0] !== ROBUST_MAGIC || b[1] !== 1) return null;
  const rate = CODEC_RATES[b[2]! >> 4];
  const levels = b[2]! & 15;
  const frameSamples = (b[3]! << 8) | b[4]!;
  if (rate === undefined || !validCodec({ rate, levels, frameSamples }) || b[11]! < 1 || b[11]! > 63) return null;
  return {
    codec: { rate, levels, frameSamples },
    clipSamples: (b[5]! << 16) | (b[6]! << 8) | b[7]!,
    peak: 2 ** ((((b[8]! << 8) | b[9]!) - 32768) / 2048),
    stepScale: b[10]! / 16,
    coefficients: b[11]!,
    width: (b[12]! << 8) | b[13]!,
    height: (b[14]! << 8) | b[15]!,
    salt: b[16]! & 1 ? b.slice(17, 25) : null,
    keyCheck: (b[25]! << 8) | b[26]!,
    flatThreshold: b[27]! / 4,
  };
}
