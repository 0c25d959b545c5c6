/** Checks a worker response against the OpenAPI document: status, media type, body schema and documented headers. */
import { Validator, type OutputUnit } from '@cfworker/json-schema';
import { openApiDocument } from '../../worker/openapi.js';

/** The base URI the document's `$ref`s resolve against inside the validator (any absolute URI would do). */
const DOC_ID = 'https://stegavox.test/openapi.json';

type Schema = Record<string, unknown>;
interface MediaType {
  schema?: Schema;
}
interface DocResponse {
  headers?: Record<string, { required?: boolean; schema: Schema }>;
  content?: Record<string, MediaType>;
}
interface Operation {
  responses: Record<string, DocResponse>;
}
type PathItem = Record<string, Operation>;

// A copy: the validator annotates the schema objects it indexes, and the worker's document must stay untouched.
const doc = structuredClone(openApiDocument()) as unknown as { paths: Record<string, PathItem> };
const validators = new Map<string, Validator>();

/** A validator for the schema at `pointer` in the document, its `$ref`s resolved within the document. */
function validatorAt(pointer: string): Validator {
  let validator = validators.get(pointer);
  if (!validator) {
    validator = new Validator({ $ref: `${DOC_ID}#${pointer}` }, '2020-12', false);
    validator.addSchema(doc as unknown as Schema, DOC_ID);
    validators.set(pointer, validator);
  }
  return validator;
}

/** `value` against the schema at `pointer`; throws with every error the validator reports. */
export function assertSchema(value: unknown, pointer: string, what: string): void {
  const result = validatorAt(pointer).validate(value);
  if (!result.valid)
    throw new Error(
      `${what} does not match the OpenAPI document (${pointer}):\n${result.errors.map(describe).join('\n')}\n${JSON.stringify(value).slice(0, 500)}`,
    );
}

function describe(error: OutputUnit): string {
  return `  ${error.instanceLocation}: ${error.error} (${error.keywordLocation})`;
}

const escape = (segment: string) => segment.replace(/~/g, '~0').replace(/\//g, '~1');

/** The document's path template matching `pathname` (`/problems/{code}` for `/problems/too_long`), if any. */
export function pathTemplate(pathname: string): string | undefined {
  return Object.keys(doc.paths).find((template) =>
    new RegExp(`^${template.replace(/[.]/g, '\\.').replace(/\{[^}]+\}/g, '[^/]+')}$`).test(pathname),
  );
}

/**
 * Asserts that `response`, the worker's answer to `request`, is one the document describes: a documented status of
 * the operation, a documented media type, a body matching its schema (JSON and problem bodies validated; PNG, WAV and
 * HTML recognised by their first bytes), every required header present and matching its schema. Unknown paths must
 * be 404 problems, undocumented methods 405 problems with Allow, and CORS preflights 204: the rules the document's
 * description states for every path. Problem documents must also carry the response's status and a `type` that is
 * this worker's page for their code. Reads a clone: `response` stays unread.
 */
export async function checkAgainstOpenApi(request: Request, response: Response): Promise<void> {
  const url = new URL(request.url);
  const method = request.method.toLowerCase();
  const where = `${request.method} ${url.pathname} → ${response.status}`;
  const template = pathTemplate(url.pathname);
  const operation = template === undefined ? undefined : doc.paths[template]![method];
  if (template === undefined || !operation) {
    if (template !== undefined && method === 'options' && request.headers.has('access-control-request-method')) {
      if (response.status !== 204) throw new Error(`${where}: a CORS preflight should answer 204`);
      return;
    }
    const expected = template === undefined ? 404 : 405;
    if (response.status !== expected) throw new Error(`${where}: expected ${expected} for an undocumented route`);
    if (expected === 405 && !response.headers.get('allow')) throw new Error(`${where}: 405 without an Allow header`);
    await checkProblem(response, '/components/schemas/Problem', where, url);
    return;
  }
  const base = `/paths/${escape(template)}/${method}/responses/${response.status}`;
  const documented = operation.responses[String(response.status)];
  if (!documented) throw new Error(`${where}: status not documented for this operation: ${await bodyOf(response)}`);
  for (const [name, spec] of Object.entries(documented.headers ?? {})) {
    const value = response.headers.get(name);
    if (value === null) {
      if (spec.required) throw new Error(`${where}: documented header ${name} is missing`);
      continue;
    }
    const numeric = spec.schema.type === 'number' || spec.schema.type === 'integer';
    assertSchema(numeric ? Number(value) : value, `${base}/headers/${escape(name)}/schema`, `${where} header ${name}`);
  }
  const contentType = response.headers.get('content-type');
  if (!documented.content) {
    if ((await response.clone().arrayBuffer()).byteLength !== 0) throw new Error(`${where}: undocumented body`);
    return;
  }
  const mediaType = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (!documented.content[mediaType])
    throw new Error(
      `${where}: content type ${contentType} not documented (${Object.keys(documented.content).join(', ')})`,
    );
  const schemaPointer = `${base}/content/${escape(mediaType)}/schema`;
  if (mediaType === 'application/problem+json') return checkProblem(response, schemaPointer, where, url);
  if (mediaType === 'application/json')
    return assertSchema(await response.clone().json(), schemaPointer, `${where} body`);
  const bytes = new Uint8Array(await response.clone().arrayBuffer());
  const magic = MAGIC[mediaType];
  if (magic && !magic(bytes)) throw new Error(`${where}: the body is not ${mediaType}`);
}

/** Recognisers for the binary and text media types the document names. */
const MAGIC: Record<string, (bytes: Uint8Array) => boolean> = {
  'image/png': (b) => b.length > 8 && b[0] === 0x89 && ascii(b, 1, 4) === 'PNG',
  'image/jpeg': (b) => b.length > 4 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff,
  'audio/wav': (b) => b.length > 12 && ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 12) === 'WAVE',
  'text/html': (b) => ascii(b, 0, 15).toLowerCase() === '<!doctype html>',
};

function ascii(bytes: Uint8Array, from: number, to: number): string {
  return String.fromCharCode(...bytes.subarray(from, to));
}

async function checkProblem(response: Response, pointer: string, where: string, url: URL): Promise<void> {
  if (!response.headers.get('content-type')?.startsWith('application/problem+json'))
    throw new Error(`${where}: expected application/problem+json, got ${response.headers.get('content-type')}`);
  const body = (await response.clone().json()) as { status: number; code: string; type: string };
  assertSchema(body, pointer, `${where} problem`);
  if (body.status !== response.status) throw new Error(`${where}: the problem says status ${body.status}`);
  const type = `${url.origin}/problems/${body.code}`;
  if (body.type !== type) throw new Error(`${where}: problem type ${body.type}, expected ${type}`);
}

async function bodyOf(response: Response): Promise<string> {
  return (await response.clone().text()).slice(0, 500);
}
