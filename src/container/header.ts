/** The payload header: what reveal must know (scheme, clip length, gain, size, key flag, spread rate, emphasis), stored in pixel LSBs with a CRC. */
import { crc32 } from './crc32.js';
import { MAX_EMPHASIS } from '../audio/emphasis.js';
import { StegError } from '../util/errors.js';

/**
 * Header layout version (byte 3 of the magic) of neural containers. Version 2 added the spread rate; version 3 puts
 * the pre-emphasis coefficient in byte 5, which held the copy count (always 1 since version 2). Versions 1 and 2 still
 * parse, with no emphasis.
 */
export const HEADER_VERSION = 3;
/**
 * Layout version of coded containers ({@link CodedFields}): a reader that predates the coded scheme refuses them as
 * an unknown version instead of running the nets on them.
 */
export const CODED_HEADER_VERSION = 4;
const CODED_FLAG = 2;
/** Rate of the audio in version 1 containers, which were never spread. */
const UNSPREAD_RATE = 8000;
const MAGIC = [0x53, 0x56, 0x58]; // "SVX"
/** Header size in bytes. */
export const HEADER_BYTES = 36;
const HEADER_BITS = HEADER_BYTES * 8;
/** Copies of the header written; reveal takes a per-bit majority vote. */
export const HEADER_COPIES = 3;
/** Channel values (of the interleaved RGB image, raster order) whose LSBs hold the header copies. */
export const HEADER_VALUES = HEADER_BITS * HEADER_COPIES;
/** Length of the coarse loudness fingerprint used to detect a damaged payload. */
export const ENVELOPE_BYTES = 8;

/** Everything reveal needs besides the pixels. */
export interface PayloadHeader {
  /** Image size the container was made at: a resized or cropped container no longer matches. */
  width: number;
  height: number;
  /** Number of 8 kHz samples embedded. */
  sampleCount: number;
  /** Normalisation gain applied before embedding; reveal divides by it. */
  gain: number;
  /** True when the audio was scrambled with a key. */
  keyed: boolean;
  /** Copies of the payload embedded one after another; reveal averages them (version 1 used 1–3, later versions 1). */
  copies: number;
  /** Pre-emphasis coefficient applied before normalising, in hundredths (0 before version 3); reveal de-emphasises. */
  emphasis: number;
  /** Rate (Hz) the clip was resampled up to before embedding; 8000 when it was not spread. */
  spreadRate: number;
  /** Coarse loudness envelope of the embedded (normalised) audio, one byte per eighth of the clip (neural only). */
  envelope: Uint8Array;
  /** Present for the coded scheme (header version 4): how the symbols are laid out and checked. */
  coded?: CodedFields;
}

/** What a coded container's header adds (bytes 5–7 and 24–31, which hold emphasis, spread rate and envelope in neural ones). */
export interface CodedFields {
  /** Speech codec id (ADPCM_CODEC_ID in src/schemes/coded/adpcm.ts). */
  codec: number;
  /** Each channel value carries one digit mod `base`; each sample takes `digitsPerSample` values. */
  base: number;
  digitsPerSample: number;
  /** CRC-32 of the digits as written (after any key): reveal refuses a container whose digits changed. */
  digitCrc: number;
  /** Per-container nonce of the keyed cipher (0 without a key). */
  nonce: number;
}

/**
 * Serialises a header to its {@link HEADER_BYTES} bytes (little endian, CRC-32 last) in layout `version` (embed
 * writes the current one; older ones exist so reveal's compatibility can be tested): version 3 stores the emphasis
 * and one copy, versions 1–2 the copy count and no emphasis, version 1 no spread rate.
 */
export function serializeHeader(h: PayloadHeader, version = h.coded ? CODED_HEADER_VERSION : HEADER_VERSION): Uint8Array {
  if (h.coded) return serializeCoded(h, h.coded);
  if (version >= 3 ? h.copies !== 1 : h.emphasis !== 0) throw new Error(`header version ${version} cannot store copies ${h.copies} with emphasis ${h.emphasis}`);
  const bytes = new Uint8Array(HEADER_BYTES);
  const view = new DataView(bytes.buffer);
  bytes.set(MAGIC, 0);
  bytes[3] = version;
  bytes[4] = h.keyed ? 1 : 0;
  bytes[5] = version >= 3 ? Math.round(h.emphasis * 100) : h.copies;
  if (version >= 2) view.setUint16(6, h.spreadRate, true);
  view.setUint32(8, h.width, true);
  view.setUint32(12, h.height, true);
  view.setUint32(16, h.sampleCount, true);
  view.setFloat32(20, h.gain, true);
  bytes.set(h.envelope.subarray(0, ENVELOPE_BYTES), 24);
  view.setUint32(32, crc32(bytes.subarray(0, 32)), true);
  return bytes;
}

