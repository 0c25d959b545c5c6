// Generated inputs for the browser test: a small colour photo (PNG) and a 16-bit mono WAV, written to a temp folder.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encode } from 'fast-png';

/**
 * A smooth colour photo with a little texture, as an 8-bit RGB PNG.
 * @param {number} width
 * @param {number} height
 * @returns {Uint8Array}
 */
export function makePhotoPng(width, height) {
  const data = new Uint8Array(width * height * 3);
  let seed = 12345;
  const noise = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 24) / 255 - 0.5;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      const u = x / width,
        v = y / height;
      data[i] = clamp(60 + 160 * u + 20 * Math.sin(v * 9) + 12 * noise());
      data[i + 1] = clamp(90 + 110 * v + 25 * Math.cos(u * 7) + 12 * noise());
      data[i + 2] = clamp(200 - 120 * u * v + 12 * noise());
    }
  }
  return encode({ width, height, data, channels: 3, depth: 8 });
}

/**
 * A voice-like clip (a gliding harmonic tone with a syllable envelope) as a 16-bit PCM mono WAV.
 * @param {number} seconds
 * @param {number} sampleRate
 * @returns {Uint8Array}
 */
export function makeVoiceWav(seconds, sampleRate) {
  const n = Math.round(seconds * sampleRate);
  const out = new Uint8Array(44 + n * 2);
  const view = new DataView(out.buffer);
  const text = (at, s) => {
    for (let i = 0; i < 4; i++) view.setUint8(at + i, s.charCodeAt(i));
  };
  text(0, 'RIFF');
  view.setUint32(4, 36 + n * 2, true);
  text(8, 'WAVE');
  text(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true);
  view.setUint16(22, 1, true);
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * 2, true);
  view.setUint16(32, 2, true);
  view.setUint16(34, 16, true);
  text(36, 'data');
  view.setUint32(40, n * 2, true);
  let phase = 0;
  for (let i = 0; i < n; i++) {
    const t = i / sampleRate;
    phase += (2 * Math.PI * (140 + 40 * Math.sin(2 * Math.PI * 1.5 * t))) / sampleRate;
    const envelope = 0.5 - 0.5 * Math.cos(2 * Math.PI * 4 * t);
    const s = envelope * (0.5 * Math.sin(phase) + 0.25 * Math.sin(2 * phase) + 0.12 * Math.sin(3 * phase));
    view.setInt16(44 + i * 2, Math.round(s * 32767), true);
  }
  return out;
}

/** Writes both fixtures into `dir`; returns their paths. */
export async function writeFixtures(dir, { width, height, seconds }) {
  const photo = join(dir, 'photo.png');
  const voice = join(dir, 'voice.wav');
  await writeFile(photo, makePhotoPng(width, height));
  await writeFile(voice, makeVoiceWav(seconds, 8000));
  return { photo, voice };
}

function clamp(v) {
  return Math.max(0, Math.min(255, Math.round(v)));
}
