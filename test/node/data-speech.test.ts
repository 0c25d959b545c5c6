// Speech folders (generated WAVs): FSDD split, filtering, resampling to 8 kHz, per-clip normalisation, random frames.
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { absPercentile } from '../../src/audio/normalise.js';
import { isStegError } from '../../src/util/errors.js';
import { createRng } from '../../src/util/rng.js';
import { fsddSplit, loadSpeechFolder, SpeechStream } from '../../datasets/speech.js';

/** A 16-bit PCM mono WAV of `samples` at `rate`. */
function wav16(samples: Float32Array, rate: number): Uint8Array {
  const buf = new ArrayBuffer(44 + samples.length * 2);
  const v = new DataView(buf);
  const str = (o: number, s: string) => [...s].forEach((c, i) => v.setUint8(o + i, c.charCodeAt(0)));
  str(0, 'RIFF');
  v.setUint32(4, 36 + samples.length * 2, true);
  str(8, 'WAVE');
  str(12, 'fmt ');
  v.setUint32(16, 16, true);
  v.setUint16(20, 1, true);
  v.setUint16(22, 1, true);
  v.setUint32(24, rate, true);
  v.setUint32(28, rate * 2, true);
  v.setUint16(32, 2, true);
  v.setUint16(34, 16, true);
  str(36, 'data');
  v.setUint32(40, samples.length * 2, true);
  samples.forEach((s, i) => v.setInt16(44 + i * 2, Math.round(s * 32767), true));
  return new Uint8Array(buf);
}

const tone = (n: number, rate: number, hz: number, amp: number) =>
  Float32Array.from({ length: n }, (_, i) => amp * Math.sin((2 * Math.PI * hz * i) / rate));

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stegavox-speech-'));
  await mkdir(join(dir, 'sub'));
  await writeFile(join(dir, '0_alice_1.wav'), wav16(tone(800, 8000, 300, 0.5), 8000)); // test split
  await writeFile(join(dir, '0_alice_7.wav'), wav16(tone(800, 8000, 300, 0.1), 8000)); // train
  await writeFile(join(dir, 'sub', '1_bob_12.wav'), wav16(tone(1600, 16000, 440, 0.2), 16000)); // train, resampled
  await writeFile(join(dir, 'notes.txt'), 'not audio');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('fsddSplit', () => {
  it('puts recordings 0–4 in test and 5–49 in train', () => {
    expect(fsddSplit('0_george_0.wav')).toBe('test');
    expect(fsddSplit('9_theo_4.wav')).toBe('test');
    expect(fsddSplit('3_jackson_5.wav')).toBe('train');
    expect(fsddSplit('/data/fsdd/recordings/7_lucas_49.wav')).toBe('train');
  });

  it('refuses other names with bad_request', () => {
    for (const name of ['foo.wav', '10_george_1.wav', '1_george_x.wav', '1_george_1.mp3']) {
      try {
        fsddSplit(name);
        expect.unreachable(name);
      } catch (e) {
        expect(isStegError(e) && e.code).toBe('bad_request');
      }
    }
  });
});

describe('loadSpeechFolder', () => {
  it('filters by name, resamples to 8 kHz, normalises each clip and concatenates', async () => {
    const stream = await loadSpeechFolder(dir, { filter: (n) => fsddSplit(n) === 'train' });
    expect(stream.names.map((p) => p.slice(dir.length + 1))).toEqual(['0_alice_7.wav', 'sub/1_bob_12.wav']);
    expect(stream.clips[0]!.length).toBe(800);
    // 1600 samples at 16 kHz are 0.1 s: about 800 at 8 kHz (resamplers may differ by a sample or two)
    expect(Math.abs(stream.clips[1]!.length - 800)).toBeLessThanOrEqual(2);
    expect(stream.samples.length).toBe(stream.clips[0]!.length + stream.clips[1]!.length);
    for (const clip of stream.clips) expect(absPercentile(clip, 0.999)).toBeCloseTo(0.95, 2);
    expect(stream.seconds).toBeCloseTo(stream.samples.length / 8000, 9);
  });

  it('refuses a folder with no matching WAVs', async () => {
    await expect(loadSpeechFolder(dir, { filter: () => false })).rejects.toThrow(/No matching WAV/);
  });

  it('names the file that fails to decode', async () => {
    const bad = await mkdtemp(join(tmpdir(), 'stegavox-badwav-'));
    try {
      await writeFile(join(bad, '2_carol_9.wav'), new Uint8Array([1, 2, 3, 4]));
      await expect(loadSpeechFolder(bad)).rejects.toThrow(/2_carol_9\.wav/);
    } finally {
      await rm(bad, { recursive: true, force: true });
    }
  });
});

describe('SpeechStream.randomFrames', () => {
  const ramp = Float32Array.from({ length: 1000 }, (_, i) => i / 1000);
  const stream = new SpeechStream([ramp.subarray(0, 400), ramp.subarray(400)]);

  it('returns contiguous windows of the stream, reproducibly', () => {
    const frames = stream.randomFrames(20, 100, createRng(5));
    const again = stream.randomFrames(20, 100, createRng(5));
    expect(frames).toEqual(again);
    const starts = new Set<number>();
    for (const f of frames) {
      expect(f).toHaveLength(100);
      const start = Math.round(f[0]! * 1000);
      starts.add(start);
      expect(f).toEqual(ramp.subarray(start, start + 100));
    }
    expect(starts.size).toBeGreaterThan(10);
  });

  it('refuses frames longer than the stream', () => {
    expect(() => stream.randomFrames(1, 1001, createRng(1))).toThrow(/do not fit/);
  });
});
