/** Synthetic music for evaluation (no music recordings are available here): chords, a melody and drums at 8 kHz. */
import { SAMPLE_RATE } from '../src/container/layout.js';
import type { Rng } from '../src/util/rng.js';

const SCALE = [0, 2, 4, 5, 7, 9, 11]; // major scale, semitones above the key
const HARMONIC_DECAY = 0.6; // amplitude ratio between successive harmonics: a soft, piano-like timbre

function addNote(out: Float32Array, start: number, length: number, hz: number, amp: number, rate: number): void {
  const end = Math.min(out.length, start + length);
  for (let h = 1; h * hz < rate / 2 - 200; h++) {
    const w = (2 * Math.PI * h * hz) / rate;
    const a = amp * HARMONIC_DECAY ** (h - 1);
    // Higher harmonics die away faster, as on a struck string.
    const decay = Math.exp(-(3 + 2 * h) / length);
    let env = a;
    for (let i = start; i < end; i++) {
      const attack = Math.min(1, (i - start) / 40);
      out[i] = out[i]! + env * attack * Math.sin(w * (i - start));
      env *= decay;
    }
  }
}

function addDrum(out: Float32Array, start: number, rng: Rng, amp: number, rate: number, kick: boolean): void {
  const length = Math.round(rate * (kick ? 0.25 : 0.12));
  let phase = 0;
  for (let i = 0; i < length && start + i < out.length; i++) {
    const env = Math.exp((-6 * i) / length);
    if (kick) {
      phase += (2 * Math.PI * (50 + 100 * Math.exp((-20 * i) / length))) / rate;
      out[start + i] = out[start + i]! + amp * env * Math.sin(phase);
    } else out[start + i] = out[start + i]! + amp * 0.5 * env * (rng.next() * 2 - 1);
  }
}

/**
 * `seconds` of music-like audio at 8 kHz: a random major key and tempo, a chord every bar (three voices), an
 * eighth-note melody from the scale and a kick/snare pattern, scaled to peak 0.9. Deterministic for an `rng` state.
 */
export function musicSecret(seconds: number, rng: Rng, rate = SAMPLE_RATE): Float32Array {
  const out = new Float32Array(Math.round(seconds * rate));
  const key = 48 + rng.int(12); // MIDI note of the key's root, C3..B3
  const beat = Math.round((rate * 60) / rng.uniform(80, 140));
  const hz = (midi: number) => 440 * 2 ** ((midi - 69) / 12);
  const degree = (d: number) => key + 12 * Math.floor(d / 7) + SCALE[((d % 7) + 7) % 7]!;
  for (let bar = 0; bar * 4 * beat < out.length; bar++) {
    const at = bar * 4 * beat;
    const root = [0, 3, 4, 5][rng.int(4)]!;
    for (const step of [0, 2, 4]) addNote(out, at, 4 * beat, hz(degree(root + step)), 0.18, rate);
    for (let e = 0; e < 8; e++) {
      if (rng.next() < 0.2) continue; // rests
      addNote(out, at + (e * beat) / 2, beat, hz(degree(7 + rng.int(8))), 0.25, rate);
    }
    for (let b = 0; b < 4; b++) addDrum(out, at + b * beat, rng, 0.5, rate, b % 2 === 0);
  }
  let peak = 0;
  for (const v of out) peak = Math.max(peak, Math.abs(v));
  if (peak > 0) for (let i = 0; i < out.length; i++) out[i] = (out[i]! / peak) * 0.9;
  return out;
}
