/** Bench inputs, generated deterministically: photo-like PNGs and a synthetic voiced speech-like WAV. */
import { encodePng } from '../src/formats/image.js';
import { encodeWav16 } from '../src/formats/wav.js';
import { mulberry32 as rng } from '../src/util/rng.js';

/** Sample rate of the generated speech: a common recording rate, so every request also pays the resample to 8 kHz. */
export const SPEECH_RATE = 16_000;

/** Smooth value noise in [-1, 1] on a lattice of `cell` pixels (bilinear with a smoothstep). */
function valueNoise(width: number, height: number, cell: number, random: () => number): Float32Array {
  const gw = Math.ceil(width / cell) + 2;
  const gh = Math.ceil(height / cell) + 2;
  const grid = Float32Array.from({ length: gw * gh }, () => random() * 2 - 1);
  const out = new Float32Array(width * height);
  const s = (t: number) => t * t * (3 - 2 * t);
  for (let y = 0; y < height; y++) {
    const gy = Math.floor(y / cell);
    const fy = s((y % cell) / cell);
    for (let x = 0; x < width; x++) {
      const gx = Math.floor(x / cell);
      const fx = s((x % cell) / cell);
      const i = gy * gw + gx;
      const top = grid[i]! + (grid[i + 1]! - grid[i]!) * fx;
      const bottom = grid[i + gw]! + (grid[i + gw + 1]! - grid[i + gw]!) * fx;
      out[y * width + x] = top + (bottom - top) * fy;
    }
  }
  return out;
}

/**
 * A photo-like RGB picture: a smooth colour field (sky/ground-like gradients), a few soft-edged objects, textures at
 * 4–32 px and per-pixel sensor grain, so PNG compression and the nets see something like a real photo.
 */
export function photoRgb(width: number, height: number, seed = 1): Uint8Array {
  const random = rng(seed);
  const waves = Array.from({ length: 3 }, () =>
    Array.from({ length: 4 }, () => ({
      fx: (random() * 2 - 1) * 1.5,
      fy: (random() * 2 - 1) * 1.5,
      phase: random() * 6.28,
      amp: 20 + random() * 25,
    })),
  );
  const base = [90 + random() * 80, 90 + random() * 80, 90 + random() * 80];
  const objects = Array.from({ length: 6 }, () => ({
    cx: random() * width,
    cy: random() * height,
    r: (0.08 + random() * 0.2) * Math.min(width, height),
    colour: [60 + random() * 140, 60 + random() * 140, 60 + random() * 140], // muted, as in most photos
  }));
  const textures = [32, 12, 4].map((cell) =>
    valueNoise(width, height, Math.max(2, Math.round((cell * width) / 512)), random),
  );
  const grain = rng(seed + 99);
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = y * width + x;
      const u = x / width;
      const v = y / height;
      const texture = 14 * textures[0]![p]! + 7 * textures[1]![p]! + 4 * textures[2]![p]!;
      for (let c = 0; c < 3; c++) {
        let value = base[c]! + 30 * (v - 0.5) * (c === 2 ? -1 : 1);
        for (const w of waves[c]!) value += w.amp * Math.cos(6.283 * (w.fx * u + w.fy * v) + w.phase) * 0.5;
        for (const o of objects) {
          const d = Math.hypot(x - o.cx, y - o.cy);
          const inside = Math.min(1, Math.max(0, (o.r - d) / 2.5)); // 2.5 px soft edge
          value += inside * (o.colour[c]! - value) * 0.8;
        }
        data[p * 3 + c] = Math.max(0, Math.min(255, Math.round(value + texture + (grain() - 0.5) * 6)));
      }
    }
  }
  return data;
}

/** {@link photoRgb} encoded as a PNG (the shared encoder, as the worker writes containers). */
export function photoPng(width: number, height: number, seed = 1): Uint8Array {
  return encodePng({ width, height, data: photoRgb(width, height, seed) });
}

/** Formants (Hz) of a few vowels, for the syllables of {@link speechLike}. */
const VOWELS = [
  [730, 1090, 2440],
  [530, 1840, 2480],
  [270, 2290, 3010],
  [570, 840, 2410],
  [300, 870, 2240],
  [660, 1720, 2410],
];

/**
 * Synthetic voiced speech (not a recording): a glottal pulse train with intonation and jitter through three
 * gliding formant resonators, syllables of 120–300 ms with fricative onsets and pauses between words. Peak 0.5.
 */
export function speechLike(seconds: number, rate = SPEECH_RATE, seed = 7): Float32Array {
  const random = rng(seed);
  const n = Math.round(seconds * rate);
  const out = new Float32Array(n);
  const state = [0, 0, 0, 0, 0, 0];
  let formants = VOWELS[0]!.slice();
  let phase = 0;
  let tilt = 0;
  let i = 0;
  let syllableInWord = 0;
  while (i < n) {
    const length = Math.round((0.12 + random() * 0.18) * rate);
    const target = VOWELS[Math.floor(random() * VOWELS.length)]!;
    const fricative = random() < 0.4 ? Math.round((0.03 + random() * 0.05) * rate) : 0;
    const f0Base = 105 + 30 * random();
    for (let k = 0; k < length && i < n; k++, i++) {
      const t = k / length;
      const envelope = Math.sin(Math.PI * Math.min(1, t * 1.3)) ** 0.6;
      const f0 = f0Base * (1 + 0.08 * Math.sin(2 * Math.PI * t) - 0.05 * t) * (1 + (random() - 0.5) * 0.01);
      phase += f0 / rate;
      let source = 0;
      if (phase >= 1) {
        phase -= 1;
        source = 1;
      }
      tilt = 0.96 * tilt + source; // glottal spectral tilt
      for (let f = 0; f < 3; f++) formants[f]! += (target[f]! - formants[f]!) * 0.002; // formant glide
      let y = tilt * envelope;
      for (let f = 0; f < 3; f++) {
        const bandwidth = 80 + 40 * f;
        const r = Math.exp((-Math.PI * bandwidth) / rate);
        const a1 = 2 * r * Math.cos((2 * Math.PI * formants[f]!) / rate);
        const a2 = -r * r;
        const next = (1 - r) * y + a1 * state[2 * f]! + a2 * state[2 * f + 1]!;
        state[2 * f + 1] = state[2 * f]!;
        state[2 * f] = next;
        y = next;
      }
      const hiss = k < fricative ? (random() - 0.5) * 0.3 * (1 - k / fricative) : 0;
      out[i] = y + hiss;
    }
    formants = formants.slice();
    if (++syllableInWord >= 2 + Math.floor(random() * 3)) {
      syllableInWord = 0;
      i += Math.round((0.05 + random() * 0.2) * rate); // pause between words (silence)
    }
  }
  let peak = 0;
  for (const s of out) peak = Math.max(peak, Math.abs(s));
  const gain = peak > 0 ? 0.5 / peak : 0;
  for (let k = 0; k < n; k++) out[k] = out[k]! * gain;
  return out;
}

/** {@link speechLike} as a 16-bit mono WAV at {@link SPEECH_RATE}. */
export function speechWav(seconds: number, seed = 7): Uint8Array {
  return encodeWav16(speechLike(seconds, SPEECH_RATE, seed), SPEECH_RATE);
}
