/** The coded scheme: ADPCM symbols written as digits mod a small base, enciphered by a key; exact or refused. */
import { denormaliseClip, peakNormalise } from '../../audio/normalise.js';
import { denoiseInPlace } from '../../audio/denoise.js';
import type { HidingScheme } from '../scheme.js';
import { codedHeaderLayout, type CodedHeader } from './header.js';
import { codedCapacitySamples, codedLevels, codedPostFilter, codedRows, embedCoded, revealCoded } from './payload.js';

/** No nets, no spreading: the clip's symbols take every value the photo has room for. */
export const codedScheme: HidingScheme<'coded', CodedHeader> = {
  name: 'coded',
  summary: 'a speech codec written into pixel values: the clearest voice in a file sent as it is',
  survivesJpeg: false,
  containerDefaults: { format: 'png' },
  needsModel: false,
  headerLayout: codedHeaderLayout,
  capacitySamples: codedCapacitySamples,
  footprint: (sampleCount) => sampleCount,

  async embed({ cover, clip, key }) {
    const { samples, gain } = peakNormalise(clip);
    const { rgb, coded } = await embedCoded(cover, samples, key);
    const { width, height } = cover;
    const header: CodedHeader = {
      scheme: 'coded',
      width,
      height,
      sampleCount: clip.length,
      gain,
      keyed: Boolean(key),
      ...coded,
    };
    return { rgb, header, carriedRate: 8000, quality: 'standard' };
  },

  revealRows(header, width, height) {
    return Math.min(height, codedRows(width, header.sampleCount, header.digitsPerSample));
  },

  async reveal({ container, header, key, denoise }) {
    const clip = await revealCoded(container.data, header, key);
    const filtered = denoise && codedPostFilter(codedLevels(header));
    if (filtered) denoiseInPlace(clip);
    return { samples: denormaliseClip(clip, header.gain), denoised: filtered, fingerprintDriftDb: 0 };
  },
};
