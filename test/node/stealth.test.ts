// The stealth scheme end to end on the committed Kodak crop and FSDD speech: a ±1 change in few values, the voice back
// above a STOI floor, capacity matches embed, keys, and a changed value refused.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { HEADER_VALUES } from '../../src/container/header.js';
import { decodeImage, encodePng } from '../../src/formats/image.js';
import { decodeWav, encodeWav16 } from '../../src/formats/wav.js';
import { stoi } from '../../src/metrics/stoi.js';
import { capacity, embedAudio, revealAudio } from '../../src/pipeline/index.js';
import { stegErrorOf } from '../helpers/errors.js';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/real');
const SPEAKERS = ['jackson', 'nicolas', 'theo', 'yweweler', 'george', 'lucas'];
const coverPng = new Uint8Array(readFileSync(path.join(FIXTURES, 'kodim23-crop256.png')));

function speech(samples: number): Float32Array {
  const out = new Float32Array(samples);
  let at = 0;
  for (let i = 0; at < samples; i++) {
    const wav = decodeWav(new Uint8Array(readFileSync(path.join(FIXTURES, `3_${SPEAKERS[i % 6]}_0.wav`))));
    out.set(wav.samples.subarray(0, samples - at), at);
    at += wav.samples.length;
  }
  return out;
}

describe('scheme=stealth', () => {
  const seconds = capacity(256, 256, 'stealth').seconds;
  const clip = speech(Math.round(seconds * 8000));

  it('holds whole codec frames within its payload budget, far less than the nets', () => {
    // 256×256: 5 frames of 0.512 s at 0.085 bits per value.
    expect(seconds).toBeCloseTo(2.56, 6);
    expect(seconds).toBeLessThan(capacity(256, 256, 'neural').seconds / 9);
  });

  it('changes few values by ±1 only, and gives the voice back (STOI floor)', async () => {
    const embedded = await embedAudio(null, coverPng, encodeWav16(clip, 8000), { scheme: 'stealth' });
    expect(embedded.scheme).toBe('stealth');
    const [cover, container] = [await decodeImage(coverPng), await decodeImage(embedded.png)];
    let changed = 0;
    for (let i = HEADER_VALUES; i < cover.data.length; i++) {
      const d = Math.abs(container.data[i]! - cover.data[i]!);
      expect(d).toBeLessThanOrEqual(1);
      changed += d;
    }
    // About 16,000 message bits in 195,744 values: syndrome coding changes far fewer values than that.
    expect(changed / (cover.data.length - HEADER_VALUES)).toBeLessThan(0.03);
    const revealed = await revealAudio(null, embedded.png);
    expect(revealed.scheme).toBe('stealth');
    expect(revealed.samples.length).toBe(clip.length);
    // The codec alone measures 0.905 on training speech; these six recordings score 0.908 through the whole path.
    expect(stoi(clip, revealed.samples, 8000)).toBeGreaterThan(0.87);
  });

  it('a longer clip is refused with the length that fits; a wrong key finds nothing; a changed value is refused', async () => {
    const long = speech(clip.length + 8000);
    expect(
      (await stegErrorOf(() => embedAudio(null, coverPng, encodeWav16(long, 8000), { scheme: 'stealth' }))).code,
    ).toBe('too_long');
    const keyed = await embedAudio(null, coverPng, encodeWav16(clip, 8000), { scheme: 'stealth', key: 'k1' });
    expect((await revealAudio(null, keyed.png, { key: 'k1' })).samples.length).toBe(clip.length);
    expect((await stegErrorOf(() => revealAudio(null, keyed.png, { key: 'k2' }))).code).toBe('no_payload');
    const container = await decodeImage(keyed.png);
    container.data[HEADER_VALUES + 5000]! ^= 1;
    const altered = encodePng(container);
    expect((await stegErrorOf(() => revealAudio(null, altered, { key: 'k1' }))).code).toBe('damaged_payload');
  });
});
