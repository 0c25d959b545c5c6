/** POST /api/embed: multipart image + audio (+ optional key, quality and scheme) → the container PNG, same size as the cover. */
import type { Context } from 'hono';
import { embedAudio, parseQuality } from '../../src/pipeline.js';
import { parseScheme } from '../../src/schemes/coded/payload.js';
import { readConfig, type AppEnv } from '../config.js';
import { readMultipart } from '../http/multipart.js';
import { withModel } from '../weights.js';
import { KEY_MAX_LENGTH, CHOICE_MAX_LENGTH, seconds } from './common.js';

/** Hides the uploaded audio in the uploaded photo. Every bad input is a 4xx problem (see src/util/errors.ts). */
export async function embed(c: Context<{ Bindings: AppEnv }>): Promise<Response> {
  const config = readConfig(c.env);
  const upload = await readMultipart(c.req.raw, config.maxBodyBytes);
  const image = await upload.file('image');
  const audio = await upload.file('audio');
  const key = upload.text('key', KEY_MAX_LENGTH) || undefined;
  const quality = parseQuality(upload.text('quality', CHOICE_MAX_LENGTH));
  const scheme = parseScheme(upload.text('scheme', CHOICE_MAX_LENGTH));
  return withModel(c.env, async ({ model }) => {
    const result = await embedAudio(model, image, audio, { key, limits: config.limits, quality, scheme });
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
        // The coded scheme runs no model: naming one would mislead.
        ...(result.scheme === 'neural' ? { 'x-stego-model': model.version } : {}),
      },
    });
  });
}
