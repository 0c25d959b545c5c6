/** Per-client rate limit for the CPU-heavy endpoints, through Cloudflare's rate-limiting binding (off when unbound). */
import type { MiddlewareHandler } from 'hono';
import type { AppContext } from '../config.js';
import { problemFor, problemResponse } from './problem.js';

/**
 * Seconds a limited client is told to wait (Retry-After). The binding does not say when its window ends; its
 * period is 10 or 60 s, so 60 is never too short whichever period wrangler.toml sets.
 */
export const RETRY_AFTER_SECONDS = 60;

/**
 * Middleware counting each request against `RATE_LIMITER` under the client's address (CF-Connecting-IP, which
 * Cloudflare's edge sets and clients cannot forge; see {@link clientKey}); over the limit → 429 rate_limited with Retry-After. It lets the
 * request through when the binding is absent (rate limiting off), when the header is (a call that did not come
 * through the edge, e.g. a test calling the handler directly), for a loopback address (the edge never reports one;
 * `wrangler dev` does, for `npm start`, the bench, the load and browser tests), and when the binding itself fails:
 * a limiter outage should not take the API down with it.
 */
export function rateLimit(): MiddlewareHandler<AppContext> {
  return async function limitPerClient(c, next) {
    const limiter = c.env.RATE_LIMITER;
    const client = c.req.header('cf-connecting-ip');
    if (!limiter || !client || isLoopback(client)) return next();
    let allowed = true;
    try {
      allowed = (await limiter.limit({ key: clientKey(client) })).success;
    } catch (error) {
      console.error(
        'rate limiter failed; letting the request through:',
        error instanceof Error ? error.message : error,
      );
    }
    if (allowed) return next();
    return problemResponse(
      problemFor(
        'rate_limited',
        `too many embed or reveal requests from your address; retry in ${RETRY_AFTER_SECONDS} seconds`,
        c.req.url,
      ),
      { 'retry-after': String(RETRY_AFTER_SECONDS) },
    );
  };
}

/** 127.0.0.0/8, ::1, and IPv4-mapped loopback: addresses only a local `wrangler dev` reports. */
export function isLoopback(address: string): boolean {
  const a = address.toLowerCase();
  return a === '::1' || a.startsWith('127.') || a.startsWith('::ffff:127.');
}

/**
 * The counter key of a client address: an IPv4 address as it is, an IPv6 address by its /64 prefix, since one
 * subscriber usually holds a whole /64 and could otherwise step through fresh addresses to dodge the limit.
 */
export function clientKey(address: string): string {
  if (!address.includes(':')) return address;
  // An IPv4-mapped address ("::ffff:198.51.100.9") is its IPv4 client, not a /64 shared by every such client.
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  const [head = '', tail] = address.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups =
    tail === undefined ? left : [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}
