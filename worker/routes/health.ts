/** GET /api/health: the backend and which weights serve (version, sha256, R2 or bundled). */
import type { Context } from 'hono';
import type { AppContext } from '../config.js';
import { BACKEND_NAME } from '../tf-backend.js';
import { withModel } from '../weights.js';

/**
 * Loads the weights if needed (so it doubles as a warm-up) and reports them; `model.reason` says why the bundled
 * copy serves when it does. No usable weights → 503 problem.
 */
export async function health(c: Context<AppContext>): Promise<Response> {
  return withModel(c.env, c.get('config'), async ({ model, source, fallbackReason }) =>
    c.json(
      {
        ok: true,
        backend: BACKEND_NAME,
        model: {
          version: model.version,
          sha256: model.sha256,
          source,
          ...(fallbackReason ? { reason: fallbackReason } : {}),
        },
      },
      200,
      { 'cache-control': 'no-store' },
    ),
  );
}
