/** The robust scheme: a low-rate codec's bits in mid-frequency 8×8 DCT coefficients (QIM), surviving JPEG and resizes. */
import { SAMPLE_RATE } from '../../container/layout.js';
import { impossibleHeader, type HeaderCommon, type HeaderLayout } from '../../container/header.js';
import type { RgbImage } from '../../formats/image.js';
import { StegError } from '../../util/errors.js';
import type { HidingScheme, UnframedReveal } from '../scheme.js';
import { DEFAULT_CODEC } from '../../speech/envelope-codec.js';
import { embedRobust, revealRobust, robustCapacitySeconds } from './robust.js';

/** Layout version of robust containers' LSB frame (present while the container stays a PNG; the payload has its own). */
export const ROBUST_HEADER_VERSION = 7;

/** The LSB frame of a robust container: only the common fields; the payload's own header says the rest. */
export interface RobustFrameHeader extends HeaderCommon {
  scheme: 'robust';
}

const robustFrameLayout: HeaderLayout<RobustFrameHeader> = {
  versions: [ROBUST_HEADER_VERSION],
  writeVersion: ROBUST_HEADER_VERSION,
  write() {},
  read(common, bytes) {
    if (bytes[4]! >> 1 !== 0) throw impossibleHeader();
    return { scheme: 'robust', ...common };
  },
};

/** 8 kHz samples one codec frame spans (capacity and footprints are whole frames). */
const FRAME_SPAN = (DEFAULT_CODEC.frameSamples * SAMPLE_RATE) / DEFAULT_CODEC.rate;

/**
 * revealRobust with its refusals in the pipeline's terms: no header, or a key that does not open it → null, which the
 * pipeline answers with the one "nothing found" refusal (a wrong key and an empty photo get the same words).
 */
async function revealOrNull(image: RgbImage, key: string | undefined): Promise<UnframedReveal | null> {
  try {
    const r = await revealRobust(image, { passphrase: key });
    return {
      samples: r.samples,
      sampleCount: r.header.clipSamples,
      keyed: r.header.salt !== null,
      denoised: false,
      fingerprintDriftDb: 0,
      frames: { total: r.framesTotal, lost: r.framesLost },
    };
  } catch (e) {
    if (e instanceof StegError && (e.code === 'no_payload' || e.code === 'unauthorized')) return null;
    throw e;
  }
}

/**
 * For photos that will be re-encoded on the way (messengers): the voice comes back after JPEG down to quality 60,
 * 4:2:0 chroma and messenger downscales, frame by frame, with lost frames concealed and counted, or a 422.
 */
export const robustScheme: HidingScheme<'robust', RobustFrameHeader> = {
  name: 'robust',
  summary: 'survives messengers: JPEG re-encoding and resizing, at about 41 dB and 6.5 kbit/s of speech',
  needsModel: false,
  survivesJpeg: true,
  // Signal and WhatsApp keep a 1600-pixel long side (Telegram 1280): a container they do not resize.
  containerDefaults: { format: 'jpeg', fit: 1600 },
  takesPhonePhotos: true,
  headerLayout: robustFrameLayout,
  capacitySamples: (width, height) =>
    width < 64 || height < 64 ? 0 : Math.round(robustCapacitySeconds(width, height) * SAMPLE_RATE),
  footprint: (sampleCount) => Math.ceil(sampleCount / FRAME_SPAN) * FRAME_SPAN,

  async embed({ cover, clip, key }) {
    const made = await embedRobust(cover, clip, { passphrase: key });
    const header: RobustFrameHeader = {
      scheme: 'robust',
      width: cover.width,
      height: cover.height,
      sampleCount: clip.length,
      gain: 1,
      keyed: Boolean(key),
    };
    return { rgb: made.rgb.data, header, carriedRate: SAMPLE_RATE, quality: 'standard' };
  },

  revealRows: (_header, _width, height) => height,

  async reveal({ container, key }) {
    const found = await revealOrNull(container, key);
    if (!found) throw new StegError('damaged_payload', 'the robust payload is gone though its header is intact');
    return found;
  },

  revealUnframed: revealOrNull,
};
