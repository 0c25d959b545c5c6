/** POST /api/reveal: multipart container (PNG, or JPEG for the robust scheme; + optional key and denoise) → the hidden clip as 16-bit mono 8 kHz WAV. */
import type { Context } from 'hono';
import { parseDenoise } from '../../src/audio/denoise.js';
import { revealAudio } from '../../src/pipeline/index.js';
import type { AppContext } from '../config.js';
import { readMultipart } from '../http/multipart.js';
import { ensureBackend } from '../tf-backend.js';
import { modelAccess } from '../weights.js';
import { KEY_MAX_LENGTH, CHOICE_MAX_LENGTH, seconds } from './common.js';

/** Recovers the audio hidden in the uploaded container; nothing hidden or a damaged container → 422. */
export async function reveal(c: Context<AppContext>): Promise<Response> {
  const config = c.get('config');
  const upload = await readMultipart(c.req.raw, config.maxBodyBytes);
  const image = await upload.file('image');
  const key = upload.text('key', KEY_MAX_LENGTH) || undefined;
  const denoise = parseDenoise(upload.text('denoise', CHOICE_MAX_LENGTH));
  await ensureBackend();
  const result = await revealAudio(modelAccess(c.env, config), image, { key, limits: config.limits, denoise });
  return new Response(result.wav as Uint8Array<ArrayBuffer>, {
    headers: {
      'content-type': 'audio/wav',
      'content-disposition': 'inline; filename="stegavox.wav"',
      'cache-control': 'no-store',
      'x-stego-seconds': seconds(result.seconds),
      'x-stego-denoise': result.denoised ? 'on' : 'off',
      'x-stego-scheme': result.scheme,
      // A scheme that runs no model names none: naming one would mislead.
      ...(result.model ? { 'x-stego-model': result.model } : {}),
      // Framed schemes (robust): how many frames travelled and how many failed their check and were concealed.
      ...(result.frames
        ? { 'x-stego-frames': String(result.frames.total), 'x-stego-frames-lost': String(result.frames.lost) }
        : {}),
    },
  });
}
