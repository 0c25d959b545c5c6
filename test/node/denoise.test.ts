// Reveal's post-filter: it must lift SI-SNR on noisy real speech and sines, leave clean audio and silence alone,
// and not care about the level.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeWav } from '../../src/formats/wav.js';
import { denoiseInPlace, denoiseRevealed, noiseLevel, parseDenoise } from '../../src/audio/denoise.js';
import { isStegError } from '../../src/util/errors.js';
import { siSnr } from '../../src/metrics/quality.js';

const REAL = new URL('../fixtures/real/', import.meta.url);
const SPEAKERS = ['george', 'jackson', 'lucas', 'nicolas', 'theo', 'yweweler'];

/** The committed FSDD recordings (8 kHz), one after another. */
function realSpeech(): Float32Array {
  const clips = SPEAKERS.map((s) => decodeWav(new Uint8Array(readFileSync(new URL(`3_${s}_0.wav`, REAL)))).samples);
  const out = new Float32Array(clips.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of clips) out.set(c, (at += c.length) - c.length);
  return out;
}

/** Gaussian white noise (Box–Muller on a fixed LCG). */
function whiteNoise(n: number, rms: number, seed = 3): Float32Array {
  let s = seed >>> 0;
  const uniform = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) + 1) / 4294967297;
  return Float32Array.from(
    { length: n },
    () => rms * Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform()),
  );
}

function rms(x: Float32Array): number {
  return Math.sqrt(x.reduce((a, v) => a + v * v, 0) / x.length);
}

/** `clean` plus white noise at `snrDb`. */
function noisy(clean: Float32Array, snrDb: number): Float32Array {
  const noise = whiteNoise(clean.length, rms(clean) / 10 ** (snrDb / 20));
  return clean.map((v, i) => v + noise[i]!);
}

describe('denoiseRevealed', () => {
  it('lifts real speech in white noise at the SI-SNR the nets deliver (15 dB) by over 1 dB', () => {
    const clean = realSpeech();
    const input = noisy(clean, 15);
    const before = siSnr(clean, input);
    const after = siSnr(clean, denoiseRevealed(input));
    expect(before).toBeCloseTo(15, 0);
    expect(after - before).toBeGreaterThan(1);
  });

  it('lifts a sine in white noise by far more, since its energy sits in one bin', () => {
    const clean = Float32Array.from({ length: 16000 }, (_, i) => 0.5 * Math.sin((2 * Math.PI * 440 * i) / 8000));
    const input = noisy(clean, 15);
    expect(siSnr(clean, denoiseRevealed(input)) - siSnr(clean, input)).toBeGreaterThan(8);
  });

  it('estimates the level of white noise within 1 dB, also under speech', () => {
    const noise = whiteNoise(40000, 0.05);
    const speechOverNoise = realSpeech()
      .subarray(0, 40000)
      .map((v, i) => v + noise[i]!);
    // A frame of 256 windowed samples (window power 1/2) holds 128 × σ² per bin on average.
    const expected = 128 * 0.05 ** 2;
    expect(Math.abs(10 * Math.log10(noiseLevel(noise) / expected))).toBeLessThan(1);
    expect(Math.abs(10 * Math.log10(noiseLevel(speechOverNoise) / expected))).toBeLessThan(1);
  });

  it('ignores digital silence when estimating: noisy speech after a long run of exact zeros is still filtered', () => {
    const clean = realSpeech().subarray(0, 16000);
    const input = new Float32Array(48000);
    input.set(noisy(clean, 15), 32000);
    const target = new Float32Array(48000);
    target.set(clean, 32000);
    expect(siSnr(target, denoiseRevealed(input)) - siSnr(target, input)).toBeGreaterThan(1);
  });

  it('leaves clean speech nearly untouched (over 25 dB SI-SNR against itself)', () => {
    const clean = realSpeech();
    expect(siSnr(clean, denoiseRevealed(clean))).toBeGreaterThan(25);
  });

  it('pushes pure noise down to about the gain floor', () => {
    const noise = whiteNoise(20000, 0.1);
    const out = denoiseRevealed(noise);
    expect(rms(out) / rms(noise)).toBeLessThan(0.4);
  });

  it('is scale-invariant, keeps the length, and returns silence and tiny clips as they were', () => {
    const input = noisy(realSpeech().subarray(0, 12000), 12);
    const a = denoiseRevealed(input);
    const b = denoiseRevealed(input.map((v) => v * 0.01));
    expect(a.length).toBe(input.length);
    // The in-place form writes finished samples back while later frames still read the input: same result.
    const inPlace = input.slice();
    denoiseInPlace(inPlace);
    expect(Array.from(inPlace)).toEqual(Array.from(a));
    for (let i = 0; i < a.length; i += 97) expect(b[i]!).toBeCloseTo(a[i]! * 0.01, 6);
    expect(Array.from(denoiseRevealed(new Float32Array(500)))).toEqual(Array.from(new Float32Array(500)));
    for (const n of [1, 7, 255, 257]) {
      const out = denoiseRevealed(whiteNoise(n, 0.2, n));
      expect(out.length).toBe(n);
      expect(out.every(Number.isFinite)).toBe(true);
    }
  });
});

describe('parseDenoise', () => {
  it('reads on/off, defaults to on, and refuses anything else as bad_request', () => {
    expect(parseDenoise(undefined)).toBe(true);
    expect(parseDenoise('')).toBe(true);
    expect(parseDenoise('on')).toBe(true);
    expect(parseDenoise('off')).toBe(false);
    for (const bad of ['OFF', 'false', '0', 'x'.repeat(100)]) {
      let thrown: unknown;
      try {
        parseDenoise(bad);
      } catch (e) {
        thrown = e;
      }
      expect(isStegError(thrown) && thrown.code).toBe('bad_request');
    }
  });
});
