/** The committed hostile-input corpus (test/corpus/expected.json) against the worker: every case gets its expected status and problem code. */
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { decodeImage } from '../../src/formats/image.js';
import { decodeWav } from '../../src/formats/wav.js';
import { pcc } from '../../src/metrics/quality.js';
import type { CorpusCase } from '../corpus/types.js';
import { call, multipart, ORIGIN, problem, withTransparentWeights } from './helpers.js';

const { cases, files } = inject('corpus');

function bytes(path: string): Uint8Array {
  const b64 = files[path];
  if (b64 === undefined) throw new Error(`the corpus setup did not provide ${path}`);
  return Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0));
}

function request(c: CorpusCase): Request {
  if (c.body) {
    const headers: Record<string, string> = c.body.contentType === null ? {} : { 'content-type': c.body.contentType };
    return new Request(ORIGIN + c.route, {
      method: 'POST',
      headers,
      body: bytes(c.body.file) as Uint8Array<ArrayBuffer>,
    });
  }
  const fields: Record<string, Uint8Array | string> = {};
  for (const [name, path] of Object.entries(c.files ?? {})) fields[name] = bytes(path);
  Object.assign(fields, c.texts ?? {});
  return multipart(c.route, fields);
}

// Reveal's positive controls were made with the transparent test weights (see make-corpus.ts); serving them keeps
// the outcomes independent of the state of the trained weights.
let weightsPrefix = '';
beforeAll(async () => {
  weightsPrefix = await withTransparentWeights('corpus');
});

describe(`hostile-input corpus (${cases.length} cases)`, () => {
  it('has cases of every kind the issue lists', async () => {
    const statuses = new Set(cases.map((c) => c.expect.status));
    for (const s of [200, 400, 413, 415, 422]) expect(statuses, `no case expects ${s}`).toContain(s);
    expect(cases.filter((c) => c.route === '/api/reveal' && c.expect.status === 422).length).toBeGreaterThanOrEqual(5);
  });

  it.each(
    cases.map(
      (c) => [`${c.route} ${c.name} → ${c.expect.status}${c.expect.code ? ` ${c.expect.code}` : ''}`, c] as const,
    ),
  )('%s', async (_, c) => {
    const response = await call(request(c), { WEIGHTS_PREFIX: weightsPrefix, ...c.env });
    if (response.status !== c.expect.status)
      throw new Error(`expected ${c.expect.status}, got ${response.status}: ${(await response.text()).slice(0, 500)}`);
    if (c.expect.status !== 200) {
      const body = await problem(response);
      expect(body.code, body.detail).toBe(c.expect.code);
      expect(body.status).toBe(c.expect.status);
      expect(body.detail.length).toBeGreaterThan(0);
      return;
    }
    const out = new Uint8Array(await response.arrayBuffer());
    if (c.expect.seconds !== undefined) expect(Number(response.headers.get('x-stego-seconds'))).toBe(c.expect.seconds);
    if (c.route === '/api/embed') {
      expect(response.headers.get('content-type')).toBe('image/png');
      const container = await decodeImage(out);
      if (c.expect.size) expect([container.width, container.height]).toEqual(c.expect.size);
      return;
    }
    expect(response.headers.get('content-type')).toBe('audio/wav');
    const wav = decodeWav(out);
    expect(wav.sampleRate).toBe(8000);
    if (c.expect.seconds !== undefined) expect(wav.samples.length).toBe(Math.round(c.expect.seconds * 8000));
    if (c.expect.sameAs) expect(pcc(wav.samples, decodeWav(bytes(c.expect.sameAs)).samples)).toBeGreaterThan(0.9);
    if (c.expect.unrelatedTo)
      expect(Math.abs(pcc(wav.samples, decodeWav(bytes(c.expect.unrelatedTo)).samples))).toBeLessThan(0.2);
  });
});
