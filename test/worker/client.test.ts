/** stegavox/client against the real worker in workerd: typed results from the X-Stego-* headers, StegavoxProblem errors. */
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import {
  type KnownScheme,
  type ProblemCode as ClientProblemCode,
  StegavoxClient,
  StegavoxProblem,
} from 'stegavox/client';
import { decodeImage } from '../../src/formats/image.js';
import { decodeWav } from '../../src/formats/wav.js';
import { pcc } from '../../src/metrics/quality.js';
import type { SchemeName } from '../../src/schemes/registry.js';
import type { ProblemCode } from '../../worker/http/problem-catalogue.js';
import { call, type EnvOverrides, makePng, makeSamples, makeWav, ORIGIN, withTransparentWeights } from './helpers.js';

/** A client whose fetch is the worker itself (through `call`, so each response is also checked against the document). */
function client(overrides: EnvOverrides = {}, options: { token?: string; baseUrl?: string } = {}): StegavoxClient {
  return new StegavoxClient({
    baseUrl: options.baseUrl ?? ORIGIN,
    token: options.token,
    fetch: (req) => call(req, overrides),
  });
}

let weights: EnvOverrides = {};
beforeAll(async () => {
  weights = { WEIGHTS_PREFIX: await withTransparentWeights('client') };
});

describe('stegavox/client', () => {
  it('has the server’s problem codes and scheme names in its types', () => {
    expectTypeOf<ClientProblemCode>().toEqualTypeOf<ProblemCode>();
    // Every scheme the server has is one the client names (so editors offer it), not only the open string.
    expectTypeOf<SchemeName>().toEqualTypeOf<KnownScheme>();
  });

  it('embeds and reveals, parsing the X-Stego-* headers', async () => {
    const api = client(weights);
    const cover = makePng(128, 96, 3);
    const embedded = await api.embed({ image: cover, audio: makeWav(1.5, 8000, 4), key: 'k' });
    expect(embedded).toMatchObject({
      seconds: 1.5,
      capacitySeconds: (12 * 3072) / 8000,
      quality: 'standard',
      scheme: 'neural',
      model: expect.any(String),
    });
    expect(embedded.spreadRate).toBeGreaterThanOrEqual(8000);
    expect(embedded.format).toBe('png');
    expect((await decodeImage(embedded.image)).width).toBe(128);
    const revealed = await api.reveal({ image: new Blob([embedded.image as Uint8Array<ArrayBuffer>]), key: 'k' });
    expect(revealed).toMatchObject({ seconds: 1.5, denoise: 'on', scheme: 'neural', model: embedded.model });
    expect(pcc(decodeWav(revealed.wav).samples, makeSamples(1.5, 8000, 4))).toBeGreaterThan(0.95);
  });

  it('embeds with the coded scheme (no model) and reveals with denoise off', async () => {
    const api = client(weights);
    const embedded = await api.embed({ image: makePng(96, 64, 5), audio: makeWav(0.5), scheme: 'coded' });
    expect(embedded.scheme).toBe('coded');
    expect(embedded.model).toBeUndefined();
    const revealed = await api.reveal({ image: embedded.image.buffer as ArrayBuffer, denoise: 'off' });
    expect(revealed).toMatchObject({ scheme: 'coded', seconds: 0.5, model: undefined, frames: undefined });
  });

  it('asks for a fitted JPEG container with the robust scheme and reads its frame counts back', async () => {
    const api = client(weights);
    const embedded = await api.embed({ image: makePng(900, 600, 6), audio: makeWav(1), scheme: 'robust', fit: 640 });
    expect(embedded).toMatchObject({ format: 'jpeg', scheme: 'robust' });
    expect([(await decodeImage(embedded.image)).width, (await decodeImage(embedded.image)).height]).toEqual([640, 427]);
    const revealed = await api.reveal({ image: embedded.image });
    expect(revealed.scheme).toBe('robust');
    expect(revealed.frames?.total).toBeGreaterThan(0);
    expect(revealed.frames?.lost).toBeGreaterThanOrEqual(0);
  });

  it('reads capacity and info (/api/health)', async () => {
    const api = client();
    const capacity = await api.capacity(512, 512);
    expect(capacity).toMatchObject({ samples: 256 * 3072, sampleRate: 8000, maxPixels: 1048576 });
    expect(capacity.coded).toMatchObject({ samples: 256 * 3072 - 864 });
    const info = await api.info();
    expect(info.ok).toBe(true);
    expect(info.backend).toBe('wasm');
    expect(['r2', 'bundled']).toContain(info.model.source);
  });

  it('throws StegavoxProblem carrying the problem document', async () => {
    const api = client(weights);
    const error = await api.embed({ image: makePng(96, 64, 2), audio: makeWav(3) }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StegavoxProblem);
    const problem = error as StegavoxProblem;
    expect(problem.status).toBe(422);
    expect(problem.code).toBe('too_long');
    expect(problem.problem).toMatchObject({ status: 422, code: 'too_long', type: `${ORIGIN}/problems/too_long` });
    expect(problem.message).toMatch(/^422 too_long: /);
    await expect(api.capacity(0, 10)).rejects.toMatchObject({ code: 'bad_request', status: 400 });
  });

  it('sends the token, and reports 401 without it', async () => {
    const overrides = { ...weights, API_TOKEN: 'tok' };
    const fields = { image: makePng(64, 64, 7), audio: makeWav(0.25) };
    await expect(client(overrides).embed(fields)).rejects.toMatchObject({ code: 'unauthorized' });
    expect((await client(overrides, { token: 'tok' }).embed(fields)).seconds).toBe(0.25);
  });

  it('gives the Retry-After of a 429 as retryAfter', async () => {
    const overrides: EnvOverrides = {
      RATE_LIMITER: (env as unknown as { TEST_RATE_LIMITER: RateLimit }).TEST_RATE_LIMITER,
    };
    const api = new StegavoxClient({
      baseUrl: ORIGIN,
      fetch: (req) => {
        const headers = new Headers(req.headers);
        headers.set('cf-connecting-ip', '198.51.100.77');
        return call(new Request(req, { headers }), overrides);
      },
    });
    const attempts = await Promise.allSettled(
      Array.from({ length: 4 }, () => api.reveal({ image: new Uint8Array([1]) })),
    );
    const limited = attempts.flatMap((a) => (a.status === 'rejected' ? [a.reason as StegavoxProblem] : []));
    expect(limited.some((e) => e.code === 'rate_limited' && e.retryAfter === 60)).toBe(true);
  });

  it('keeps a base path, and turns a response that is no problem document into unexpected_response', async () => {
    const seen: string[] = [];
    const api = new StegavoxClient({
      baseUrl: 'https://proxy.example/stegavox',
      fetch: async (req) => {
        seen.push(req.url);
        return new Response('<html>Bad gateway</html>', { status: 502, headers: { 'content-type': 'text/html' } });
      },
    });
    const error = (await api.info().catch((e: unknown) => e)) as StegavoxProblem;
    expect(seen).toEqual(['https://proxy.example/stegavox/api/health']);
    expect(error).toBeInstanceOf(StegavoxProblem);
    expect(error.problem).toMatchObject({
      status: 502,
      code: 'unexpected_response',
      detail: '<html>Bad gateway</html>',
    });
  });
});
