/** Helpers for the workerd tests: synthetic PNG/WAV fixtures (real codecs), multipart requests, direct worker calls. */
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import type { AppEnv } from '../../worker/config.js';
import worker from '../../worker/index.js';
import { ensureBackend } from '../../worker/tf-backend.js';
import { checkAgainstOpenApi } from './openapi-check.js';
import { transparentWeights } from './transparent-weights.js';

export { makePng, makeSamples, makeWav, prng } from './fixtures.js';

/** Base URL for requests made straight to the worker's fetch handler. */
export const ORIGIN = 'http://stegavox.test';

/** A multipart POST with the given fields; files become Blobs with a filename. */
export function multipart(
  path: string,
  fields: Record<string, Uint8Array | string | undefined>,
  headers: Record<string, string> = {},
): Request {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    if (typeof value === 'string') form.append(name, value);
    else form.append(name, new Blob([value as Uint8Array<ArrayBuffer>]), `${name}.bin`);
  }
  return new Request(ORIGIN + path, { method: 'POST', body: form, headers });
}

/** Env values a test may override: vars as any string (wrangler types them as their configured literals). */
export type EnvOverrides = {
  [K in keyof AppEnv]?: AppEnv[K] extends string | undefined ? string : AppEnv[K] | undefined;
};

/**
 * Calls the worker's fetch handler directly with the test env plus `overrides` (vars, a different R2 prefix...), and
 * checks the response against the OpenAPI document (openapi-check.ts), so every test's every response, errors
 * included, also tests the document. `callUnchecked` skips the check, for a test that wants an undocumented answer.
 */
export async function call(request: Request | string, overrides: EnvOverrides = {}): Promise<Response> {
  const req = typeof request === 'string' ? new Request(ORIGIN + request) : request;
  const response = await callUnchecked(req, overrides);
  await checkAgainstOpenApi(req, response);
  return response;
}

/** {@link call} without the OpenAPI check. */
export async function callUnchecked(request: Request | string, overrides: EnvOverrides = {}): Promise<Response> {
  const req = typeof request === 'string' ? new Request(ORIGIN + request) : request;
  const ctx = createExecutionContext();
  const response = await worker.fetch(req, { ...(env as AppEnv), ...overrides } as AppEnv, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

/** Asserts the status, showing the body when it differs. */
export async function expectStatus(response: Response, status: number): Promise<void> {
  if (response.status !== status)
    throw new Error(`expected ${status}, got ${response.status}: ${await response.clone().text()}`);
}

/** The parsed problem document of an error response, after checking its media type. */
export async function problem(
  response: Response,
): Promise<{ type: string; title: string; status: number; detail: string; code: string }> {
  if (!response.headers.get('content-type')?.startsWith('application/problem+json'))
    throw new Error(
      `expected application/problem+json, got ${response.headers.get('content-type')} (${response.status}): ${await response.text()}`,
    );
  return response.json();
}

/** A fresh R2 prefix, so each test sees its own weights objects and its own memoised model. */
let prefixCounter = 0;
export function uniquePrefix(label: string): string {
  return `test/${label}-${++prefixCounter}-${Math.random().toString(36).slice(2, 8)}/`;
}

/** Uploads the test-only transparent weights (see transparent-weights.ts) under a fresh R2 prefix and returns it. */
export async function withTransparentWeights(label: string): Promise<string> {
  const prefix = uniquePrefix(label);
  await ensureBackend(); // the weights are measured from the model's own functions, on the worker's backend
  const { manifest, bin } = await transparentWeights();
  const bucket = (env as AppEnv).WEIGHTS;
  await bucket.put(`${prefix}model.bin`, bin);
  await bucket.put(`${prefix}manifest.json`, JSON.stringify(manifest));
  return prefix;
}
