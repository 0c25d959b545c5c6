/** The worker's output equals the Node pipeline's (CLI path: wasm backend, shared loader) byte for byte, but for the sealed header's random bits. */
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import type { AppEnv } from '../../worker/config.js';
import { HEADER_VALUES } from '../../src/container/header.js';
import { decodeImage } from '../../src/formats/image.js';
import { call, multipart, uniquePrefix } from './helpers.js';
import type { Outcome } from './node-reference.js';

const fromBase64 = (s: string) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));

/** The worker's response as an {@link Outcome}: body bytes on 200, the problem's code and detail otherwise. */
async function outcomeOf(response: Response): Promise<Outcome> {
  if (response.status === 200)
    return {
      ok: btoa(Array.from(new Uint8Array(await response.arrayBuffer()), (b) => String.fromCharCode(b)).join('')),
    };
  const body = (await response.json()) as { code: string; detail: string };
  return { error: { code: body.code, detail: body.detail } };
}

describe('worker = Node pipeline', () => {
  const { cases, transparent, bundledError } = inject('nodeReference');
  // Bundled: a prefix with nothing in R2. Transparent: the Node run's test weights uploaded to R2, as a user would.
  const prefixes = { bundled: uniquePrefix('parity-bundled'), transparent: uniquePrefix('parity-transparent') };

  beforeAll(async () => {
    const bucket = (env as AppEnv).WEIGHTS;
    await bucket.put(`${prefixes.transparent}model.bin`, fromBase64(transparent.bin));
    await bucket.put(`${prefixes.transparent}manifest.json`, transparent.manifest);
  });

  it('the bundled weights load in Node', () => {
    expect(bundledError).toBeUndefined();
  });

  it('has reference cases, including successful reveals', () => {
    expect(cases.filter((c) => c.weights === 'transparent').length).toBe(3);
    expect(cases.filter((c) => c.quality === 'high').length).toBe(2);
    expect(cases.filter((c) => c.reveal && 'ok' in c.reveal).length).toBeGreaterThanOrEqual(2);
  });

  for (const ref of cases) {
    it(`${ref.name}: same container PNG and same reveal outcome`, async () => {
      const overrides = { WEIGHTS_PREFIX: prefixes[ref.weights] };
      const embedded = await call(
        multipart('/api/embed', {
          image: fromBase64(ref.image),
          audio: fromBase64(ref.audio),
          key: ref.key,
          quality: ref.quality,
        }),
        overrides,
      );
      if (embedded.status === 200) expect(embedded.headers.get('x-stego-model')).toBe(ref.modelVersion);
      const embed = await outcomeOf(embedded);
      if (!('ok' in embed) || !('ok' in ref.embed)) {
        expect(embed).toEqual(ref.embed);
        return;
      }
      // Each container seals its header under a fresh random salt, so the header values' LSBs differ between any two
      // runs; every other bit must be the Node pipeline's.
      const [mine, theirs] = [await decodeImage(fromBase64(embed.ok)), await decodeImage(fromBase64(ref.embed.ok))];
      expect([mine.width, mine.height]).toEqual([theirs.width, theirs.height]);
      for (let i = 0; i < HEADER_VALUES; i++) expect(mine.data[i]! >> 1, `value ${i}`).toBe(theirs.data[i]! >> 1);
      expect(mine.data.subarray(HEADER_VALUES)).toEqual(theirs.data.subarray(HEADER_VALUES));
      // The worker reveals the Node container to the same bytes (or the same refusal).
      const revealed = await call(
        multipart('/api/reveal', { image: fromBase64(ref.embed.ok), key: ref.key }),
        overrides,
      );
      expect(await outcomeOf(revealed)).toEqual(ref.reveal);
    });
  }
});
