/** The HTTP API end to end inside workerd: capacity, embed → reveal round trip, headers, CORS, the optional token. */
import { exports } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeImage } from '../../src/formats/image.js';
import { decodeWav } from '../../src/formats/wav.js';
import { mse, pcc, psnr } from '../../src/metrics/quality.js';
import bundledManifest from '../../weights/manifest.json';
import {
  call,
  type EnvOverrides,
  expectStatus,
  makePng,
  makeSamples,
  makeWav,
  multipart,
  ORIGIN,
  problem,
  uniquePrefix,
  withTransparentWeights,
} from './helpers.js';
import { TRANSPARENT_VERSION } from './transparent-weights.js';

/** Quality is the model's job; it is only asserted once trained weights replace the untrained placeholder. */
const TRAINED = !bundledManifest.version.startsWith('svx-untrained');

describe('GET /api/capacity', () => {
  it('gives seconds, samples and the sample rate for a size', async () => {
    const response = await call('/api/capacity?width=512&height=512');
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, number>;
    // 16×16 tiles of 32×32 pixels, 3072 samples each, at 8 kHz.
    expect(body).toMatchObject({
      samples: 256 * 3072,
      sampleRate: 8000,
      seconds: (256 * 3072) / 8000,
      maxPixels: 1048576,
    });
    // The coded scheme gives up the header's 864 values where the tiles cover the whole photo.
    expect(body).toMatchObject({ coded: { samples: 256 * 3072 - 864, seconds: (256 * 3072 - 864) / 8000 } });
  });

  it('is zero for an image smaller than one tile', async () => {
    const body = (await (await call('/api/capacity?width=31&height=400')).json()) as Record<string, number>;
    expect(body.samples).toBe(0);
    expect(body.seconds).toBe(0);
  });

  it.each([
    '',
    '?width=512',
    '?width=abc&height=10',
    '?width=0&height=10',
    '?width=10&height=-3',
    '?width=1.5&height=10',
    '?width=70000&height=10',
  ])('refuses %s with 400', async (query) => {
    const response = await call(`/api/capacity${query}`);
    expect(response.status).toBe(400);
    expect(await problem(response)).toMatchObject({ status: 400, code: 'bad_request' });
  });
});

