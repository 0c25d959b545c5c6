/** Every error status the API documents, as application/problem+json; bad input is never a 500. */
import { beforeAll, describe, expect, it } from 'vitest';
import { photoRgb } from '../../bench/inputs.js';
import { decodeImage, encodePng } from '../../src/formats/image.js';
import { chunk, concat, SIGNATURE, tableBombPng } from '../fixtures/png-writer.js';
import {
  call as callWorker,
  type EnvOverrides,
  makePng,
  makeWav,
  multipart,
  ORIGIN,
  problem,
  uniquePrefix,
  withTransparentWeights,
} from './helpers.js';

/** A PNG whose IHDR claims `width`×`height` (8-bit RGB) followed by `idat` as its only image data. */
function pngWithHeader(width: number, height: number, idat: Uint8Array): Uint8Array {
  const ihdr = new Uint8Array(13);
  const view = new DataView(ihdr.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return concat([SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', idat), chunk('IEND', new Uint8Array(0))]);
}

/** A WAV header with the given fmt fields and `dataBytes` bytes of silence. */
function wavWith(
  fields: { format?: number; channels?: number; rate?: number; bits?: number },
  dataBytes = 64,
): Uint8Array {
  const { format = 1, channels = 1, rate = 8000, bits = 16 } = fields;
  const out = new Uint8Array(44 + dataBytes);
  const view = new DataView(out.buffer);
  const text = (at: number, s: string) => [...s].forEach((ch, i) => (out[at + i] = ch.charCodeAt(0)));
  text(0, 'RIFF');
  view.setUint32(4, 36 + dataBytes, true);
  text(8, 'WAVE');
  text(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, format, true);
  view.setUint16(22, channels, true);
  view.setUint32(24, rate, true);
  view.setUint32(28, rate * channels * (bits / 8), true);
  view.setUint16(32, channels * (bits / 8), true);
  view.setUint16(34, bits, true);
  text(36, 'data');
  view.setUint32(40, dataBytes, true);
  return out;
}

async function expectProblem(response: Response, status: number, code: string): Promise<string> {
  const body = await problem(response);
  expect(response.status, body.detail).toBe(status);
  expect(body.status).toBe(status);
  expect(body.code).toBe(code);
  expect(body.type).toBe(`${ORIGIN}/problems/${code}`);
  expect(typeof body.title).toBe('string');
  expect(body.detail.length).toBeGreaterThan(0);
  return body.detail;
}

// The HTTP behaviour under test must not depend on the state of the bundled weights: serve the transparent test
// weights from R2 (a test overriding WEIGHTS_PREFIX gets its own).
let weightsPrefix = '';
beforeAll(async () => {
  weightsPrefix = await withTransparentWeights('errors');
});
const call = (request: Request | string, overrides: EnvOverrides = {}) =>
  callWorker(request, { WEIGHTS_PREFIX: weightsPrefix, ...overrides });

const image = makePng(96, 64, 21); // holds 6 tiles × 3072 samples = 2.304 s
const audio = makeWav(1, 8000, 22);

describe('400 bad request', () => {
  it('missing fields', async () => {
    expect(await expectProblem(await call(multipart('/api/embed', { image })), 400, 'bad_request')).toMatch(/"audio"/);
    expect(await expectProblem(await call(multipart('/api/embed', { audio })), 400, 'bad_request')).toMatch(/"image"/);
    expect(await expectProblem(await call(multipart('/api/reveal', { key: 'k' })), 400, 'bad_request')).toMatch(
      /"image"/,
    );
  });

  it('wrong field names and types', async () => {
    await expectProblem(await call(multipart('/api/embed', { photo: image, audio })), 400, 'bad_request');
    await expectProblem(await call(multipart('/api/embed', { image: 'not a file', audio })), 400, 'bad_request');
    await expectProblem(
      await call(multipart('/api/embed', { image, audio, key: new Uint8Array([1, 2, 3]) })),
      400,
      'bad_request',
    );
    await expectProblem(await call(multipart('/api/embed', { image: new Uint8Array(0), audio })), 400, 'bad_request');
    expect(
      await expectProblem(await call(multipart('/api/embed', { image, audio, quality: 'ultra' })), 400, 'bad_request'),
    ).toMatch(/standard, high/);
    await expectProblem(
      await call(multipart('/api/embed', { image, audio, quality: 'x'.repeat(100) })),
      400,
      'bad_request',
    );
    await expectProblem(
      await call(multipart('/api/embed', { image, audio, quality: new Uint8Array([1]) })),
      400,
      'bad_request',
    );
    expect(
      await expectProblem(await call(multipart('/api/reveal', { image, denoise: 'maybe' })), 400, 'bad_request'),
    ).toMatch(/on, off/);
    await expectProblem(await call(multipart('/api/reveal', { image, denoise: 'x'.repeat(100) })), 400, 'bad_request');
  });

  it('a multipart body that does not parse', async () => {
    const request = new Request(`${ORIGIN}/api/embed`, {
      method: 'POST',
      headers: { 'content-type': 'multipart/form-data; boundary=XYZ' },
      body: 'this is not multipart at all',
    });
    await expectProblem(await call(request), 400, 'bad_request');
  });

  it('an undecodable image (valid header, broken zlib data)', async () => {
    const broken = pngWithHeader(64, 64, new Uint8Array(200).fill(0xab));
    await expectProblem(await call(multipart('/api/embed', { image: broken, audio })), 400, 'bad_image');
  });

  it('a decompression trap (a million empty deflate blocks, 12 MB) is a 400, on embed and reveal', async () => {
    const trap = tableBombPng(1_000_000, 64, 64);
    expect(await expectProblem(await call(multipart('/api/embed', { image: trap, audio })), 400, 'bad_image')).toMatch(
      /decompression trap/,
    );
    await expectProblem(await call(multipart('/api/reveal', { image: trap })), 400, 'bad_image');
  });

  it("photos whose zlib data runs far past the trap check's slack still decode in workerd (1024×1024: 1.4 MB)", async () => {
    // workerd accepts writes before inflating them: the check must wait for the output instead of refusing.
    for (const side of [512, 1024]) {
      const rgb = photoRgb(side, side, 3);
      const back = await decodeImage(encodePng({ width: side, height: side, data: rgb }));
      expect(
        back.data.every((v, i) => v === rgb[i]),
        `${side}×${side}`,
      ).toBe(true);
    }
  });

  it('a truncated image', async () => {
    await expectProblem(await call(multipart('/api/embed', { image: image.subarray(0, 30), audio })), 400, 'bad_image');
  });

  it('undecodable audio (sample rate 0, zero channels, no samples)', async () => {
    await expectProblem(await call(multipart('/api/embed', { image, audio: wavWith({ rate: 0 }) })), 400, 'bad_audio');
    await expectProblem(
      await call(multipart('/api/embed', { image, audio: wavWith({ channels: 0 }) })),
      400,
      'bad_audio',
    );
    await expectProblem(await call(multipart('/api/embed', { image, audio: wavWith({}, 0) })), 400, 'bad_audio');
  });
});

describe('405 method not allowed', () => {
  it.each([
    ['GET', '/api/embed', 'POST'],
    ['PUT', '/api/reveal', 'POST'],
    ['POST', '/api/capacity', 'GET'],
    ['DELETE', '/api/health', 'GET'],
  ])('%s %s → 405 with Allow: %s', async (method, path, allow) => {
    const response = await call(new Request(ORIGIN + path, { method }));
    await expectProblem(response, 405, 'method_not_allowed');
    expect(response.headers.get('allow')).toBe(allow);
  });
});

describe('413 too large', () => {
  it('a body over MAX_BODY_BYTES, from Content-Length before reading', async () => {
    const request = multipart('/api/embed', { image, audio });
    const length = (await request.clone().arrayBuffer()).byteLength;
    const response = await call(request, { MAX_BODY_BYTES: String(length - 1) });
    expect(await expectProblem(response, 413, 'too_large')).toMatch(/limit is/);
  });

  it('a streamed body with no Content-Length, cut off while reading', async () => {
    const chunkBytes = new Uint8Array(64 * 1024);
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 40) return controller.close(); // 2.5 MiB in all, if nobody stops reading
        sent++;
        controller.enqueue(chunkBytes);
      },
    });
    const request = new Request(`${ORIGIN}/api/embed`, {
      method: 'POST',
      headers: { 'content-type': 'multipart/form-data; boundary=XYZ' },
      body,
    });
    expect(request.headers.get('content-length')).toBeNull();
    const response = await call(request, { MAX_BODY_BYTES: String(256 * 1024) });
    await expectProblem(response, 413, 'too_large');
    expect(sent).toBeLessThan(40);
  });

  it("an image over MAX_PIXELS (and MAX_PHOTO_PIXELS, the robust scheme's own limit)", async () => {
    const small = { MAX_PIXELS: '4000', MAX_PHOTO_PIXELS: '4000' };
    await expectProblem(await call(multipart('/api/embed', { image, audio }), small), 413, 'too_large');
    await expectProblem(await call(multipart('/api/reveal', { image }), small), 413, 'too_large');
    // Past MAX_PIXELS but within MAX_PHOTO_PIXELS: the nets refuse it, the robust scheme looks.
    const photo = { MAX_PIXELS: '4000' };
    await expectProblem(await call(multipart('/api/embed', { image, audio }), photo), 413, 'too_large');
    await expectProblem(await call(multipart('/api/reveal', { image }), photo), 422, 'no_payload');
  });

  it('a header claiming 60000×60000 pixels on a tiny file, refused before decoding', async () => {
    const liar = pngWithHeader(60000, 60000, new Uint8Array(16));
    expect(await expectProblem(await call(multipart('/api/embed', { image: liar, audio })), 413, 'too_large')).toMatch(
      /60000/,
    );
  });

  it('audio over MAX_AUDIO_SECONDS, from the WAV header', async () => {
    const response = await call(multipart('/api/embed', { image, audio: makeWav(2) }), { MAX_AUDIO_SECONDS: '1.5' });
    await expectProblem(response, 413, 'too_large');
  });
});

