/** The per-client rate limit on embed and reveal: 429 problems with Retry-After, per address, off without the binding. */
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { clientKey, RETRY_AFTER_SECONDS } from '../../worker/http/rate-limit.js';
import { call, type EnvOverrides, multipart, ORIGIN, problem } from './helpers.js';

// TEST_RATE_LIMITER (vitest.worker.config.ts) allows 3 requests per minute and key, in place of RATE_LIMITER's 20.
const limited: EnvOverrides = { RATE_LIMITER: (env as unknown as { TEST_RATE_LIMITER: RateLimit }).TEST_RATE_LIMITER };

/** A fresh client address per test, so tests never share a counter (miniflare keeps it for the whole run). */
let client = 0;
const nextAddress = () => `203.0.113.${++client}`;

/** An embed with no fields: the limit is checked before the body is read, so an allowed one answers 400 at once. */
const embedFrom = (ip?: string) => multipart('/api/embed', {}, ip ? { 'cf-connecting-ip': ip } : {});

describe('rate limit', () => {
  it('answers the fourth request in a minute from one address with 429 rate_limited and Retry-After', async () => {
    const ip = nextAddress();
    for (let i = 0; i < 3; i++) expect((await call(embedFrom(ip), limited)).status).toBe(400);
    const refused = await call(embedFrom(ip), limited);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe(String(RETRY_AFTER_SECONDS));
    expect(await problem(refused)).toMatchObject({ status: 429, code: 'rate_limited' });
    // Reveal shares the budget: the same address is refused there too.
    const reveal = await call(multipart('/api/reveal', {}, { 'cf-connecting-ip': ip }), limited);
    expect(reveal.status).toBe(429);
  });

  it('counts each address on its own', async () => {
    const [a, b] = [nextAddress(), nextAddress()];
    for (let i = 0; i < 3; i++) await call(embedFrom(a), limited);
    expect((await call(embedFrom(a), limited)).status).toBe(429);
    expect((await call(embedFrom(b), limited)).status).toBe(400);
  });

  it('comes before the token check, and a 429 still carries CORS headers', async () => {
    const ip = nextAddress();
    const request = () =>
      multipart('/api/embed', {}, { 'cf-connecting-ip': ip, origin: 'https://a.example', authorization: 'Bearer no' });
    const overrides = { ...limited, API_TOKEN: 'secret' };
    for (let i = 0; i < 3; i++) expect((await call(request(), overrides)).status).toBe(401);
    const refused = await call(request(), overrides);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('leaves capacity and CORS preflights alone', async () => {
    const ip = nextAddress();
    for (let i = 0; i < 5; i++) {
      const response = await call(
        new Request(`${ORIGIN}/api/capacity?width=64&height=64`, { headers: { 'cf-connecting-ip': ip } }),
        limited,
      );
      expect(response.status).toBe(200);
      const preflight = await call(
        new Request(`${ORIGIN}/api/embed`, {
          method: 'OPTIONS',
          headers: { 'cf-connecting-ip': ip, origin: 'https://a.example', 'access-control-request-method': 'POST' },
        }),
        limited,
      );
      expect(preflight.status).toBe(204);
    }
    expect((await call(embedFrom(ip), limited)).status).toBe(400);
  });

  it('is off without the binding, and for requests that did not come through the edge (no CF-Connecting-IP)', async () => {
    const ip = nextAddress();
    for (let i = 0; i < 5; i++) {
      expect((await call(embedFrom(ip), { RATE_LIMITER: undefined })).status).toBe(400);
      expect((await call(embedFrom(), limited)).status).toBe(400);
    }
  });

  it('counts an IPv6 client by its /64, so stepping through its own addresses does not help', async () => {
    expect(clientKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(clientKey('2001:0DB8:0001:0002:ffff:1:2:3')).toBe('2001:db8:1:2::/64');
    expect(clientKey('2001:db8::7')).toBe('2001:db8:0:0::/64');
    expect(clientKey('198.51.100.9')).toBe('198.51.100.9');
    expect(clientKey('::ffff:198.51.100.9')).toBe('198.51.100.9');
    for (let i = 1; i <= 3; i++) expect((await call(embedFrom(`2001:db8:77:1::${i}`), limited)).status).toBe(400);
    expect((await call(embedFrom('2001:db8:77:1:ffff::4'), limited)).status).toBe(429);
    expect((await call(embedFrom('2001:db8:77:2::1'), limited)).status).toBe(400);
  });

  it('leaves loopback addresses alone: only a local wrangler dev reports them (npm start, bench, load test)', async () => {
    for (const ip of ['127.0.0.1', '::1', '::ffff:127.0.0.1'])
      for (let i = 0; i < 5; i++) expect((await call(embedFrom(ip), limited)).status).toBe(400);
  });

  it('lets requests through when the limiter itself fails', async () => {
    const broken: RateLimit = { limit: () => Promise.reject(new Error('limiter down')) };
    expect((await call(embedFrom(nextAddress()), { RATE_LIMITER: broken })).status).toBe(400);
  });

  it('is bound from wrangler.toml', () => {
    expect(typeof (env as { RATE_LIMITER?: RateLimit }).RATE_LIMITER?.limit).toBe('function');
  });
});
