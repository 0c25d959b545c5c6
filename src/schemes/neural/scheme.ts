/** The neural scheme: Prepare / Hiding / Reveal nets carry the clip as analogue levels in the photo's top tile rows. */
import { denormaliseClip } from '../../audio/normalise.js';
import { envelopeDistanceDb, loudnessEnvelope } from '../../container/fingerprint.js';
import { rawCapacitySamples, SAMPLE_RATE } from '../../container/layout.js';
import { StegError } from '../../util/errors.js';
import type { HidingScheme } from '../scheme.js';
import { embedFedBack, usesFeedback } from './feedback.js';
import { neuralHeaderLayout, type NeuralHeader } from './header.js';
import { scramble, SCRAMBLE_FRAME, unscramble } from './key-scramble.js';
import { embedSamples, regionHeight, revealSamples } from './region.js';
import { despreadRevealed, MAX_COPIES, MAX_SPREAD, payloadSlots, preparePayload } from './spreading.js';
import type { LoadedModel } from './weights-format.js';

/** Mean loudness-envelope error (dB) above which the revealed audio is not trusted. */
export const ENVELOPE_TOLERANCE_DB = 6;

function modelOf(model: LoadedModel | null): LoadedModel {
  if (!model) throw new Error('the neural scheme needs the model');
  return model;
}

/** Copies × slots a header claims, refused when the image cannot hold them. */
function claimedSlots(header: NeuralHeader, width: number, height: number): number {
  const slots = payloadSlots(header.sampleCount, header.spreadRate);
  if (
    header.copies > MAX_COPIES ||
    header.spreadRate > MAX_SPREAD * SAMPLE_RATE ||
    slots * header.copies > rawCapacitySamples(width, height)
  )
    throw new StegError('damaged_payload', 'the payload header claims more audio than the image holds');
  return slots;
}

/** The nets' scheme: one 8 kHz sample per 8-bit channel value of every whole 32×32 tile. */
export const neuralScheme: HidingScheme<'neural', NeuralHeader> = {
  name: 'neural',
  summary: 'Prepare / Hiding / Reveal nets: the clip as analogue levels, degrading gracefully',
  survivesJpeg: false,
  containerDefaults: { format: 'png' },
  needsModel: true,
  headerLayout: neuralHeaderLayout,
  capacitySamples: rawCapacitySamples,
  // Scrambling works on whole frames, so the clip is padded to them.
  footprint: (sampleCount) => Math.ceil(sampleCount / SCRAMBLE_FRAME) * SCRAMBLE_FRAME,

  async embed({ cover, clip, key, quality, maxHighPixels, model }) {
    const nets = modelOf(model);
    const { width, height } = cover;
    const capacity = rawCapacitySamples(width, height);
    const { payload: spread, gain, spreadRate, emphasis, headroom } = preparePayload(clip, capacity);
    // Scrambling comes after spreading, so each scrambled frame is a smooth piece of the spread clip.
    const payload = key ? await scramble(spread, key) : spread;
    // Feedback and search cost another embed, a reveal and two gradient passes: always offered for a short clip, and
    // for a long one while its region fits the memory limit; otherwise the single pass, whatever the quality asked.
    const regionPixels = width * regionHeight(width, height, payload.length);
    const fedBack = usesFeedback(clip.length, capacity, quality, regionPixels, maxHighPixels);
    const rgb = fedBack
      ? await embedFedBack(nets, cover, payload, headroom)
      : await embedSamples(nets, cover, payload, headroom);
    const header: NeuralHeader = {
      scheme: 'neural',
      width,
      height,
      sampleCount: clip.length,
      gain,
      keyed: Boolean(key),
      copies: 1,
      spreadRate,
      emphasis,
      envelope: loudnessEnvelope(payload),
    };
    return { rgb, header, carriedRate: spreadRate, quality: fedBack ? 'high' : 'standard' };
  },

  revealRows(header, width, height) {
    return regionHeight(width, height, claimedSlots(header, width, height) * header.copies);
  },

  async reveal({ container, header, key, denoise, ignoreIntegrity, model }) {
    const slots = claimedSlots(header, header.width, header.height);
    const all = await revealSamples(modelOf(model), container, slots * header.copies);
    const payload = new Float32Array(slots);
    for (let c = 0; c < header.copies; c++)
      for (let i = 0; i < slots; i++) payload[i]! += all[c * slots + i]! / header.copies;
    const drift = envelopeDistanceDb(loudnessEnvelope(payload), header.envelope);
    if (drift > ENVELOPE_TOLERANCE_DB && !ignoreIntegrity)
      throw new StegError(
        'damaged_payload',
        `the hidden audio no longer matches its fingerprint (${drift.toFixed(1)} dB off): the container was altered`,
      );
    const spread = header.keyed ? await unscramble(payload, key ?? '', slots) : payload;
    const revealed = despreadRevealed(spread, header.spreadRate, header.sampleCount, denoise, header.emphasis);
    return { samples: denormaliseClip(revealed, header.gain), denoised: denoise, fingerprintDriftDb: drift };
  },
};
