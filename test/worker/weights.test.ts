/** Which weights serve: R2 when it holds a verified copy, the bundled copy otherwise, 503 when neither; via /api/health. */
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import bundledManifest from '../../weights/manifest.json';
import type { AppEnv } from '../../worker/config.js';
import { ensureBackend } from '../../worker/tf-backend.js';
import { call, type EnvOverrides, problem, uniquePrefix } from './helpers.js';
import { transparentWeights } from './transparent-weights.js';

const WEIGHTS = (env as AppEnv).WEIGHTS;

/**
 * The weights R2 tests upload: the transparent test weights, valid for the current model whatever state the bundled
 * placeholder is in (so these tests fail only for what they test).
 */
let r2Weights: { manifest: object; bin: Uint8Array };
beforeAll(async () => {
  await ensureBackend();
  r2Weights = await transparentWeights();
});

/** Puts a weights pair under `prefix`, with the manifest edited by `edit` and the binary by `corrupt`. */
async function putWeights(
  prefix: string,
  edit: (m: Record<string, unknown>) => object = (m) => m,
  corrupt: (b: Uint8Array) => void = () => undefined,
): Promise<void> {
  const binary = r2Weights.bin.slice();
  corrupt(binary);
  await WEIGHTS.put(`${prefix}model.bin`, binary);
  await WEIGHTS.put(
    `${prefix}manifest.json`,
    JSON.stringify(edit(structuredClone(r2Weights.manifest) as Record<string, unknown>)),
  );
}

async function health(overrides: EnvOverrides) {
  const response = await call('/api/health', overrides);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  return (await response.json()) as {
    ok: boolean;
    backend: string;
    model: { version: string; sha256: string; source: string; reason?: string };
  };
}

