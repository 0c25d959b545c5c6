/** The neural scheme's header fields (versions 1–3): copies or emphasis, spread rate, loudness fingerprint. */
import { impossibleHeader, type HeaderCommon, type HeaderLayout } from '../../container/header.js';
import { ENVELOPE_BYTES } from '../../container/fingerprint.js';
import { MAX_EMPHASIS } from '../../audio/emphasis.js';

/**
 * Layout version embed writes. Version 2 added the spread rate; version 3 puts the pre-emphasis coefficient in byte 5,
 * which held the copy count (always 1 since version 2). Versions 1 and 2 still parse, with no emphasis.
 */
export const NEURAL_HEADER_VERSION = 3;
/** Rate of the audio in version 1 containers, which were never spread. */
const UNSPREAD_RATE = 8000;

/** What reveal needs to undo the neural scheme's preparation of the clip. */
export interface NeuralHeader extends HeaderCommon {
  scheme: 'neural';
  /** Copies of the payload embedded one after another; reveal averages them (version 1 used 1–3, later versions 1). */
  copies: number;
  /** Pre-emphasis coefficient applied before normalising, in hundredths (0 before version 3); reveal de-emphasises. */
  emphasis: number;
  /** Rate (Hz) the clip was resampled up to before embedding; 8000 when it was not spread. */
  spreadRate: number;
  /** Coarse loudness envelope of the embedded (normalised) audio, one byte per eighth of the clip. */
  envelope: Uint8Array;
}

/** Bytes 5 (copies, or emphasis from version 3), 6–7 (spread rate, from version 2) and 24–31 (the fingerprint). */
export const neuralHeaderLayout: HeaderLayout<NeuralHeader> = {
  versions: [1, 2, 3],
  writeVersion: NEURAL_HEADER_VERSION,
  write(h, bytes, view, version) {
    if (version >= 3 ? h.copies !== 1 : h.emphasis !== 0)
      throw new Error(`header version ${version} cannot store copies ${h.copies} with emphasis ${h.emphasis}`);
    bytes[5] = version >= 3 ? Math.round(h.emphasis * 100) : h.copies;
    if (version >= 2) view.setUint16(6, h.spreadRate, true);
    bytes.set(h.envelope.subarray(0, ENVELOPE_BYTES), 24);
  },
  read(common, bytes, view, version) {
    const header: NeuralHeader = {
      scheme: 'neural',
      ...common,
      copies: version < 3 ? bytes[5]! : 1,
      emphasis: version < 3 ? 0 : bytes[5]! / 100,
      spreadRate: version === 1 ? UNSPREAD_RATE : view.getUint16(6, true),
      envelope: bytes.slice(24, 24 + ENVELOPE_BYTES),
    };
    if (header.copies === 0 || header.spreadRate < UNSPREAD_RATE || header.emphasis > MAX_EMPHASIS)
      throw impossibleHeader();
    return header;
  },
};
