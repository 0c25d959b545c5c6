/** Synthetic, deterministic test inputs made with the shared codecs: used inside workerd and by the Node reference. */
import { encodePng } from '../../src/formats/image.js';
import { encodeWav16 } from '../../src/formats/wav.js';
import { mulberry32 as prng } from '../../src/util/rng.js';

/** Deterministic pseudo-random numbers in [0, 1): the project's mulberry32. */
export { prng };

/** A photo-like RGB PNG (smooth gradients plus texture) of `width`×`height`. */
export function makePng(width: number, height: number, seed = 1): Uint8Array {
  const rand = prng(seed);
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      const noise = (rand() - 0.5) * 24;
      data[i] = clamp(40 + (180 * x) / width + noise);
      data[i + 1] = clamp(60 + 120 * Math.sin((x + y) / 17) + noise);
      data[i + 2] = clamp(200 - (150 * y) / height + noise);
    }
  return encodePng({ width, height, data });
}

/** Speech-like test audio: a gliding harmonic tone with a syllable envelope and a little noise, as 16-bit WAV. */
export function makeWav(seconds: number, sampleRate = 8000, seed = 2): Uint8Array {
  return encodeWav16(makeSamples(seconds, sampleRate, seed), sampleRate);
}

/** The samples {@link makeWav} encodes. */
export function makeSamples(seconds: number, sampleRate = 8000, seed = 2): Float32Array {
  const rand = prng(seed);
  const n = Math.round(seconds * sampleRate);
  const out = new Float32Array(n);
  let phase = 0;
  for (let i = 0; i < n; i++) {
    const t = i / sampleRate;
    const f0 = 140 + 40 * Math.sin(2 * Math.PI * 0.7 * t);
    phase += (2 * Math.PI * f0) / sampleRate;
    const envelope = 0.5 + 0.5 * Math.sin(2 * Math.PI * 3.1 * t);
    let v = 0;
    for (let h = 1; h <= 5; h++) v += Math.sin(h * phase) / h;
    out[i] = 0.35 * envelope * v + 0.02 * (rand() - 0.5);
  }
  return out;
}

function clamp(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
}
