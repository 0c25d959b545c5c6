/** The coded scheme's header fields (version 4): codec, digit base and count, the digits' CRC, the cipher nonce. */
import { impossibleHeader, type HeaderCommon, type HeaderLayout } from '../../container/header.js';

/**
 * Layout version of coded containers: a reader that predates the coded scheme refuses them as an unknown version
 * instead of running the nets on them.
 */
export const CODED_HEADER_VERSION = 4;
/** Bit 1 of byte 4: set in every coded header (a second mark besides the version). */
const CODED_FLAG = 2;

/** What a coded container's header holds besides the common fields. */
export interface CodedHeader extends HeaderCommon {
  scheme: 'coded';
  /** Speech codec id (ADPCM_CODEC_ID in src/speech/adpcm.ts). */
  codec: number;
  /** Each channel value carries one digit mod `base`; each sample takes `digitsPerSample` values. */
  base: number;
  digitsPerSample: number;
  /** CRC-32 of the digits as written (after any key): reveal refuses a container whose digits changed. */
  digitCrc: number;
  /** Per-container nonce of the keyed cipher (0 without a key). */
  nonce: number;
}

/** Bytes 5–7 (codec, base, digits per sample) and 24–31 (digit CRC, nonce). */
export const codedHeaderLayout: HeaderLayout<CodedHeader> = {
  versions: [CODED_HEADER_VERSION],
  writeVersion: CODED_HEADER_VERSION,
  write(h, bytes, view) {
    bytes[4]! |= CODED_FLAG;
    bytes[5] = h.codec;
    bytes[6] = h.base;
    bytes[7] = h.digitsPerSample;
    view.setUint32(24, h.digitCrc >>> 0, true);
    view.setUint32(28, h.nonce >>> 0, true);
  },
  read(common, bytes, view) {
    const header: CodedHeader = {
      scheme: 'coded',
      ...common,
      codec: bytes[5]!,
      base: bytes[6]!,
      digitsPerSample: bytes[7]!,
      digitCrc: view.getUint32(24, true),
      nonce: view.getUint32(28, true),
    };
    const { base, digitsPerSample } = header;
    if (
      (bytes[4]! & CODED_FLAG) === 0 ||
      base < 3 ||
      base % 2 === 0 ||
      digitsPerSample < 1 ||
      base ** digitsPerSample > 255
    )
      throw impossibleHeader();
    return header;
  },
};