describe('embed → reveal', () => {
  it('round trip (transparent test weights from R2): PNG of the cover size, then the clip with its duration', async () => {
    const cover = makePng(160, 96, 3);
    const audio = makeWav(3, 16000, 4);
    const prefix = await withTransparentWeights('roundtrip');
    const embedded = await call(multipart('/api/embed', { image: cover, audio }), { WEIGHTS_PREFIX: prefix });
    await expectStatus(embedded, 200);
    expect(embedded.headers.get('content-type')).toBe('image/png');
    expect(embedded.headers.get('x-stego-seconds')).toBe('3');
    // 5×3 tiles × 3072 samples / 8000 Hz.
    expect(embedded.headers.get('x-stego-capacity-seconds')).toBe(String((15 * 3072) / 8000));
    expect(embedded.headers.get('x-stego-model')).toBe(TRANSPARENT_VERSION);
    expect(embedded.headers.get('x-stego-spread-rate')).toBe('8000'); // 3 s fills 52 % of capacity: not spread
    // 0.5 s may fill 16 % of capacity: 0.16 × 46,080 / 4,000 = 1.84× → spread to 14 kHz.
    const short = await call(multipart('/api/embed', { image: cover, audio: makeWav(0.5, 16000, 5) }), {
      WEIGHTS_PREFIX: prefix,
    });
    await expectStatus(short, 200);
    expect(short.headers.get('x-stego-spread-rate')).toBe('14000');
    expect(short.headers.get('x-stego-quality')).toBe('standard');
    // quality=high runs the feedback pass on a clip this short; the clip still comes back.
    const high = await call(multipart('/api/embed', { image: cover, audio: makeWav(0.5, 16000, 5), quality: 'high' }), {
      WEIGHTS_PREFIX: prefix,
    });
    await expectStatus(high, 200);
    expect(high.headers.get('x-stego-quality')).toBe('high');
    const highRevealed = await call(multipart('/api/reveal', { image: new Uint8Array(await high.arrayBuffer()) }), {
      WEIGHTS_PREFIX: prefix,
    });
    await expectStatus(highRevealed, 200);
    expect(highRevealed.headers.get('x-stego-seconds')).toBe('0.5');
    // A 3 s clip is past the spreading budget, but its 160×96 region is under the 512×512 cap: high still runs.
    const long = await call(multipart('/api/embed', { image: cover, audio, quality: 'high' }), {
      WEIGHTS_PREFIX: prefix,
    });
    expect(long.headers.get('x-stego-quality')).toBe('high');
    const containerBytes = new Uint8Array(await embedded.arrayBuffer());
    const container = await decodeImage(containerBytes);
    expect([container.width, container.height]).toEqual([160, 96]);

    const revealed = await call(multipart('/api/reveal', { image: containerBytes }), { WEIGHTS_PREFIX: prefix });
    await expectStatus(revealed, 200);
    expect(revealed.headers.get('content-type')).toBe('audio/wav');
    expect(revealed.headers.get('x-stego-seconds')).toBe('3');
    expect(revealed.headers.get('x-stego-model')).toBe(TRANSPARENT_VERSION);
    const wav = decodeWav(new Uint8Array(await revealed.arrayBuffer()));
    expect(wav.sampleRate).toBe(8000);
    expect(wav.samples.length).toBe(24000);
    // The transparent nets carry the clip at 8-bit precision; the 16 → 8 kHz resampling is the only other change.
    expect(pcc(wav.samples, makeSamples(3, 8000, 4))).toBeGreaterThan(0.95);
    expect(revealed.headers.get('x-stego-denoise')).toBe('on');
    // denoise=off returns what Reveal read: the same length, different samples (the filter did run by default).
    const raw = await call(multipart('/api/reveal', { image: containerBytes, denoise: 'off' }), {
      WEIGHTS_PREFIX: prefix,
    });
    await expectStatus(raw, 200);
    expect(raw.headers.get('x-stego-denoise')).toBe('off');
    const rawWav = decodeWav(new Uint8Array(await raw.arrayBuffer()));
    expect(rawWav.samples.length).toBe(24000);
    expect(pcc(rawWav.samples, makeSamples(3, 8000, 4))).toBeGreaterThan(0.95);
    expect(rawWav.samples.some((v, i) => v !== wav.samples[i])).toBe(true);
  });

  it('with a key: the same key gives the clip back; no key or a wrong key gets 422 no_payload, as an empty photo does', async () => {
    const prefix = await withTransparentWeights('keyed');
    const key = 'correct horse battery staple';
    const embedded = await call(
      multipart('/api/embed', { image: makePng(128, 128, 5), audio: makeWav(2, 8000, 6), key }),
      {
        WEIGHTS_PREFIX: prefix,
      },
    );
    expect(embedded.status).toBe(200);
    const container = new Uint8Array(await embedded.arrayBuffer());
    const clip = makeSamples(2, 8000, 6);
    const reveal = (image: Uint8Array, k?: string) =>
      call(multipart('/api/reveal', { image, key: k }), { WEIGHTS_PREFIX: prefix });
    const right = await reveal(container, key);
    expect(right.status).toBe(200);
    const samples = decodeWav(new Uint8Array(await right.arrayBuffer())).samples;
    expect(samples.length).toBe(16000);
    expect(pcc(samples, clip)).toBeGreaterThan(0.99);
    const empty = makePng(128, 128, 5);
    for (const k of [undefined, 'Correct horse battery staple']) {
      const refused = await reveal(container, k);
      const nothing = await reveal(empty, k);
      expect([refused.status, nothing.status]).toEqual([422, 422]);
      const [a, b] = [await problem(refused), await problem(nothing)];
      expect(a).toMatchObject({ code: 'no_payload' });
      expect(a.detail).toBe(b.detail);
      expect(a.detail).toMatch(k === undefined ? /without a key/ : /for this key/);
    }
  });

  it('with the bundled weights: a container of the cover size; reveal gives the clip or an honest 422 (quality checked once trained)', async () => {
    const cover = makePng(128, 96, 9);
    const prefix = uniquePrefix('bundled');
    const embedded = await call(multipart('/api/embed', { image: cover, audio: makeWav(2, 8000, 10) }), {
      WEIGHTS_PREFIX: prefix,
    });
    expect(embedded.status).toBe(200);
    expect(embedded.headers.get('x-stego-model')).toBe(bundledManifest.version);
    const containerBytes = new Uint8Array(await embedded.arrayBuffer());
    const container = await decodeImage(containerBytes);
    expect([container.width, container.height]).toEqual([128, 96]);
    const revealed = await call(multipart('/api/reveal', { image: containerBytes }), { WEIGHTS_PREFIX: prefix });
    if (TRAINED) {
      expect(revealed.status).toBe(200);
      const wav = decodeWav(new Uint8Array(await revealed.arrayBuffer()));
      expect(wav.samples.length).toBe(16000);
      expect(psnr(mse(container.data, (await decodeImage(cover)).data))).toBeGreaterThan(30);
      expect(pcc(wav.samples, makeSamples(2, 8000, 10))).toBeGreaterThan(0.9);
    } else if (revealed.status === 200) {
      // An untrained placeholder may or may not carry the clip; when reveal answers, it is the clip's length.
      expect(decodeWav(new Uint8Array(await revealed.arrayBuffer())).samples.length).toBe(16000);
    } else {
      // ...and when it does not, reveal says so instead of returning noise.
      expect(revealed.status).toBe(422);
      expect(await problem(revealed)).toMatchObject({ code: 'damaged_payload' });
    }
  });
});

