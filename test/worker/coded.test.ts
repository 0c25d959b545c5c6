// The coded scheme through workerd: scheme=coded on /api/embed, reveal detecting it from the header, the key, and
// its 4xx answers (an unknown scheme, an altered container).
import { describe, expect, it } from 'vitest';
import { decodeImage, encodePng } from '../../src/formats/image.js';
import { decodeWav } from '../../src/formats/wav.js';
import { CODED_START } from '../../src/schemes/coded/payload.js';
import { pcc } from '../../src/metrics/quality.js';
import { call, expectStatus, makePng, makeWav, multipart, problem } from './helpers.js';

describe('scheme=coded', () => {
  it('embeds without the nets, reveals by itself from the header, and the key keeps the voice from anyone without it', async () => {
    const cover = makePng(160, 96, 7);
    const original = decodeWav(makeWav(2, 8000, 3)).samples;
    const embedded = await call(multipart('/api/embed', { image: cover, audio: makeWav(2, 8000, 3), scheme: 'coded', key: 'k-1' }));
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
      await expectStatus(wrong, 200);
      expect(Math.abs(pcc(original, decodeWav(new Uint8Array(await wrong.arrayBuffer())).samples)), `key ${String(key)}`).toBeLessThan(0.1);
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