describe('weights source', () => {
  it('serves the bundled copy when R2 has no weights, and says why', async () => {
    const body = await health({ WEIGHTS_PREFIX: uniquePrefix('empty') });
    expect(body.ok).toBe(true);
    expect(body.backend).toBe('wasm');
    expect(body.model).toMatchObject({
      version: bundledManifest.version,
      sha256: bundledManifest.sha256,
      source: 'bundled',
    });
    expect(body.model.reason).toMatch(/R2 has no .*manifest\.json/);
  });

  it('serves the R2 copy once it is uploaded', async () => {
    const prefix = uniquePrefix('r2');
    // A distinct version string proves the manifest came from R2.
    await putWeights(prefix, (m) => ({ ...m, version: 'test-from-r2' }));
    const body = await health({ WEIGHTS_PREFIX: prefix });
    expect(body.model).toEqual({
      version: 'test-from-r2',
      sha256: (r2Weights.manifest as { sha256: string }).sha256,
      source: 'r2',
    });
  });

  it('serves an R2 copy in the older format version 1 (values in a row), and refuses an unknown version', async () => {
    // Version 2 stores byte planes (most significant first); version 1 each value little-endian in turn.
    const m = r2Weights.manifest as { dtype: string; sha256: string };
    const bytesPer = m.dtype === 'float16' ? 2 : 4;
    const planes = r2Weights.bin;
    const total = planes.length / bytesPer;
    const v1 = new Uint8Array(planes.length);
    for (let i = 0; i < total; i++)
      for (let b = 0; b < bytesPer; b++) v1[i * bytesPer + b] = planes[(bytesPer - 1 - b) * total + i]!;
    const digest = await crypto.subtle.digest('SHA-256', v1);
    const sha256 = Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
    const prefix = uniquePrefix('v1');
    await WEIGHTS.put(`${prefix}model.bin`, v1);
    await WEIGHTS.put(
      `${prefix}manifest.json`,
      JSON.stringify({ ...m, formatVersion: 1, sha256, version: 'test-format-1' }),
    );
    expect((await health({ WEIGHTS_PREFIX: prefix })).model).toEqual({
      version: 'test-format-1',
      sha256,
      source: 'r2',
    });

    const unknown = uniquePrefix('v9');
    await putWeights(unknown, (x) => ({ ...x, formatVersion: 9, version: 'test-format-9' }));
    const body = await health({ WEIGHTS_PREFIX: unknown });
    expect(body.model).toMatchObject({ version: bundledManifest.version, source: 'bundled' });
    expect(body.model.reason).toMatch(/format version 9 is not supported/);
  });

  it('falls back to the bundled copy when the R2 binary is corrupted (sha256 mismatch)', async () => {
    const prefix = uniquePrefix('corrupt');
    await putWeights(
      prefix,
      (m) => ({ ...m, version: 'test-corrupt' }),
      (b) => {
        b[1000] = b[1000]! ^ 0xff;
      },
    );
    const body = await health({ WEIGHTS_PREFIX: prefix });
    expect(body.model).toMatchObject({ version: bundledManifest.version, source: 'bundled' });
    expect(body.model.reason).toMatch(/failed verification: .*sha256/);
  });

  it('falls back to the bundled copy when the R2 manifest is not valid JSON', async () => {
    const prefix = uniquePrefix('badjson');
    await WEIGHTS.put(`${prefix}manifest.json`, '{"format": "stegavox-weights", ');
    await WEIGHTS.put(`${prefix}model.bin`, r2Weights.bin);
    const body = await health({ WEIGHTS_PREFIX: prefix });
    expect(body.model.source).toBe('bundled');
    expect(body.model.reason).toMatch(/unreadable/);
  });

  it('falls back to the bundled copy when the R2 binary is missing', async () => {
    const prefix = uniquePrefix('nobin');
    await WEIGHTS.put(`${prefix}manifest.json`, JSON.stringify(r2Weights.manifest));
    const body = await health({ WEIGHTS_PREFIX: prefix });
    expect(body.model.source).toBe('bundled');
    expect(body.model.reason).toMatch(/R2 has no .*model\.bin/);
  });

  it('falls back to the bundled copy when R2 itself fails (fault injection: a bucket whose reads throw)', async () => {
    const failing = {
      get: () => Promise.reject(new Error('R2 is unavailable')),
    } as unknown as R2Bucket;
    const body = await health({ WEIGHTS: failing, WEIGHTS_PREFIX: uniquePrefix('down') });
    expect(body.model.source).toBe('bundled');
    expect(body.model.reason).toMatch(/R2 is unavailable/);
  });

  it('picks up a new version in R2 after the recheck interval, and recovers from a fallback', async () => {
    const prefix = uniquePrefix('update');
    const overrides = { WEIGHTS_PREFIX: prefix, WEIGHTS_RECHECK_SECONDS: '0' };
    expect((await health(overrides)).model.source).toBe('bundled');
    await putWeights(prefix, (m) => ({ ...m, version: 'test-v1' }));
    expect((await health(overrides)).model).toMatchObject({ version: 'test-v1', source: 'r2' });
    await putWeights(prefix, (m) => ({ ...m, version: 'test-v2' }));
    expect((await health(overrides)).model).toMatchObject({ version: 'test-v2', source: 'r2' });
  });

  it('keeps the memoised model until the recheck interval has passed', async () => {
    const prefix = uniquePrefix('memo');
    const overrides = { WEIGHTS_PREFIX: prefix, WEIGHTS_RECHECK_SECONDS: '3600' };
    await putWeights(prefix, (m) => ({ ...m, version: 'test-memo-1' }));
    expect((await health(overrides)).model.version).toBe('test-memo-1');
    await putWeights(prefix, (m) => ({ ...m, version: 'test-memo-2' }));
    expect((await health(overrides)).model.version).toBe('test-memo-1');
  });

  it('answers 503 no_weights when R2 has none and the bundled fallback is disabled (test-only switch)', async () => {
    const response = await call('/api/health', {
      WEIGHTS_PREFIX: uniquePrefix('none'),
      TEST_ONLY_DISABLE_BUNDLED_WEIGHTS: '1',
    });
    expect(response.status).toBe(503);
    const body = await problem(response);
    expect(body).toMatchObject({ status: 503, code: 'no_weights', title: 'No usable model weights' });
    expect(body.detail).toMatch(/R2 has no/);
  });

  it('keeps serving the verified R2 model when R2 loses it and there is nothing better', async () => {
    const prefix = uniquePrefix('keep');
    const overrides = { WEIGHTS_PREFIX: prefix, WEIGHTS_RECHECK_SECONDS: '0', TEST_ONLY_DISABLE_BUNDLED_WEIGHTS: '1' };
    await putWeights(prefix, (m) => ({ ...m, version: 'test-keep' }));
    expect((await health(overrides)).model).toMatchObject({ version: 'test-keep', source: 'r2' });
    await WEIGHTS.delete([`${prefix}manifest.json`, `${prefix}model.bin`]);
    expect((await health(overrides)).model).toMatchObject({ version: 'test-keep', source: 'r2' });
  });

  it('retries after a failed load instead of caching the failure', async () => {
    const prefix = uniquePrefix('retry');
    const overrides = { WEIGHTS_PREFIX: prefix, TEST_ONLY_DISABLE_BUNDLED_WEIGHTS: '1' };
    expect((await call('/api/health', overrides)).status).toBe(503);
    await putWeights(prefix, (m) => ({ ...m, version: 'test-after-retry' }));
    expect((await health(overrides)).model).toMatchObject({ version: 'test-after-retry', source: 'r2' });
  });
});
