/** POST /api/embed: multipart image + audio (+ optional key, quality, scheme, fit, format) → the container, PNG or JPEG. */
import type { Context } from 'hono';
import { CONTAINER_FORMATS, embedAudio } from '../../src/pipeline/index.js';
import { parseChoice } from '../../src/util/choice.js';
import { StegError } from '../../src/util/errors.js';
import { parseScheme } from '../../src/schemes/registry.js';
import { parseQuality } from '../../src/schemes/scheme.js';
import type { AppContext } from '../config.js';
import { readMultipart } from '../http/multipart.js';
import { ensureBackend } from '../tf-backend.js';
import { modelAccess } from '../weights.js';
import { KEY_MAX_LENGTH, CHOICE_MAX_LENGTH, seconds } from './common.js';

/** Hides the uploaded audio in the uploaded photo. Every bad input is a 4xx problem (see src/util/errors.ts). */
export async function embed(c: Context<AppContext>): Promise<Response> {
  const config = c.get('config');
  const upload = await readMultipart(c.req.raw, config.maxBodyBytes);
  const image = await upload.file('image');
  const audio = await upload.file('audio');
  const key = upload.text('key', KEY_MAX_LENGTH) || undefined;
  const quality = parseQuality(upload.text('quality', CHOICE_MAX_LENGTH));
  const scheme = parseScheme(upload.text('scheme', CHOICE_MAX_LENGTH));
  // Absent, format and fit take the scheme's defaults (the robust scheme: a JPEG fitted to 1600 pixels).
  const formatField = upload.text('format', CHOICE_MAX_LENGTH);
  const format = formatField ? parseChoice('format', CONTAINER_FORMATS, formatField, 'png') : undefined;
  const fit = parseFit(upload.text('fit', CHOICE_MAX_LENGTH));
  // The backend resamples uploads (tfjs matrix products) for every scheme; the weights load only for the nets.
  await ensureBackend();
  const result = await embedAudio(modelAccess(c.env, config), image, audio, {
    key,
    limits: config.limits,
    quality,
    scheme,
    format,
    fit,
  });
  return new Response(result.png as Uint8Array<ArrayBuffer>, {
    headers: {
      'content-type': result.format === 'jpeg' ? 'image/jpeg' : 'image/png',
      'content-disposition': `inline; filename="stegavox.${result.format === 'jpeg' ? 'jpg' : 'png'}"`,
      'cache-control': 'no-store',
      'x-stego-seconds': seconds(result.seconds),
      'x-stego-capacity-seconds': seconds(result.capacitySeconds),
      'x-stego-spread-rate': String(result.spreadRate),
      'x-stego-quality': result.fedBack ? 'high' : 'standard',
      'x-stego-scheme': result.scheme,
      // A scheme that runs no model names none: naming one would mislead.
      ...(result.model ? { 'x-stego-model': result.model } : {}),
    },
  });
}

/** Smallest and largest long side `fit` accepts: from a thumbnail to a 4K photo's long side. */
const FIT_RANGE = [64, 4096] as const;

/** Reads the `fit` field: absent → no fitting; a whole number of pixels in {@link FIT_RANGE} → that long side. */
function parseFit(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!/^\d{1,5}$/.test(value) || n < FIT_RANGE[0] || n > FIT_RANGE[1])
    throw new StegError('bad_request', `fit must be a long side in pixels from ${FIT_RANGE[0]} to ${FIT_RANGE[1]}`);
  return n;
}
