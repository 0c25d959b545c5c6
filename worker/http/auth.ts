/** Optional bearer-token guard for embed and reveal: active only when the API_TOKEN secret is set; never logged. */
import type { MiddlewareHandler } from 'hono';
import { readConfig, type AppEnv } from '../config.js';
import { stegErrorWithHeaders } from './problem.js';

/**
 * Middleware requiring `Authorization: Bearer <API_TOKEN>` when the secret is configured. The comparison runs over
 * SHA-256 digests of both values, so its time depends on neither the token's content nor its length.
 */
export function requireToken(): MiddlewareHandler<{ Bindings: AppEnv }> {
  return async (c, next) => {
    const { apiToken } = readConfig(c.env);
    if (apiToken === null) return next();
    const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(c.req.header('authorization') ?? '');
    if (!match || !(await tokensEqual(match[1]!, apiToken)))
      throw stegErrorWithHeaders('unauthorized', 'this endpoint needs an "Authorization: Bearer <token>" header with the API token', {
        'www-authenticate': 'Bearer realm="stegavox"',
      });
    return next();
  };
}

/** Constant-time equality of two strings (by their SHA-256 digests). */
export async function tokensEqual(given: string, expected: string): Promise<boolean> {
  const encoder = new TextEncoder();
  const [a, b] = await Promise.all([
    crypto.subtle.digest('SHA-256', encoder.encode(given)),
    crypto.subtle.digest('SHA-256', encoder.encode(expected)),
  ]);
  const x = new Uint8Array(a);
  const y = new Uint8Array(b);
  let diff = 0;
  for (let i = 0; i < x.length; i++) diff |= x[i]! ^ y[i]!;
  return diff === 0;
}
