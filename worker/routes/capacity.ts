/** GET /api/capacity?width=W&height=H: how many seconds of audio a W×H photo holds. */
import type { Context } from 'hono';
import { StegError } from '../../src/util/errors.js';
import { capacity as capacityOf } from '../../src/pipeline.js';
import { codedCapacitySamples } from '../../src/schemes/coded/payload.js';
import { readConfig, type AppEnv } from '../config.js';

/** Largest side accepted (PNG and JPEG both allow up to 65535). */
const MAX_SIDE = 65535;

/**
 * JSON `{ seconds, samples, sampleRate }` for the given size (the neural scheme), `coded: { seconds, samples }` for
 * the coded scheme, plus `maxPixels` (the embed limit) so a page can warn before uploading. Missing or non-integer
 * sizes → 400.
 */
export function capacity(c: Context<{ Bindings: AppEnv }>): Response {
  const width = side(c.req.query('width'), 'width');
  const height = side(c.req.query('height'), 'height');
  const { seconds, samples, sampleRate } = capacityOf(width, height);
  const coded = codedCapacitySamples(width, height);
  return c.json({ seconds, samples, sampleRate, coded: { seconds: coded / sampleRate, samples: coded }, maxPixels: readConfig(c.env).limits.maxPixels });
}

function side(value: string | undefined, name: string): number {
  if (value === undefined || value === '') throw new StegError('bad_request', `the "${name}" query parameter is required (pixels)`);
  if (!/^\d{1,5}$/.test(value) || Number(value) < 1 || Number(value) > MAX_SIDE)
    throw new StegError('bad_request', `"${name}" must be a whole number of pixels from 1 to ${MAX_SIDE}`);
  return Number(value);
}
