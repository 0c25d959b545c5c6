// Resampler: output length, identity copy, flat passband, >50 dB alias rejection, exact timing of upsampled sines, DC.
import { describe, expect, it } from 'vitest';
import { resample } from '../../src/audio/resample.js';
import { StegError } from '../../src/util/errors.js';

function tone(freq: number, rate: number, seconds: number, amplitude = 0.8): Float32Array {
  const n = Math.round(rate * seconds);
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = amplitude * Math.sin((2 * Math.PI * freq * i) / rate);
  return x;
}

/** RMS over the middle half (away from the zero-padded ends). */
function midRms(x: Float32Array): number {
  const a = Math.floor(x.length / 4);
  const b = Math.floor((3 * x.length) / 4);
  let s = 0;
  for (let i = a; i < b; i++) s += x[i]! * x[i]!;
  return Math.sqrt(s / (b - a));
}

const db = (ratio: number) => 20 * Math.log10(ratio);

describe('resample', () => {
  it('returns round(n·to/from) samples', () => {
    for (const [n, from, to] of [
      [44100, 44100, 8000],
      [1001, 48000, 8000],
      [7, 22050, 8000],
      [999, 8000, 44100],
      [1, 8000, 16000],
      [12345, 44099, 8000],
    ]) {
      expect(resample(new Float32Array(n!), from!, to!).length).toBe(Math.round((n! * to!) / from!));
    }
    expect(resample(new Float32Array(0), 44100, 8000).length).toBe(0);
  });

  it('returns a copy for equal rates', () => {
    const x = tone(440, 8000, 0.01);
    const y = resample(x, 8000, 8000);
    expect(y).not.toBe(x);
    expect(Array.from(y)).toEqual(Array.from(x));
  });

  for (const from of [44100, 48000, 22050, 16000, 44099]) {
    it(`${from} → 8000: passband within 0.1 dB, tones above 4 kHz down by more than 50 dB`, () => {
      for (const f of [100, 1000, 2500, 3300]) {
        const gain = midRms(resample(tone(f, from, 0.5), from, 8000)) / midRms(tone(f, from, 0.5));
        expect(Math.abs(db(gain)), `${f} Hz`).toBeLessThan(0.1);
      }
      for (const f of [4000, 4300, 5000, 7000, 10000, 15000, 20000].filter((f) => f < from / 2)) {
        const gain = midRms(resample(tone(f, from, 0.5), from, 8000)) / midRms(tone(f, from, 0.5));
        expect(db(gain), `${f} Hz`).toBeLessThan(-50);
      }
    });
  }

  it('upsampling puts every output sample at time j·from/to (a 1 kHz sine matches the analytic one)', () => {
    for (const to of [44100, 16000, 48000]) {
      const y = resample(tone(1000, 8000, 0.5), 8000, to);
      let maxErr = 0;
      for (let j = Math.floor(y.length / 4); j < (3 * y.length) / 4; j++) {
        maxErr = Math.max(maxErr, Math.abs(y[j]! - 0.8 * Math.sin((2 * Math.PI * 1000 * j) / to)));
      }
      expect(maxErr, `8000 → ${to}`).toBeLessThan(1e-3);
    }
  });

  it('downsampling keeps a passband sine in phase', () => {
    const y = resample(tone(500, 44100, 0.5), 44100, 8000);
    let maxErr = 0;
    for (let j = Math.floor(y.length / 4); j < (3 * y.length) / 4; j++) {
      maxErr = Math.max(maxErr, Math.abs(y[j]! - 0.8 * Math.sin((2 * Math.PI * 500 * j) / 8000)));
    }
    expect(maxErr).toBeLessThan(1e-3);
  });

  it('passes DC unchanged away from the ends', () => {
    for (const [from, to] of [
      [44100, 8000],
      [8000, 22050],
      [44099, 8000],
    ]) {
      const y = resample(new Float32Array(4000).fill(0.5), from!, to!);
      for (let j = Math.floor(y.length / 4); j < (3 * y.length) / 4; j++) expect(y[j]).toBeCloseTo(0.5, 5);
    }
  });

  it('refuses rates that are not positive integers', () => {
    for (const [from, to] of [
      [0, 8000],
      [44100, 0],
      [-8000, 8000],
      [44100.5, 8000],
      [NaN, 8000],
      [Infinity, 8000],
    ]) {
      expect(() => resample(new Float32Array(10), from!, to!)).toThrow(StegError);
    }
  });
});
