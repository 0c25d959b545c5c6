/** The stealth scheme's header fields (version 6): codec parameters, the message's CRC-32 and the cipher nonce. */
import { impossibleHeader, type HeaderCommon, type HeaderLayout } from '../../container/header.js';
import { CODEC_RATES, validCodec, type CodecParams } from '../../speech/envelope-codec.js';

/** Layout version of stealth containers (5 is the sealed frame's number in the docs; 6 is the first free one). */
export const STEALTH_HEADER_VERSION = 6;

/** What a stealth container's header holds besides the common fields. */
export interface StealthHeader extends HeaderCommon {
  scheme: 'stealth';
  /** The speech codec's parameters (src/speech/envelope-codec.ts): the message length follows from them. */
  codec: CodecParams;
  /** CRC-32 of the message bits as embedded: reveal refuses a container whose message changed. */
  messageCrc: number;
  /** Nonce of the bit cipher (fresh per container). */
  nonce: number;
}

/** Byte 5: codec rate index (high nibble) and levels (low nibble); 6–7: frame samples; 24–27 CRC; 28–31 nonce. */
export const stealthHeaderLayout: HeaderLayout<StealthHeader> = {
  versions: [STEALTH_HEADER_VERSION],
  writeVersion: STEALTH_HEADER_VERSION,
  write(h, bytes, view) {
    bytes[5] = (CODEC_RATES.indexOf(h.codec.rate) << 4) | h.codec.levels;
    view.setUint16(6, h.codec.frameSamples, true);
    view.setUint32(24, h.messageCrc >>> 0, true);
    view.setUint32(28, h.nonce >>> 0, true);
  },
  read(common, bytes, view) {
    const rate = CODEC_RATES[bytes[5]! >> 4];
    const codec: CodecParams = { rate: rate ?? 0, levels: bytes[5]! & 15, frameSamples: view.getUint16(6, true) };
    if (rate === undefined || !validCodec(codec)) throw impossibleHeader();
    return {
      scheme: 'stealth',
      ...common,
      codec,
      messageCrc: view.getUint32(24, true),
      nonce: view.getUint32(28, true),
    };
  },
};
