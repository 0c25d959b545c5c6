// Embed → reveal end to end (src/pipeline.ts) on the wasm backend with the transparent test weights loaded from a
// weights folder: round trips (plain and keyed), capacity refusal, and the 4xx outcomes for wrong or altered containers.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import jpeg from 'jpeg-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeImage, encodePng } from '../../src/formats/image.js';
import { decodeWav, encodeWav16, sniffWav } from '../../src/formats/wav.js';
import { SAMPLE_RATE, SAMPLES_PER_TILE, TILE } from '../../src/container/layout.js';
import { pcc } from '../../src/metrics/quality.js';
import { HEADER_VALUES } from '../../src/container/header.js';
import { loudnessEnvelope } from '../../src/container/fingerprint.js';
import { writeHeaderBits } from '../../src/schemes/registry.js';
import { normaliseClip } from '../../src/audio/normalise.js';
import { capacity, embedAudio, readPayloadHeader, revealAudio } from '../../src/pipeline/index.js';
import { embedSamples, keepTilesWithAudio } from '../../src/schemes/neural/region.js';
import {
  hidingHeadroom,
  preparePayload,
  SPREAD_HEADROOM,
  MAX_SPREAD,
  payloadSlots,
  SPREAD_BUDGET,
  SPREAD_STEP_HZ,
  spreadRate,
} from '../../src/schemes/neural/spreading.js';
import { disposeModel, type LoadedModel } from '../../src/schemes/neural/weights-format.js';
import { initBackend } from '../../src/node/backend.js';
import { PRE_EMPHASIS } from '../../src/audio/emphasis.js';
import { COVER_HEADROOM, coverForHiding } from '../../src/schemes/neural/model.js';
import { loadModelFromDir } from '../../src/node/load-model.js';
import { pattern } from '../fixtures/pattern.js';
import { speechLike } from '../helpers/signals.js';
import { writeTransparentWeights } from '../helpers/weights.js';
import { stegErrorOf } from '../helpers/errors.js';

const W = 96;
const H = 64;

let dir: string;
let model: LoadedModel;
let cover: Uint8Array;

function wav(seconds: number, rate = SAMPLE_RATE, seed = 1): { bytes: Uint8Array; samples: Float32Array } {
  const samples = speechLike(Math.round(seconds * rate), rate, seed, 0.5);
  const bytes = encodeWav16(samples, rate);
  return { bytes, samples: decodeWav(bytes).samples };
}

beforeAll(async () => {
  await initBackend('wasm');
  dir = await mkdtemp(path.join(tmpdir(), 'stegavox-pipeline-'));
  await writeTransparentWeights(dir);
  model = await loadModelFromDir(dir);
  cover = encodePng({ width: W, height: H, data: pattern(W, H) });
});

afterAll(async () => {
  if (model) disposeModel(model);
  await rm(dir, { recursive: true, force: true });
});

describe('spreadRate', () => {
  it('spreads up to the budget, in whole steps, never past MAX_SPREAD or the capacity, and not at all past the budget', async () => {
    const cap = 1_179_648; // 768×512
    let previous = Infinity;
    for (const samples of [100, 5_000, 40_000, 80_000, 120_000, 188_000, 189_000, 400_000, cap]) {
      const rate = spreadRate(samples, cap);
      expect(rate % SPREAD_STEP_HZ).toBe(0);
      expect(rate).toBeGreaterThanOrEqual(SAMPLE_RATE);
      expect(rate).toBeLessThanOrEqual(MAX_SPREAD * SAMPLE_RATE);
      expect(rate).toBeLessThanOrEqual(previous);
      expect(payloadSlots(samples, rate)).toBeLessThanOrEqual(Math.max(cap, payloadSlots(samples, SAMPLE_RATE)));
      if (rate > SAMPLE_RATE) expect(payloadSlots(samples, rate)).toBeLessThanOrEqual(SPREAD_BUDGET * cap + 48);
      previous = rate;
    }
    expect(spreadRate(5_000, cap)).toBe(MAX_SPREAD * SAMPLE_RATE);
    expect(spreadRate(80_000, cap)).toBe(18_000); // 10 s in 768×512: 0.16 · 1,179,648 / 80,000 = 2.36× → 18 kHz
    expect(spreadRate(189_000, cap)).toBe(SAMPLE_RATE); // past the budget: not spread
    // A clip that fills the image exactly is never pushed over capacity.
    expect(spreadRate(18_432, 18_432)).toBe(SAMPLE_RATE);
  });
});