describe('415 unsupported media type', () => {
  it('a JSON or text body', async () => {
    for (const [type, body] of [
      ['application/json', '{"image": "x"}'],
      ['text/plain', 'hello'],
      ['application/x-www-form-urlencoded', 'image=x&audio=y'],
    ]) {
      const request = new Request(`${ORIGIN}/api/embed`, { method: 'POST', headers: { 'content-type': type! }, body });
      await expectProblem(await call(request), 415, 'unsupported_media_type');
    }
    await expectProblem(
      await call(new Request(`${ORIGIN}/api/reveal`, { method: 'POST', body: new Uint8Array([1, 2]) })),
      415,
      'unsupported_media_type',
    );
  });

  it('an image field that is not PNG/JPEG, an audio field that is not WAV', async () => {
    await expectProblem(await call(multipart('/api/embed', { image: audio, audio })), 415, 'unsupported_media_type');
    await expectProblem(await call(multipart('/api/embed', { image, audio: image })), 415, 'unsupported_media_type');
    const ogg = new TextEncoder().encode('OggS\0\x02 not really vorbis');
    await expectProblem(await call(multipart('/api/embed', { image, audio: ogg })), 415, 'unsupported_media_type');
  });
});

describe('422 unprocessable', () => {
  it('audio longer than the image holds, with the capacity in the detail', async () => {
    const detail = await expectProblem(
      await call(multipart('/api/embed', { image, audio: makeWav(3) })),
      422,
      'too_long',
    );
    expect(detail).toMatch(/2\.30 s/);
  });

  it('reveal of a photo with nothing hidden', async () => {
    await expectProblem(await call(multipart('/api/reveal', { image })), 422, 'no_payload');
  });
});

