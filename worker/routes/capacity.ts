/** GET /api/capacity?width=W&height=H: how many seconds of audio a W×H photo holds. */
import type { Context } from 'hono';
import { StegError } from '../../src/util/errors.js';
import { capacity as capacityOf, photoLimits } from '../../src/pipeline/index.js';
import { DEFAULT_SCHEME, SCHEME_NAMES, schemeNamed } from '../../src/schemes/registry.js';
import type { AppContext } from '../config.js';

/** Largest side accepted (PNG and JPEG both allow up to 65535). */
export const MAX_SIDE = 65535;

/**
 * JSON `{ seconds, samples, sampleRate }` for the given size under the default scheme, `<scheme>: { seconds, samples }`
 * for each other scheme, plus `maxPixels` (the embed limit) so a page can warn before uploading. Missing or
 * non-integer sizes → 400.
 */
export function capacity(c: Context<AppContext>): Response {
  const width = side(c.req.query('width'), 'width');
  const height = side(c.req.query('height'), 'height');
  const { limits } = c.get('config');
  const { maxPixels } = limits;
  const others = SCHEME_NAMES.filter((name) => name !== DEFAULT_SCHEME).map((name) => {
    const { seconds, samples } = capacityOf(width, height, name);
    // A scheme that takes larger photos than the deployment's limit (robust: phone photos) says so.
    const own = photoLimits(schemeNamed(name), limits).maxPixels;
    return [name, { seconds, samples, ...(own > maxPixels ? { maxPixels: own } : {}) }] as const;
  });
  return c.json({
    ...capacityOf(width, height, DEFAULT_SCHEME),
    ...Object.fromEntries(others),
    maxPixels,
  });
}

function side(value: string | undefined, name: string): number {
  if (value === undefined || value === '')
    throw new StegError('bad_request', `the "${name}" query parameter is required (pixels)`);
  if (!/^\d{1,5}$/.test(value) || Number(value) < 1 || Number(value) > MAX_SIDE)
    throw new StegError('bad_request', `"${name}" must be a whole number of pixels from 1 to ${MAX_SIDE}`);
  return Number(value);
}