function serializeCoded(h: PayloadHeader, c: CodedFields): Uint8Array {
  const bytes = new Uint8Array(HEADER_BYTES);
  const view = new DataView(bytes.buffer);
  bytes.set(MAGIC, 0);
  bytes[3] = CODED_HEADER_VERSION;
  bytes[4] = (h.keyed ? 1 : 0) | CODED_FLAG;
  bytes[5] = c.codec;
  bytes[6] = c.base;
  bytes[7] = c.digitsPerSample;
  view.setUint32(8, h.width, true);
  view.setUint32(12, h.height, true);
  view.setUint32(16, h.sampleCount, true);
  view.setFloat32(20, h.gain, true);
  view.setUint32(24, c.digitCrc >>> 0, true);
  view.setUint32(28, c.nonce >>> 0, true);
  view.setUint32(32, crc32(bytes.subarray(0, 32)), true);
  return bytes;
}

/**
 * Parses and checks header bytes. No stegavox magic → StegError('no_payload'); magic present but CRC,
 * version or field values wrong → StegError('damaged_payload').
 */
export function parseHeader(bytes: Uint8Array): PayloadHeader {
  if (bytes.length < HEADER_BYTES || MAGIC.some((m, i) => bytes[i] !== m))
    throw new StegError('no_payload', 'no stegavox payload found in this image (nothing hidden, or it was overwritten)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, HEADER_BYTES);
  if (view.getUint32(32, true) !== crc32(bytes.subarray(0, 32)))
    throw new StegError('damaged_payload', 'the payload header fails its integrity check: the container was altered');
  const version = bytes[3]!;
  if (version < 1 || version > CODED_HEADER_VERSION)
    throw new StegError('damaged_payload', `payload header version ${version} is not supported (expected 1 to ${CODED_HEADER_VERSION})`);
  const gain = view.getFloat32(20, true);
  if (version === CODED_HEADER_VERSION) return parseCoded(bytes, view, gain);
  const header: PayloadHeader = {
    keyed: (bytes[4]! & 1) === 1,
    copies: version < 3 ? bytes[5]! : 1,
    emphasis: version < 3 ? 0 : bytes[5]! / 100,
    spreadRate: version === 1 ? UNSPREAD_RATE : view.getUint16(6, true),
    width: view.getUint32(8, true),
    height: view.getUint32(12, true),
    sampleCount: view.getUint32(16, true),
    gain,
    envelope: bytes.slice(24, 24 + ENVELOPE_BYTES),
  };
  if (!Number.isFinite(gain) || gain <= 0 || header.sampleCount === 0 || header.width === 0 || header.height === 0 || header.copies === 0 || header.spreadRate < UNSPREAD_RATE || header.emphasis > MAX_EMPHASIS)
    throw new StegError('damaged_payload', 'the payload header holds impossible values');
  return header;
}

function parseCoded(bytes: Uint8Array, view: DataView, gain: number): PayloadHeader {
  const header: PayloadHeader = {
    keyed: (bytes[4]! & 1) === 1,
    copies: 1,
    emphasis: 0,
    spreadRate: UNSPREAD_RATE,
    width: view.getUint32(8, true),
    height: view.getUint32(12, true),
    sampleCount: view.getUint32(16, true),
    gain,
    envelope: new Uint8Array(ENVELOPE_BYTES),
    coded: { codec: bytes[5]!, base: bytes[6]!, digitsPerSample: bytes[7]!, digitCrc: view.getUint32(24, true), nonce: view.getUint32(28, true) },
  };
  const c = header.coded!;
  if ((bytes[4]! & CODED_FLAG) === 0 || !Number.isFinite(gain) || gain <= 0 || header.sampleCount === 0 || header.width === 0 || header.height === 0 || c.base < 3 || c.base % 2 === 0 || c.digitsPerSample < 1 || c.base ** c.digitsPerSample > 255)
    throw new StegError('damaged_payload', 'the payload header holds impossible values');
  return header;
}

/**
 * Writes the header's copies into the LSBs of the first {@link HEADER_VALUES} channel values of `rgb` (in place), in
 * layout `version` (see {@link serializeHeader}).
 */
export function writeHeaderBits(rgb: Uint8Array, header: PayloadHeader, version = header.coded ? CODED_HEADER_VERSION : HEADER_VERSION): void {
  if (rgb.length < HEADER_VALUES) throw new StegError('too_large', 'image too small to carry a payload header');
  const bytes = serializeHeader(header, version);
  for (let copy = 0; copy < HEADER_COPIES; copy++) {
    for (let bit = 0; bit < HEADER_BITS; bit++) {
      const i = copy * HEADER_BITS + bit;
      rgb[i] = (rgb[i]! & 0xfe) | ((bytes[bit >> 3]! >> (bit & 7)) & 1);
    }
  }
}

/** Reads the header bytes back (per-bit majority over the copies) and parses them with {@link parseHeader}. */
export function readHeaderBits(rgb: Uint8Array): PayloadHeader {
  if (rgb.length < HEADER_VALUES) throw new StegError('no_payload', 'image too small to hold a stegavox payload');
  const bytes = new Uint8Array(HEADER_BYTES);
  for (let bit = 0; bit < HEADER_BITS; bit++) {
    let ones = 0;
    for (let copy = 0; copy < HEADER_COPIES; copy++) ones += rgb[copy * HEADER_BITS + bit]! & 1;
    if (ones * 2 > HEADER_COPIES) bytes[bit >> 3]! |= 1 << (bit & 7);
  }
  return parseHeader(bytes);
}

/**
 * Coarse loudness envelope: RMS of each eighth of the clip as a byte on a log scale (0 = −96 dB or less,
 * 255 = 0 dB, ≈ 0.38 dB per step). Compared on reveal to catch containers whose audio no longer decodes.
 */
export function loudnessEnvelope(samples: Float32Array): Uint8Array {
  const out = new Uint8Array(ENVELOPE_BYTES);
  const n = samples.length;
  for (let k = 0; k < ENVELOPE_BYTES; k++) {
    const start = Math.floor((k * n) / ENVELOPE_BYTES);
    const end = Math.max(start + 1, Math.floor(((k + 1) * n) / ENVELOPE_BYTES));
    let sum = 0;
    for (let i = start; i < end && i < n; i++) sum += samples[i]! * samples[i]!;
    const db = 10 * Math.log10(sum / (end - start) + 1e-12);
    out[k] = Math.max(0, Math.min(255, Math.round(((db + 96) / 96) * 255)));
  }
  return out;
}

/**
 * Level (dB, normalised audio) up to which {@link envelopeDistanceDb} accepts an eighth coming back louder than its
 * fingerprint: a pause of digital silence (−96 dB) reveals as rounding and model noise (≈ −50 dB even for a lossless
 * code), which must not count as drift.
 */
export const ENVELOPE_FLOOR_DB = -30;
const ENVELOPE_FLOOR_BYTE = Math.round(((ENVELOPE_FLOOR_DB + 96) / 96) * 255);

/**
 * Loudness drift (dB, mean over the eighths) of the revealed audio's envelope against the fingerprint stored at embed
 * time. Asymmetric on purpose: reveal noise only adds power, so an eighth that comes back louder counts only above
 * {@link ENVELOPE_FLOOR_DB}, while an eighth that comes back quieter (audio lost) counts in full.
 */
export function envelopeDistanceDb(revealed: Uint8Array, stored: Uint8Array): number {
  let sum = 0;
  for (let k = 0; k < ENVELOPE_BYTES; k++) {
    const r = revealed[k]!;
    const s = stored[k]!;
    sum += r < s ? s - r : Math.max(0, r - Math.max(s, ENVELOPE_FLOOR_BYTE));
  }
  return ((sum / ENVELOPE_BYTES) * 96) / 255;
}