describe('503 no weights', () => {
  it('neural embed and reveal answer 503 when no weights load; a photo with nothing hidden is still a 422', async () => {
    const overrides = { WEIGHTS_PREFIX: uniquePrefix('none'), TEST_ONLY_DISABLE_BUNDLED_WEIGHTS: '1' };
    await expectProblem(await call(multipart('/api/embed', { image, audio }), overrides), 503, 'no_weights');
    const container = await call(multipart('/api/embed', { image, audio }));
    expect(container.status).toBe(200);
    const containerBytes = new Uint8Array(await container.arrayBuffer());
    await expectProblem(await call(multipart('/api/reveal', { image: containerBytes }), overrides), 503, 'no_weights');
    // The header is read before any model is asked for: no payload needs no weights to say so.
    await expectProblem(await call(multipart('/api/reveal', { image }), overrides), 422, 'no_payload');
  });
});

describe('faults', () => {
  it('an upload that breaks off mid-body is a 400, and the isolate keeps serving', async () => {
    let chunks = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (++chunks > 3) return controller.error(new Error('client went away'));
        controller.enqueue(new Uint8Array(16 * 1024).fill(0x2d));
      },
    });
    const request = new Request(`${ORIGIN}/api/embed`, {
      method: 'POST',
      headers: { 'content-type': 'multipart/form-data; boundary=XYZ' },
      body,
    });
    await expectProblem(await call(request), 400, 'bad_request');
    const after = await call(multipart('/api/embed', { image, audio }));
    expect(after.status).toBe(200);
  });
});

describe('404', () => {
  it('unknown paths are problems too', async () => {
    await expectProblem(await call('/api/embedd'), 404, 'not_found');
  });
});
