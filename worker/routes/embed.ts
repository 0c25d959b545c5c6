/** POST /api/embed: multipart image + audio (+ optional key, quality and scheme) → the container PNG, same size as the cover. */
import type { Context } from 'hono';
import { embedAudio } from '../../src/pipeline/index.js';
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
  // The backend resamples uploads (tfjs matrix products) for every scheme; the weights load only for the nets.
  await ensureBackend();
  const result = await embedAudio(modelAccess(c.env, config), image, audio, {
    key,
    limits: config.limits,
    quality,
    scheme,
  });
  return new Response(result.png as Uint8Array<ArrayBuffer>, {
    headers: {
      'content-type': 'image/png',
      'content-disposition': 'inline; filename="stegavox.png"',
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
