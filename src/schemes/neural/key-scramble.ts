/** Keyed scrambling of the audio before embedding: a keyed permutation of 6 ms frames plus keyed sign flips. */
import { SAMPLES_PER_BLOCK } from '../../container/layout.js';
import { xoshiro128ss } from '../../util/rng.js';

/** Frame length the scramble permutes: one pixel block's worth of consecutive samples, so each block stays speech-like. */
export const SCRAMBLE_FRAME = SAMPLES_PER_BLOCK;

async function keyStream(key: string): Promise<() => number> {
  const digest = new Uint8Array(
    await crypto.subtle.digest('SHA-256', new TextEncoder().encode(`stegavox-key-v1:${key}`)),
  );
  const view = new DataView(digest.buffer);
  let a = view.getUint32(0),
    b = view.getUint32(4),
    c = view.getUint32(8),
    d = view.getUint32(12);
  if ((a | b | c | d) === 0) a = 1;
  // xoshiro128**: a fast, well-distributed generator seeded from the key digest.
  return xoshiro128ss(a, b, c, d);
}

async function framePlan(key: string, frames: number): Promise<{ order: Uint32Array; signs: Int8Array }> {
  const next = await keyStream(key);
  const order = new Uint32Array(frames);
  for (let i = 0; i < frames; i++) order[i] = i;
  for (let i = frames - 1; i > 0; i--) {
    const j = next() % (i + 1);
    const tmp = order[i]!;
    order[i] = order[j]!;
    order[j] = tmp;
  }
  const signs = new Int8Array(frames);
  for (let i = 0; i < frames; i++) signs[i] = next() & 1 ? -1 : 1;
  return { order, signs };
}

/**
 * Scrambles `samples` with `key`: output frame i is input frame order[i] times a keyed sign. The clip is
 * zero-padded to whole frames, so the output may be up to one frame longer.
 */
export async function scramble(samples: Float32Array, key: string): Promise<Float32Array> {
  const frames = Math.ceil(samples.length / SCRAMBLE_FRAME);
  const { order, signs } = await framePlan(key, frames);
  const out = new Float32Array(frames * SCRAMBLE_FRAME);
  for (let i = 0; i < frames; i++) {
    const src = order[i]! * SCRAMBLE_FRAME;
    for (let k = 0; k < SCRAMBLE_FRAME; k++) out[i * SCRAMBLE_FRAME + k] = signs[i]! * (samples[src + k] ?? 0);
  }
  return out;
}

/** Inverse of {@link scramble} for the same key; returns the first `length` samples. */
export async function unscramble(scrambled: Float32Array, key: string, length: number): Promise<Float32Array> {
  const frames = Math.ceil(scrambled.length / SCRAMBLE_FRAME);
  const { order, signs } = await framePlan(key, frames);
  const out = new Float32Array(frames * SCRAMBLE_FRAME);
  for (let i = 0; i < frames; i++) {
    const dst = order[i]! * SCRAMBLE_FRAME;
    for (let k = 0; k < SCRAMBLE_FRAME; k++) out[dst + k] = signs[i]! * (scrambled[i * SCRAMBLE_FRAME + k] ?? 0);
  }
  return out.subarray(0, length);
}
