/** GET /openapi.json: the OpenAPI 3.1 description of the API (worker/openapi.ts), with this deployment as its server. */
import type { Context } from 'hono';
import { openApiDocument } from '../openapi.js';

/** The document as JSON; any origin may read it (API tools load it cross-origin), and caches may keep it an hour. */
export function openapi(c: Context): Response {
  return c.json(openApiDocument(new URL(c.req.url).origin), 200, {
    'access-control-allow-origin': '*',
    'cache-control': 'public, max-age=3600',
  });
}
