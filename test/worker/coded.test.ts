// The coded scheme through workerd: scheme=coded on /api/embed, reveal detecting it from the header, the key, and
// its 4xx answers (an unknown scheme, an altered container).
import { describe, expect, it } from 'vitest';
import { decodeImage, encodePng } from '../../src/formats/image.js';
import { decodeWav } from '../../src/formats/wav.js';
import { CODED_START } from '../../src/schemes/coded/payload.js';
import { pcc } from '../../src/metrics/quality.js';
import { call, expectStatus, makePng, makeWav, multipart, problem, uniquePrefix } from './helpers.js';

describe('scheme=coded', () => {
  it('embeds without the nets, reveals by itself from the header, and the key keeps the voice from anyone without it', async () => {
    const cover = makePng(160, 96, 7);
    const original = decodeWav(makeWav(2, 8000, 3)).samples;
    const embedded = await call(
      multipart('/api/embed', { image: cover, audio: makeWav(2, 8000, 3), scheme: 'coded', key: 'k-1' }),
    );
    await expectStatus(embedded, 200);
    expect(embedded.headers.get('x-stego-scheme')).toBe('coded');
    expect(embedded.headers.get('x-stego-spread-rate')).toBe('8000');
    expect(embedded.headers.has('x-stego-model')).toBe(false);
    const container = new Uint8Array(await embedded.arrayBuffer());
    const right = await call(multipart('/api/reveal', { image: container, key: 'k-1' }));
    await expectStatus(right, 200);
    expect(right.headers.get('x-stego-scheme')).toBe('coded');
    expect(right.headers.get('x-stego-seconds')).toBe('2');
    expect(right.headers.has('x-stego-model')).toBe(false);
    expect(pcc(original, decodeWav(new Uint8Array(await right.arrayBuffer())).samples)).toBeGreaterThan(0.99);
    for (const key of ['k-2', undefined]) {
      const wrong = await call(multipart('/api/reveal', { image: container, key }));
      expect(wrong.status, `key ${String(key)}`).toBe(422);
      expect(await problem(wrong)).toMatchObject({ code: 'no_payload' });
    }
  });

  it('refuses an unknown scheme (400) and a container whose carrying pixels changed (422), as problem+json', async () => {
    const cover = makePng(96, 64, 2);
    const bad = await call(multipart('/api/embed', { image: cover, audio: makeWav(0.5), scheme: 'lsb' }));
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await problem(bad)).toMatchObject({ code: 'bad_request' });
    const embedded = await call(multipart('/api/embed', { image: cover, audio: makeWav(0.5), scheme: 'coded' }));
    await expectStatus(embedded, 200);
    const container = await decodeImage(new Uint8Array(await embedded.arrayBuffer()));
    container.data[CODED_START + 10] = container.data[CODED_START + 10]! ^ 1;
    const altered = await call(multipart('/api/reveal', { image: encodePng(container) }));
    expect(altered.status).toBe(422);
    expect(await problem(altered)).toMatchObject({ code: 'damaged_payload' });
  });
});

describe('a scheme without nets needs no weights', () => {
  it('embeds and reveals with the coded scheme on an isolate where no weights load, while the nets answer 503', async () => {
    // A prefix R2 has never held, and the bundled copy switched off: no model can load at all.
    const none = { WEIGHTS_PREFIX: uniquePrefix('coded-no-weights'), TEST_ONLY_DISABLE_BUNDLED_WEIGHTS: '1' };
    const cover = makePng(128, 96, 5);
    const original = decodeWav(makeWav(1, 8000, 9)).samples;
    const embedded = await call(
      multipart('/api/embed', { image: cover, audio: makeWav(1, 8000, 9), scheme: 'coded', key: 'k' }),
      none,
    );
    await expectStatus(embedded, 200);
    expect(embedded.headers.get('x-stego-scheme')).toBe('coded');
    const container = new Uint8Array(await embedded.arrayBuffer());
    const revealed = await call(multipart('/api/reveal', { image: container, key: 'k' }), none);
    await expectStatus(revealed, 200);
    expect(pcc(original, decodeWav(new Uint8Array(await revealed.arrayBuffer())).samples)).toBeGreaterThan(0.99);
    // A 16 kHz upload is resampled on the tfjs backend, which needs no weights either.
    const resampled = await call(
      multipart('/api/embed', { image: cover, audio: makeWav(1, 16000, 9), scheme: 'coded' }),
      none,
    );
    await expectStatus(resampled, 200);
    const neural = await call(multipart('/api/embed', { image: cover, audio: makeWav(1, 16000, 9) }), none);
    expect(neural.status).toBe(503);
    expect(await problem(neural)).toMatchObject({ code: 'no_weights' });
  });
});
