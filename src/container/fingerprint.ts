/** The loudness fingerprint: a coarse envelope of the embedded audio, stored in the header to catch a payload that no longer decodes. */

/** Length of the coarse loudness fingerprint used to detect a damaged payload. */
export const ENVELOPE_BYTES = 8;

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
