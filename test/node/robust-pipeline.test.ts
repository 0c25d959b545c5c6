// The robust scheme through the product's pipeline: fit to a messenger size, a JPEG container, then a real messenger
// channel (sharp/mozjpeg at quality 70, 4:2:0) and reveal finding the scheme by itself, with frames counted.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { decodeImage } from '../../src/formats/image.js';
import { decodeWav, encodeWav16 } from '../../src/formats/wav.js';
import { psnr, mse } from '../../src/metrics/quality.js';
import { stoi } from '../../src/metrics/stoi.js';
import { capacity, embedAudio, revealAudio } from '../../src/pipeline/index.js';
import { stegErrorOf } from '../helpers/errors.js';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/real');
const SPEAKERS = ['jackson', 'nicolas', 'theo', 'yweweler', 'george', 'lucas'];
const LIMITS = { maxPixels: 4_000_000, maxAudioSeconds: 600 };

function speech(): Float32Array {
  const parts = SPEAKERS.map(
    (s) => decodeWav(new Uint8Array(readFileSync(path.join(FIXTURES, `3_${s}_0.wav`)))).samples,
  );
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** The Kodak crop upscaled to a 2000×1500 "phone photo" PNG (the fixture is all the real photo a clean clone has). */
async function phonePhoto(): Promise<Uint8Array> {
  const png = await sharp(path.join(FIXTURES, 'kodim23-crop256.png'))
    .resize(2000, 1500, { kernel: 'lanczos3' })
    .png()
    .toBuffer();
  return new Uint8Array(png);
}

/** What a messenger does: decode, re-encode as JPEG at `quality` with 4:2:0 chroma, optionally resized first. */
async function messenger(bytes: Uint8Array, quality: number, width?: number): Promise<Uint8Array> {
  let img = sharp(bytes);
  if (width) img = img.resize(width, undefined, { kernel: 'lanczos3' });
  return new Uint8Array(await img.jpeg({ quality, chromaSubsampling: '4:2:0' }).toBuffer());
}

describe('scheme=robust through the pipeline', () => {
  const clip = speech();

  it('fits the photo to 1600, writes a JPEG, and the voice survives a quality-70 re-encode (STOI floor, frames counted)', async () => {
    const photo = await phonePhoto();
    expect(capacity(1600, 1200, 'robust').seconds).toBeGreaterThan(clip.length / 8000);
    const embedded = await embedAudio(null, photo, encodeWav16(clip, 8000), {
      scheme: 'robust',
      fit: 1600,
      format: 'jpeg',
      key: 'open sesame',
      limits: LIMITS,
    });
    expect([embedded.format, embedded.width, embedded.height]).toEqual(['jpeg', 1600, 1200]);
    expect([...embedded.container.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]);
    const cover = await decodeImage(
      new Uint8Array(await sharp(photo).resize(1600, 1200, { kernel: 'lanczos3' }).png().toBuffer()),
      { maxPixels: 4e6 },
    );
    const container = await decodeImage(embedded.container, { maxPixels: 4e6 });
    expect(psnr(mse(container.data, cover.data))).toBeGreaterThan(38);

    const shared = await messenger(embedded.container, 70);
    const revealed = await revealAudio(null, shared, { key: 'open sesame', limits: LIMITS });
    expect(revealed.scheme).toBe('robust');
    expect(revealed.frames!.total).toBeGreaterThan(0);
    expect(revealed.frames!.lost).toBeLessThanOrEqual(revealed.frames!.total * 0.1);
    expect(revealed.samples.length).toBe(clip.length);
    // The codec alone scores about 0.9 on speech; the channel must cost little.
    expect(stoi(clip, revealed.samples, 8000)).toBeGreaterThan(0.8);

    // Downscaled by the messenger (1600 → 1280) and re-encoded at 80: found again at its own size.
    const resized = await revealAudio(null, await messenger(embedded.container, 80, 1280), {
      key: 'open sesame',
      limits: LIMITS,
    });
    expect(stoi(clip, resized.samples, 8000)).toBeGreaterThan(0.7);

    // No key, a wrong key: the same refusal an empty photo gets.
    for (const key of [undefined, 'open sesame!']) {
      const err = await stegErrorOf(() => revealAudio(null, shared, { key, limits: LIMITS }));
      const empty = await stegErrorOf(() => revealAudio(null, photo, { key, limits: LIMITS }));
      expect(err).toEqual(empty);
      expect(err.code).toBe('no_payload');
    }
    // A container destroyed by quality 10: refused, not revealed as noise.
    const q10 = await messenger(embedded.container, 10);
    const destroyed = await stegErrorOf(() => revealAudio(null, q10, { key: 'open sesame', limits: LIMITS }));
    expect(['no_payload', 'damaged_payload']).toContain(destroyed.code);
  }, 120_000);

  it('refuses a JPEG container for a scheme that does not survive JPEG', async () => {
    const photo = await phonePhoto();
    const err = await stegErrorOf(() =>
      embedAudio(null, photo, encodeWav16(clip.subarray(0, 8000), 8000), {
        scheme: 'coded',
        format: 'jpeg',
        fit: 512,
        limits: LIMITS,
      }),
    );
    expect(err.code).toBe('bad_request');
    expect(err.message).toMatch(/scheme=robust/);
  });
});