describe('cover headroom', () => {
  it('a spread clip gets SPREAD_HEADROOM, a clip filling the budget COVER_HEADROOM; Hiding clamps the cover to it', () => {
    expect(SPREAD_HEADROOM).toBeGreaterThan(COVER_HEADROOM);
    expect(hidingHeadroom(SAMPLE_RATE)).toBe(COVER_HEADROOM);
    expect(hidingHeadroom(12_000)).toBe(SPREAD_HEADROOM);
    const clip = speechLike(4800);
    expect(preparePayload(clip, 100 * clip.length)).toMatchObject({ headroom: SPREAD_HEADROOM });
    expect(preparePayload(clip, clip.length)).toMatchObject({ spreadRate: SAMPLE_RATE, headroom: COVER_HEADROOM });
    const clamped = tf.tidy(() =>
      Array.from(coverForHiding(tf.tensor4d([0, 1, 0.5, 0.01], [1, 1, 1, 4]), SPREAD_HEADROOM).dataSync()),
    );
    expect(clamped.map((v) => Math.round(v * 255))).toEqual([6, 249, 128, 6]);
  });
});

describe('embedAudio → revealAudio (transparent weights)', () => {
  it('gives back the clip with its duration, from a PNG of the cover size', async () => {
    const clip = wav(0.5);
    const before = tf.memory().numTensors;
    const embedded = await embedAudio(model, cover, clip.bytes);
    expect([embedded.width, embedded.height]).toEqual([W, H]);
    expect(embedded.seconds).toBe(0.5);
    expect(embedded.capacitySeconds).toBe(capacity(W, H).seconds);
    const container = await decodeImage(embedded.png);
    expect([container.width, container.height]).toEqual([W, H]);
    // The header records the pre-emphasis embed applied, so reveal undoes exactly that.
    expect(await readPayloadHeader(container.data, undefined)).toMatchObject({
      scheme: 'neural',
      emphasis: PRE_EMPHASIS,
    });

    const revealed = await revealAudio(model, embedded.png);
    expect(revealed.keyed).toBe(false);
    expect(revealed.seconds).toBe(0.5);
    expect(revealed.samples.length).toBe(clip.samples.length);
    const info = sniffWav(revealed.wav);
    expect(info).toMatchObject({
      sampleRate: SAMPLE_RATE,
      channels: 1,
      bitsPerSample: 16,
      frames: clip.samples.length,
    });
    const r = pcc(clip.samples, decodeWav(revealed.wav).samples);
    expect(r).toBeGreaterThan(0.99);
    // Level restored too: RMS within 5 %.
    const rms = (x: Float32Array) => Math.sqrt(x.reduce((a, b) => a + b * b, 0) / x.length);
    expect(rms(revealed.samples) / rms(clip.samples)).toBeGreaterThan(0.95);
    expect(rms(revealed.samples) / rms(clip.samples)).toBeLessThan(1.05);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('reveals clips with digital silence: pauses and an all-zero clip are not mistaken for damage', async () => {
    // A 0.25 s clip whose middle half is a pause of exact zeros: four of the fingerprint's eighths are silent.
    const paused = speechLike(2000, SAMPLE_RATE, 5, 0.5);
    paused.fill(0, 500, 1500);
    const r = await revealAudio(model, (await embedAudio(model, cover, encodeWav16(paused, SAMPLE_RATE))).png);
    expect(r.samples.length).toBe(2000);
    expect(pcc(paused, r.samples)).toBeGreaterThan(0.99);

    const silent = await revealAudio(
      model,
      (await embedAudio(model, cover, encodeWav16(new Float32Array(2400), SAMPLE_RATE))).png,
    );
    expect(silent.samples.length).toBe(2400);
    // Quiet, not exact zeros: 8-bit rounding noise, filtered when the clip is spread (peaks up to ~0.017 here).
    const rms = Math.sqrt(silent.samples.reduce((a, v) => a + v * v, 0) / silent.samples.length);
    expect(rms).toBeLessThan(0.01);
    expect(silent.samples.every((v) => Math.abs(v) < 0.03)).toBe(true);
  });

  it('resamples other rates to 8 kHz (16 kHz in, 8 kHz out, same duration)', async () => {
    const clip = wav(0.4, 16_000, 4);
    const embedded = await embedAudio(model, cover, clip.bytes);
    const revealed = await revealAudio(model, embedded.png);
    expect(revealed.samples.length).toBe(3200);
    // Compare with every second sample of the 16 kHz clip (content well below 4 kHz).
    const decimated = clip.samples.filter((_, i) => i % 2 === 0);
    expect(pcc(decimated, revealed.samples)).toBeGreaterThan(0.98);
  });

  it('keyed: the right key gives the clip back; a wrong or missing key finds nothing (422, same words as an empty photo)', async () => {
    const clip = wav(1.0, SAMPLE_RATE, 2);
    const embedded = await embedAudio(model, cover, clip.bytes, { key: 'open sesame' });
    const right = await revealAudio(model, embedded.png, { key: 'open sesame' });
    expect(right.keyed).toBe(true);
    expect(right.samples.length).toBe(clip.samples.length);
    expect(pcc(clip.samples, right.samples)).toBeGreaterThan(0.99);
    for (const key of ['open sesame!', 'Open sesame', undefined]) {
      const refused = await stegErrorOf(() => revealAudio(model, embedded.png, key === undefined ? {} : { key }));
      const empty = await stegErrorOf(() => revealAudio(model, cover, key === undefined ? {} : { key }));
      expect(refused.code).toBe('no_payload');
      // A keyed container and a photo with nothing in it get the same answer: the refusal leaks nothing.
      expect(refused).toEqual(empty);
    }
  });

  it('spreads a short clip in a large photo and gives it back, keyed and not; a wrong or missing key finds nothing', async () => {
    const big = encodePng({ width: 256, height: 128, data: pattern(256, 128) }); // 32 tiles, 98,304 samples
    const clip = wav(0.5, SAMPLE_RATE, 7);
    const plain = await embedAudio(model, big, clip.bytes);
    expect(plain.spreadRate).toBe(3 * SAMPLE_RATE);
    expect(pcc(clip.samples, (await revealAudio(model, plain.png)).samples)).toBeGreaterThan(0.99);
    const keyed = await embedAudio(model, big, clip.bytes, { key: 'k1' });
    const right = await revealAudio(model, keyed.png, { key: 'k1' });
    expect(right.samples.length).toBe(clip.samples.length);
    expect(pcc(clip.samples, right.samples)).toBeGreaterThan(0.99);
    for (const key of ['k2', undefined]) {
      const refused = await stegErrorOf(() => revealAudio(model, keyed.png, key === undefined ? {} : { key }));
      expect(refused.code, `key ${String(key)}`).toBe('no_payload');
    }
  });

  it('quality=high runs the feedback pass for short clips always and for long ones while the region fits maxHighPixels', async () => {
    const long = wav(2.0, SAMPLE_RATE, 9); // 16,000 of 18,432 samples: far past the spreading budget
    const defaults = await embedAudio(model, cover, long.bytes, { quality: 'high' });
    expect(defaults.fedBack).toBe(true); // 96×64 is well under the default 512×512
    const capped = await embedAudio(model, cover, long.bytes, {
      quality: 'high',
      limits: { maxPixels: 1e6, maxAudioSeconds: 60, maxHighPixels: 96 * 63 },
    });
    expect(capped.fedBack).toBe(false);
    expect((await embedAudio(model, cover, long.bytes)).fedBack).toBe(false);
    const short = await embedAudio(model, cover, wav(0.3, SAMPLE_RATE, 9).bytes, {
      quality: 'high',
      limits: { maxPixels: 1e6, maxAudioSeconds: 60, maxHighPixels: 0 },
    });
    expect(short.fedBack).toBe(true); // within the spreading budget the cap does not apply
    expect(pcc(long.samples, (await revealAudio(model, defaults.png)).samples)).toBeGreaterThan(0.99);
  });

  it('still reveals containers with averaged copies (written before spreading replaced them)', async () => {
    const clip = wav(0.9, SAMPLE_RATE, 8);
    const { samples: normalised, gain } = normaliseClip(clip.samples);
    const slots = payloadSlots(normalised.length, SAMPLE_RATE);
    const twice = new Float32Array(2 * slots);
    twice.set(normalised);
    twice.set(normalised, slots);
    const photo = await decodeImage(cover);
    const rgb = await embedSamples(model, photo, twice);
    const legacy = {
      scheme: 'neural' as const,
      width: W,
      height: H,
      sampleCount: normalised.length,
      gain,
      keyed: false,
      copies: 2,
      emphasis: 0,
      spreadRate: SAMPLE_RATE,
      envelope: loudnessEnvelope(normalised),
    };
    writeHeaderBits(rgb, legacy, 2);
    const revealed = await revealAudio(model, encodePng({ width: W, height: H, data: rgb }));
    expect(revealed.samples.length).toBe(clip.samples.length);
    expect(pcc(clip.samples, revealed.samples)).toBeGreaterThan(0.99);
  });

  it('refuses a clip longer than the image holds with too_long, giving the capacity in seconds', async () => {
    // 96×64 holds 6 tiles = 18,432 samples; whole 48-sample scramble frames: 18,432 → 2.30 s.
    const err = await stegErrorOf(() => embedAudio(model, cover, wav(2.5).bytes));
    expect(err.code).toBe('too_long');
    expect(err.message).toMatch(/audio is 2\.50 s but this image holds at most 2\.30 s/);
    // Exactly at the capacity it fits.
    const fits = await embedAudio(model, cover, encodeWav16(speechLike(18_432), SAMPLE_RATE));
    expect(fits.seconds).toBeCloseTo(2.304, 6);
    expect((await revealAudio(model, fits.png)).samples.length).toBe(18_432);
  });

  it('a neural container re-saved as JPEG (even at quality 100) has lost its payload: 422 no_payload', async () => {
    const embedded = await embedAudio(model, cover, wav(0.3).bytes);
    const rgb = (await decodeImage(embedded.png)).data;
    const rgba = new Uint8Array(W * H * 4);
    for (let i = 0; i < W * H; i++) rgba.set([rgb[i * 3]!, rgb[i * 3 + 1]!, rgb[i * 3 + 2]!, 255], i * 4);
    const jpg = new Uint8Array(jpeg.encode({ width: W, height: H, data: rgba }, 100).data);
    const err = await stegErrorOf(() => revealAudio(model, jpg));
    expect(err.code).toBe('no_payload');
    expect(err.message).toMatch(/nothing found/);
  });

  it('finds no_payload in a PNG with nothing hidden', async () => {
    const err = await stegErrorOf(() => revealAudio(model, cover));
    expect(err.code).toBe('no_payload');
  });

  describe('altered containers', () => {
    let container: { width: number; height: number; data: Uint8Array };
    beforeAll(async () => {
      container = await decodeImage((await embedAudio(model, cover, wav(0.6, SAMPLE_RATE, 3).bytes)).png);
    });

    it('cropped or canvas-resized (header intact, size changed) → damaged_payload naming both sizes', async () => {
      const cropped = encodePng({ width: W, height: 40, data: container.data.slice(0, W * 40 * 3) });
      const err = await stegErrorOf(() => revealAudio(model, cropped));
      expect(err.code).toBe('damaged_payload');
      expect(err.message).toMatch(/made at 96×64 but is 96×40/);

      const taller = new Uint8Array(W * 80 * 3).fill(128);
      taller.set(container.data);
      const err2 = await stegErrorOf(() => revealAudio(model, encodePng({ width: W, height: 80, data: taller })));
      expect(err2).toMatchObject({
        code: 'damaged_payload',
        message: expect.stringMatching(/made at 96×64 but is 96×80/),
      });
    });

    it('rescaled (2× nearest neighbour): the LSB header does not survive → no_payload', async () => {
      const big = new Uint8Array(W * 2 * H * 2 * 3);
      for (let y = 0; y < H * 2; y++)
        for (let x = 0; x < W * 2; x++)
          big.set(
            container.data.subarray(((y >> 1) * W + (x >> 1)) * 3, ((y >> 1) * W + (x >> 1)) * 3 + 3),
            (y * W * 2 + x) * 3,
          );
      const err = await stegErrorOf(() => revealAudio(model, encodePng({ width: W * 2, height: H * 2, data: big })));
      expect(err.code).toBe('no_payload');
    });

    it('edited (audio region overwritten, header kept) → damaged_payload from the loudness fingerprint', async () => {
      const edited = container.data.slice();
      edited.fill(128, HEADER_VALUES);
      const err = await stegErrorOf(() => revealAudio(model, encodePng({ width: W, height: H, data: edited })));
      expect(err.code).toBe('damaged_payload');
      expect(err.message).toMatch(/fingerprint/);
    });

    it('a few scattered pixel edits still reveal', async () => {
      const touched = container.data.slice();
      for (let i = HEADER_VALUES; i < touched.length; i += 997) touched[i] = 255 - touched[i]!;
      const revealed = await revealAudio(model, encodePng({ width: W, height: H, data: touched }));
      expect(pcc(wav(0.6, SAMPLE_RATE, 3).samples, revealed.samples)).toBeGreaterThan(0.9);
    });
  });
});

describe('keepTilesWithAudio', () => {
  it('takes exactly the tiles that carry samples from the region and the cover everywhere else', async () => {
    const width = 100; // 3 whole tiles across and 4 spare columns
    const height = 70;
    const cover = { width, height, data: new Uint8Array(width * height * 3) };
    const region = new Uint8Array(width * 64 * 3).fill(255);
    // 4 whole tiles and one sample of a fifth: tiles (0,0) (0,1) (0,2) (1,0) (1,1)
    const out = keepTilesWithAudio(cover, region, 4 * SAMPLES_PER_TILE + 1);
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++) {
        const tx = Math.floor(x / TILE);
        const ty = Math.floor(y / TILE);
        const carries = tx < 3 && (ty === 0 || (ty === 1 && tx < 2));
        for (let c = 0; c < 3; c++) expect(out[(y * width + x) * 3 + c], `pixel ${x},${y}`).toBe(carries ? 255 : 0);
      }
  });

  it('the shipped weights change no pixel outside the tiles that carry the clip', async () => {
    const shipped = await loadModelFromDir();
    try {
      const w = 200; // 6 tiles across + 8 spare columns, 4 tile rows + 12 spare rows
      const h = 140;
      const photo = pattern(w, h);
      const { png, spreadRate } = await embedAudio(
        shipped,
        encodePng({ width: w, height: h, data: photo }),
        wav(0.5).bytes,
      );
      const out = (await decodeImage(png)).data;
      expect(spreadRate).toBeGreaterThan(SAMPLE_RATE); // a short clip: spread over more tiles than it needs unspread
      const tiles = Math.ceil(payloadSlots(0.5 * SAMPLE_RATE, spreadRate) / SAMPLES_PER_TILE);
      expect(tiles).toBeLessThan(6 * 4);
      let changedInside = 0;
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++) {
          const t = Math.floor(y / TILE) * 6 + Math.floor(x / TILE);
          const inside = x < 6 * TILE && y < 4 * TILE && t < tiles;
          for (let c = 0; c < 3; c++) {
            const i = (y * w + x) * 3 + c;
            // The payload header sits in the LSBs of the first values, whichever tiles they fall in.
            if (i < HEADER_VALUES)
              expect(out[i]! >> 1, `header value ${i}`).toBe(inside ? out[i]! >> 1 : photo[i]! >> 1);
            else if (!inside) expect(out[i], `pixel ${x},${y}`).toBe(photo[i]);
            else if (out[i] !== photo[i]) changedInside++;
          }
        }
      expect(changedInside).toBeGreaterThan(1000);
    } finally {
      disposeModel(shipped);
    }
  });
});

describe('saturated covers', () => {
  it('a white-sky photo still carries the clip: the nets see the cover 3 levels inside [0, 255]', async () => {
    const shipped = await loadModelFromDir();
    try {
      const w = 128;
      const h = 96;
      const sky = pattern(w, h).map((v, i) => (i < w * 64 * 3 ? 253 + (v % 3) : v)); // top two tile rows near white (253–255)
      const clip = wav(2.5, SAMPLE_RATE, 4);
      const { png } = await embedAudio(shipped, encodePng({ width: w, height: h, data: sky }), clip.bytes);
      const back = await revealAudio(shipped, png, { ignoreFingerprint: true });
      expect(pcc(clip.samples, back.samples)).toBeGreaterThan(0.92); // 0.94 here; 0.895 without the headroom
    } finally {
      disposeModel(shipped);
    }
  });
});
