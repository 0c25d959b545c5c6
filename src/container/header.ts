/** The payload header's frame: magic, version, the fields every scheme shares, CRC-32, in the LSBs of the first values. */
import { crc32 } from './crc32.js';
import { StegError } from '../util/errors.js';

const MAGIC = [0x53, 0x56, 0x58]; // "SVX"
/** Header size in bytes (docs/container-format.md has the byte map). */
export const HEADER_BYTES = 36;
const HEADER_BITS = HEADER_BYTES * 8;
/** Copies of the header written; reveal takes a per-bit majority vote. */
export const HEADER_COPIES = 3;
/** Channel values (of the interleaved RGB image, raster order) whose LSBs hold the header copies. */
export const HEADER_VALUES = HEADER_BITS * HEADER_COPIES;
/** Bit 0 of byte 4 in every version: the payload was made with a key. The other bits of byte 4 belong to the scheme. */
export const KEYED_FLAG = 1;

/** Fields every header carries, whatever the scheme (bytes 4 bit 0 and 8–23). */
export interface HeaderCommon {
  /** Image size the container was made at: a resized or cropped container no longer matches. */
  width: number;
  height: number;
  /** Number of 8 kHz samples embedded. */
  sampleCount: number;
  /** Normalisation gain applied before embedding; reveal divides by it. */
  gain: number;
  /** True when the payload was made with a key. */
  keyed: boolean;
}

/**
 * How one scheme lays out its own header bytes (byte 4 bits 1–7, bytes 5–7 and 24–31) and which layout versions
 * (byte 3) it owns. Versions are unique across schemes, so the version byte alone says which scheme made a container.
 */
export interface HeaderLayout<H extends HeaderCommon> {
  /** Versions this layout reads. */
  readonly versions: readonly number[];
  /** The version embed writes. */
  readonly writeVersion: number;
  /** Writes the scheme's bytes of `header` in layout `version` (the frame and common fields are written already). */
  write(header: H, bytes: Uint8Array, view: DataView, version: number): void;
  /** Reads the scheme's bytes; throws StegError('damaged_payload') for impossible values. */
  read(common: HeaderCommon, bytes: Uint8Array, view: DataView, version: number): H;
}

/** Serialises `header` to its {@link HEADER_BYTES} bytes (little endian, CRC-32 last) in `layout`'s `version`. */
export function serializeHeader<H extends HeaderCommon>(
  header: H,
  layout: HeaderLayout<H>,
  version = layout.writeVersion,
): Uint8Array {
  if (!layout.versions.includes(version)) throw new Error(`this layout does not write header version ${version}`);
  const bytes = new Uint8Array(HEADER_BYTES);
  const view = new DataView(bytes.buffer);
  bytes.set(MAGIC, 0);
  bytes[3] = version;
  bytes[4] = header.keyed ? KEYED_FLAG : 0;
  view.setUint32(8, header.width, true);
  view.setUint32(12, header.height, true);
  view.setUint32(16, header.sampleCount, true);
  view.setFloat32(20, header.gain, true);
  layout.write(header, bytes, view, version);
  view.setUint32(32, crc32(bytes.subarray(0, 32)), true);
  return bytes;
}

/**
 * Parses and checks header bytes with whichever of `layouts` owns their version. No stegavox magic →
 * StegError('no_payload'); magic present but CRC, version or field values wrong → StegError('damaged_payload').
 */
export function parseHeader<H extends HeaderCommon>(bytes: Uint8Array, layouts: readonly HeaderLayout<H>[]): H {
  if (bytes.length < HEADER_BYTES || MAGIC.some((m, i) => bytes[i] !== m))
    throw new StegError(
      'no_payload',
      'no stegavox payload found in this image (nothing hidden, or it was overwritten)',
    );
  const view = new DataView(bytes.buffer, bytes.byteOffset, HEADER_BYTES);
  if (view.getUint32(32, true) !== crc32(bytes.subarray(0, 32)))
    throw new StegError('damaged_payload', 'the payload header fails its integrity check: the container was altered');
  const version = bytes[3]!;
  const layout = layouts.find((l) => l.versions.includes(version));
  if (!layout) {
    const known = layouts.flatMap((l) => l.versions);
    throw new StegError(
      'damaged_payload',
      `payload header version ${version} is not supported (expected ${Math.min(...known)} to ${Math.max(...known)})`,
    );
  }
  const common: HeaderCommon = {
    keyed: (bytes[4]! & KEYED_FLAG) === KEYED_FLAG,
    width: view.getUint32(8, true),
    height: view.getUint32(12, true),
    sampleCount: view.getUint32(16, true),
    gain: view.getFloat32(20, true),
  };
  if (
    !Number.isFinite(common.gain) ||
    common.gain <= 0 ||
    common.sampleCount === 0 ||
    common.width === 0 ||
    common.height === 0
  )
    throw impossibleHeader();
  return layout.read(common, bytes, view, version);
}

/** The refusal for a header whose CRC holds but whose fields cannot be (a forged or buggy writer). */
export function impossibleHeader(): StegError {
  return new StegError('damaged_payload', 'the payload header holds impossible values');
}

/** Writes header `bytes`' copies into the LSBs of the first {@link HEADER_VALUES} channel values of `rgb`, in place. */
export function writeHeaderBytes(rgb: Uint8Array, bytes: Uint8Array): void {
  if (rgb.length < HEADER_VALUES) throw new StegError('too_large', 'image too small to carry a payload header');
  for (let copy = 0; copy < HEADER_COPIES; copy++) {
    for (let bit = 0; bit < HEADER_BITS; bit++) {
      const i = copy * HEADER_BITS + bit;
      rgb[i] = (rgb[i]! & 0xfe) | ((bytes[bit >> 3]! >> (bit & 7)) & 1);
    }
  }
}

/** Reads the header bytes back from `rgb`'s LSBs: a per-bit majority over the copies. */
export function readHeaderBytes(rgb: Uint8Array): Uint8Array {
  if (rgb.length < HEADER_VALUES) throw new StegError('no_payload', 'image too small to hold a stegavox payload');
  const bytes = new Uint8Array(HEADER_BYTES);
  for (let bit = 0; bit < HEADER_BITS; bit++) {
    let ones = 0;
    for (let copy = 0; copy < HEADER_COPIES; copy++) ones += rgb[copy * HEADER_BITS + bit]! & 1;
    if (ones * 2 > HEADER_COPIES) bytes[bit >> 3]! |= 1 << (bit & 7);
  }
  return bytes;
}
