/** CORS for the API so other sites' pages and forms can call it: origins from CORS_ORIGINS ("*" or a comma list). */
import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';
import type { AppContext } from '../config.js';

/** Response headers a cross-origin caller may read. */
export const EXPOSED_HEADERS = [
  'X-Stego-Seconds',
  'X-Stego-Capacity-Seconds',
  'X-Stego-Spread-Rate',
  'X-Stego-Quality',
  'X-Stego-Denoise',
  'X-Stego-Scheme',
  'X-Stego-Model',
  'X-Stego-Frames',
  'X-Stego-Frames-Lost',
  'Content-Disposition',
];

/**
 * CORS middleware. `CORS_ORIGINS="*"` (the default, for development) lets any origin call; a comma-separated list
 * of origins (e.g. "https://example.com,https://www.example.com") allows only those; other origins get no
 * Access-Control-Allow-Origin header, so browsers withhold the response.
 */
export function apiCors(): MiddlewareHandler<AppContext> {
  return cors({
    origin: (origin, c) => {
      const allowed = (c.get('config') as AppContext['Variables']['config']).corsOrigins;
      if (allowed === '*') return '*';
      return allowed.includes(origin) ? origin : null;
    },
    allowMethods: ['GET', 'POST', 'OPTIONS'],
    allowHeaders: ['Content-Type', 'Authorization'],
    exposeHeaders: EXPOSED_HEADERS,
    maxAge: 86400,
  }) as MiddlewareHandler<AppContext>;
}
