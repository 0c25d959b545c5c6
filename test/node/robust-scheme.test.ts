// The robust scheme end to end through a real JPEG encoder (sharp/mozjpeg): voice survives q70, resizes are undone,
// wrong keys and destroyed containers are refused. Uses only committed fixtures.
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeWav } from '../../src/formats/wav.js';
import { stoi } from '../../src/metrics/stoi.js';
import { embedRobust, revealRobust, robustCapacitySeconds, type Rgb } from '../../src/schemes/robust/robust.js';
import { isStegError } from '../../src/util/errors.js';
import { mulberry32 } from '../../src/util/rng.js';

const FIXTURES = new URL('../fixtures/real/', import.meta.url);
const W = 800;
const H = 600;

async function toRgb(img: sharp.Sharp): Promise<Rgb> {
  const { data, info } = await img.removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}
const raw = (r: Rgb) => sharp(Buffer.from(r.data), { raw: { width: r.width, height: r.height, channels: 3 } });
const jpeg = async (r: Rgb, quality: number) =>
  toRgb(sharp(await raw(r).jpeg({ quality, chromaSubsampling: '4:2:0' }).toBuffer()));

async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (isStegError(e)) return e.code;
    throw e;
  }
  return 'revealed';
}

let cover: Rgb;
let clip: Float32Array;
let plain: Rgb;

beforeAll(async () => {
  // The 256×256 Kodak crop upscaled to 800×600 (a smooth, hard cover) and the six 8 kHz FSDD fixtures, ≈ 3 s.
  cover = await toRgb(
    sharp(new URL('kodim23-crop256.png', FIXTURES).pathname).resize(W, H, { fit: 'cover', kernel: 'lanczos3' }),
  );
  const names = ['george', 'jackson', 'lucas', 'nicolas', 'theo', 'yweweler'];
  const parts = names.map((n) => decodeWav(new Uint8Array(readFileSync(new URL(`3_${n}_0.wav`, FIXTURES)))).samples);
  clip = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    clip.set(p, o);
    o += p.length;
  }
  plain = (await embedRobust(cover, clip)).rgb;
});

describe('robust scheme', () => {
  it('reports a capacity above the clip and refuses a clip that does not fit', async () => {
    expect(robustCapacitySeconds(W, H)).toBeGreaterThan(clip.length / 8000);
    expect(robustCapacitySeconds(1280, 960)).toBeGreaterThanOrEqual(10);
    const long = new Float32Array(Math.ceil((robustCapacitySeconds(W, H) + 1) * 8000)).fill(0.1);
    expect(await refusal(embedRobust(cover, long))).toBe('too_long');
  });

  it('keeps the container close to the cover', () => {
    let se = 0;
    for (let i = 0; i < cover.data.length; i++) se += (cover.data[i]! - plain.data[i]!) ** 2;
    const psnr = 10 * Math.log10((255 * 255) / (se / cover.data.length));
    expect(psnr).toBeGreaterThan(39);
  });

  it('returns the voice after a sharp q70 4:2:0 re-save, header intact', async () => {
    const out = await revealRobust(await jpeg(plain, 70));
    expect(out.header.clipSamples).toBe(clip.length);
    expect(out.header.width).toBe(W);
    expect(out.header.height).toBe(H);
    expect(out.header.salt).toBeNull();
    expect(out.rescaled).toBe(false);
    expect(out.framesLost).toBe(0);
    expect(out.samples.length).toBe(clip.length);
    // The codec alone scores 0.889 on this clip; one lost frame of six would cost ≈ 0.15.
    expect(stoi(clip, out.samples, 8000)).toBeGreaterThan(0.8);
  });

  it('undoes a downscale (800 → 640, lanczos3) plus q80 by rescaling to the header size', async () => {
    const small = await toRgb(
      sharp(await raw(plain).resize(640, 480, { kernel: 'lanczos3' }).jpeg({ quality: 80 }).toBuffer()),
    );
    const out = await revealRobust(small);
    expect(out.rescaled).toBe(true);
    expect(out.header.width).toBe(W);
    expect(out.framesLost).toBeLessThanOrEqual(2); // measured: 1 of 6
    expect(stoi(clip, out.samples, 8000)).toBeGreaterThan(0.6); // measured: 0.889
  });

  it('refuses a destroyed container (q40, q10, heavy noise, an unmarked photo) instead of returning garbage', async () => {
    expect(await refusal(revealRobust(await jpeg(plain, 40)))).toMatch(/no_payload|damaged_payload/);
    expect(await refusal(revealRobust(await jpeg(plain, 10)))).toMatch(/no_payload|damaged_payload/);
    const rnd = mulberry32(11);
    const noisy = { ...plain, data: plain.data.map((v) => Math.max(0, Math.min(255, v + (rnd() - 0.5) * 120))) };
    expect(await refusal(revealRobust(noisy))).toMatch(/no_payload|damaged_payload/);
    expect(await refusal(revealRobust(cover))).toBe('no_payload');
  });

  it('leaves flat blocks alone when asked (flatThreshold), and the receiver erases them', async () => {
    const psnrOf = (r: Rgb) => {
      let se = 0;
      for (let i = 0; i < cover.data.length; i++) se += (cover.data[i]! - r.data[i]!) ** 2;
      return 10 * Math.log10((255 * 255) / (se / cover.data.length));
    };
    const { rgb, header } = await embedRobust(cover, clip, { flatThreshold: 1 });
    expect(header.flatThreshold).toBe(1);
    expect(psnrOf(rgb)).toBeGreaterThan(psnrOf(plain) + 0.1);
    const out = await revealRobust(await jpeg(rgb, 70));
    expect(out.framesLost).toBe(0);
    expect(stoi(clip, out.samples, 8000)).toBeGreaterThan(0.8);
  });

  it('encrypts with a passphrase: the right one reveals after q70, a wrong or missing one is refused', async () => {
    const salt = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]);
    const { rgb, header } = await embedRobust(cover, clip, { passphrase: 'correct horse', salt });
    expect(header.salt).toEqual(salt);
    const received = await jpeg(rgb, 70);
    const out = await revealRobust(received, { passphrase: 'correct horse' });
    expect(out.framesLost).toBe(0);
    expect(stoi(clip, out.samples, 8000)).toBeGreaterThan(0.8);
    expect(await refusal(revealRobust(received, { passphrase: 'battery staple' }))).toBe('unauthorized');
    expect(await refusal(revealRobust(received))).toBe('unauthorized');
  });
});