describe('wiring through the configured worker (wrangler.toml vars and bindings)', () => {
  it('serves health with the configured backend', async () => {
    const response = await exports.default.fetch(`${ORIGIN}/api/health`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { backend: string; model: { source: string } };
    expect(body.backend).toBe('wasm');
    expect(['r2', 'bundled']).toContain(body.model.source);
  });

  it('answers unknown API paths with a 404 problem', async () => {
    const response = await exports.default.fetch(`${ORIGIN}/api/nope`);
    expect(response.status).toBe(404);
    expect(await problem(response)).toMatchObject({ status: 404, code: 'not_found' });
  });
});

describe('CORS', () => {
  it('answers a preflight for any origin by default and exposes the X-Stego headers', async () => {
    const response = await call(
      new Request(`${ORIGIN}/api/embed`, {
        method: 'OPTIONS',
        headers: {
          origin: 'https://elsewhere.example',
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization',
        },
      }),
    );
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('access-control-allow-methods')).toContain('POST');
    expect(response.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization');
  });

  it('exposes the X-Stego headers on responses, errors included', async () => {
    const ok = await call(
      new Request(`${ORIGIN}/api/capacity?width=64&height=64`, { headers: { origin: 'https://a.example' } }),
    );
    expect(ok.headers.get('access-control-allow-origin')).toBe('*');
    expect(ok.headers.get('access-control-expose-headers')).toContain('X-Stego-Seconds');
    const bad = await call(new Request(`${ORIGIN}/api/capacity`, { headers: { origin: 'https://a.example' } }));
    expect(bad.status).toBe(400);
    expect(bad.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('honours an allowlist', async () => {
    const overrides = { CORS_ORIGINS: 'https://a.example, https://b.example' };
    const allowed = await call(
      new Request(`${ORIGIN}/api/capacity?width=64&height=64`, { headers: { origin: 'https://b.example' } }),
      overrides,
    );
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://b.example');
    expect(allowed.headers.get('vary')).toContain('Origin');
    const refused = await call(
      new Request(`${ORIGIN}/api/capacity?width=64&height=64`, { headers: { origin: 'https://evil.example' } }),
      overrides,
    );
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('API_TOKEN', () => {
  const overrides: EnvOverrides = { API_TOKEN: 's3cret-token' };
  beforeAll(async () => {
    overrides.WEIGHTS_PREFIX = await withTransparentWeights('token');
  });
  const fields = () => ({ image: makePng(64, 64, 7), audio: makeWav(0.5, 8000, 8) });

  it('is required on embed and reveal when set', async () => {
    for (const path of ['/api/embed', '/api/reveal']) {
      const response = await call(multipart(path, fields()), overrides);
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(await problem(response)).toMatchObject({ status: 401, code: 'unauthorized' });
    }
  });

  it('refuses a wrong token or scheme', async () => {
    for (const authorization of [
      'Bearer s3cret-tokeN',
      'Bearer s3cret-token-and-more',
      'Basic s3cret-token',
      'Bearer',
      's3cret-token',
    ]) {
      const response = await call(multipart('/api/embed', fields(), { authorization }), overrides);
      expect(response.status, authorization).toBe(401);
    }
  });

  it('accepts the right token', async () => {
    const response = await call(multipart('/api/embed', fields(), { authorization: 'Bearer s3cret-token' }), overrides);
    expect(response.status).toBe(200);
  });

  it('is not needed for capacity, health or CORS preflights', async () => {
    expect((await call('/api/capacity?width=64&height=64', overrides)).status).toBe(200);
    expect((await call('/api/health', overrides)).status).toBe(200);
    const preflight = await call(
      new Request(`${ORIGIN}/api/embed`, {
        method: 'OPTIONS',
        headers: { origin: 'https://a.example', 'access-control-request-method': 'POST' },
      }),
      overrides,
    );
    expect(preflight.status).toBe(204);
  });

  it('is not needed when unset or empty', async () => {
    expect((await call(multipart('/api/embed', fields()), { ...overrides, API_TOKEN: '' })).status).toBe(200);
  });
});
