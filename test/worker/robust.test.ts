// The robust scheme through workerd: a JPEG container out of /api/embed (fit to a messenger size), re-encoded by a
// second JPEG encoder at quality 70 as a messenger would, and /api/reveal finding the scheme by itself.
import jpeg from 'jpeg-js';
import { describe, expect, it } from 'vitest';
import { decodeImage } from '../../src/formats/image.js';
import { decodeWav } from '../../src/formats/wav.js';
import { pcc } from '../../src/metrics/quality.js';
import { call, expectStatus, makePng, makeWav, multipart, problem } from './helpers.js';

/** Decode and re-encode as JPEG at `quality` (jpeg-js: a different encoder from the one embed used). */
async function reencode(bytes: Uint8Array, quality: number): Promise<Uint8Array> {
  const { width, height, data } = await decodeImage(bytes);
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) rgba.set([data[i * 3]!, data[i * 3 + 1]!, data[i * 3 + 2]!, 255], i * 4);
  const out = jpeg.encode({ width, height, data: rgba }, quality).data;
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

describe('scheme=robust', () => {
  it('fits, writes a JPEG, survives a quality-70 re-encode, and counts its frames; a wrong key finds nothing', async () => {
    const embedded = await call(
      multipart('/api/embed', {
        image: makePng(1000, 750, 4),
        audio: makeWav(2, 8000, 5),
        scheme: 'robust',
        fit: '800',
        format: 'jpeg',
        key: 'k',
      }),
    );
    await expectStatus(embedded, 200);
    expect(embedded.headers.get('content-type')).toBe('image/jpeg');
    expect(embedded.headers.get('x-stego-scheme')).toBe('robust');
    const container = new Uint8Array(await embedded.arrayBuffer());
    const { width, height } = await decodeImage(container);
    expect([width, height]).toEqual([800, 600]);
    const shared = await reencode(container, 70);
    const revealed = await call(multipart('/api/reveal', { image: shared, key: 'k' }));
    await expectStatus(revealed, 200);
    expect(revealed.headers.get('x-stego-scheme')).toBe('robust');
    const frames = Number(revealed.headers.get('x-stego-frames'));
    expect(frames).toBeGreaterThan(0);
    expect(Number(revealed.headers.get('x-stego-frames-lost'))).toBeLessThanOrEqual(frames / 10);
    const samples = decodeWav(new Uint8Array(await revealed.arrayBuffer())).samples;
    expect(samples.length).toBe(16000);
    const original = decodeWav(makeWav(2, 8000, 5)).samples;
    // A vocoder is not waveform-matched above 850 Hz; the low band it codes waveform-exactly still correlates.
    expect(pcc(original, samples)).toBeGreaterThan(0.3);
    const wrong = await call(multipart('/api/reveal', { image: shared, key: 'K' }));
    expect(wrong.status).toBe(422);
    expect(await problem(wrong)).toMatchObject({ code: 'no_payload' });
  });

  it('refuses a JPEG container for the other schemes, and a bad fit, with 400', async () => {
    const image = makePng(128, 96, 2);
    for (const fields of [{ format: 'jpeg' }, { format: 'gif' }, { fit: '10' }, { fit: 'big' }]) {
      const response = await call(multipart('/api/embed', { image, audio: makeWav(0.2), scheme: 'coded', ...fields }));
      expect(response.status, JSON.stringify(fields)).toBe(400);
      expect(await problem(response)).toMatchObject({ code: 'bad_request' });
    }
  });
});

describe('phone photos for the robust scheme', () => {
  it('takes a 1600×1200 photo whole (past the 1 MP limit of the other schemes) and reveals its JPEG', async () => {
    const photo = makePng(1600, 1200, 8);
    const capacity = (await (await call('/api/capacity?width=1600&height=1200')).json()) as {
      robust: { seconds: number; maxPixels?: number };
    };
    expect(capacity.robust).toMatchObject({ maxPixels: 2_200_000 });
    expect(capacity.robust.seconds).toBeGreaterThan(10);
    const neural = await call(multipart('/api/embed', { image: photo, audio: makeWav(1, 8000, 3) }));
    expect(neural.status).toBe(413);
    const embedded = await call(
      multipart('/api/embed', { image: photo, audio: makeWav(3, 8000, 3), scheme: 'robust' }),
    );
    await expectStatus(embedded, 200);
    const container = new Uint8Array(await embedded.arrayBuffer());
    const { width, height } = await decodeImage(container, { maxPixels: 4e6 });
    expect([width, height]).toEqual([1600, 1200]);
    const revealed = await call(multipart('/api/reveal', { image: await reencode(container, 75) }));
    await expectStatus(revealed, 200);
    expect(revealed.headers.get('x-stego-seconds')).toBe('3');
  });
});
