/** Optional bearer-token guard for embed and reveal: active only when the API_TOKEN secret is set; never logged. */
import type { MiddlewareHandler } from 'hono';
import { timingSafeEqual } from 'hono/utils/buffer';
import type { AppContext } from '../config.js';
import { stegErrorWithHeaders } from './problem.js';

/**
 * Middleware requiring `Authorization: Bearer <API_TOKEN>` when the secret is configured. hono's timingSafeEqual
 * compares SHA-256 digests, so the time depends on neither the token's content nor its length.
 */
export function requireToken(): MiddlewareHandler<AppContext> {
  return async (c, next) => {
    const { apiToken } = c.get('config');
    if (apiToken === null) return next();
    const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(c.req.header('authorization') ?? '');
    if (!match || !(await timingSafeEqual(match[1]!, apiToken)))
      throw stegErrorWithHeaders(
        'unauthorized',
        'this endpoint needs an "Authorization: Bearer <token>" header with the API token',
        { 'www-authenticate': 'Bearer realm="stegavox"' },
      );
    return next();
  };
}
