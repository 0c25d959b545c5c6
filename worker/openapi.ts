/** The OpenAPI 3.1 description of the worker, written by hand from the routes; enums come from the code that parses them. */
import { DENOISE_SETTINGS } from '../src/audio/denoise.js';
import { CONTAINER_FORMATS } from '../src/pipeline/index.js';
import { DEFAULT_SCHEME, SCHEME_NAMES } from '../src/schemes/registry.js';
import { QUALITIES } from '../src/schemes/scheme.js';
import { EXPOSED_HEADERS } from './http/cors.js';
import { PROBLEM_CODES, problemKind, type ProblemCode } from './http/problem-catalogue.js';
import { RETRY_AFTER_SECONDS } from './http/rate-limit.js';
import { MAX_SIDE } from './routes/capacity.js';
import { KEY_MAX_LENGTH } from './routes/common.js';

/** A JSON value (the document is plain data, served as JSON). */
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
/** A JSON object. */
type JsonObject = { [key: string]: Json };

/** The OpenAPI version the document follows. */
export const OPENAPI_VERSION = '3.1.0';

/** The `fit` field's range, as worker/routes/embed.ts checks it (openapi.test.ts sends both ends to keep them equal). */
export const FIT_RANGE = [64, 4096] as const;

const ref = (name: string): JsonObject => ({ $ref: `#/components/schemas/${name}` });

/** A documented response header; `required` ones are on every response of that status. */
function header(description: string, schema: JsonObject, required = true): JsonObject {
  return { description, required, schema };
}

/**
 * The problem responses an operation can give: for each status, the codes it can carry (the document's schema for
 * that status pins `status` and the `code` enum, so a client generator gets exact types and the tests catch an
 * undocumented code).
 */
function problems(codes: ProblemCode[]): Record<string, JsonObject> {
  const byStatus = new Map<number, ProblemCode[]>();
  for (const code of codes) {
    const status = problemKind(code)!.status;
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const out: Record<string, JsonObject> = {};
  for (const [status, list] of [...byStatus].sort(([a], [b]) => a - b)) {
    const response: JsonObject = {
      description: list.map((code) => `\`${code}\`: ${problemKind(code)!.title}`).join('; '),
      content: {
        'application/problem+json': {
          schema: {
            allOf: [ref('Problem'), { properties: { status: { const: status }, code: { enum: list } } }],
          },
        },
      },
    };
    if (status === 401)
      response.headers = { 'WWW-Authenticate': header('`Bearer realm="stegavox"`', { type: 'string' }) };
    if (status === 429)
      response.headers = {
        'Retry-After': header(`Seconds to wait before sending again (${RETRY_AFTER_SECONDS}).`, {
          type: 'integer',
          minimum: 1,
        }),
      };
    out[String(status)] = response;
  }
  return out;
}

/** The X-Stego-* headers both hiding endpoints set. */
const COMMON_STEGO_HEADERS: Record<string, JsonObject> = {
  'X-Stego-Seconds': header('Duration of the hidden clip, in seconds (millisecond precision).', {
    type: 'number',
    minimum: 0,
  }),
  'X-Stego-Scheme': header('The scheme that hid the clip (at reveal: read from the container).', {
    type: 'string',
    enum: [...SCHEME_NAMES],
  }),
  'X-Stego-Model': header(
    'Version of the weights that ran; absent for a scheme that runs no model (coded).',
    { type: 'string' },
    false,
  ),
  'Content-Disposition': header('`inline` with a file name.', { type: 'string' }),
};

const EMBED_FORM: JsonObject = {
  type: 'object',
  required: ['image', 'audio'],
  properties: {
    image: {
      type: 'string',
      contentMediaType: 'application/octet-stream',
      description: 'The cover photo: PNG or JPEG (grey, RGB, RGBA; 8 or 16 bit). The container has its size.',
    },
    audio: {
      type: 'string',
      contentMediaType: 'application/octet-stream',
      description: 'The clip: WAV (PCM 8/16/24/32-bit or float32, mono or stereo, any rate); carried at 8 kHz.',
    },
    key: {
      type: 'string',
      maxLength: KEY_MAX_LENGTH,
      description:
        'Optional. Neural scheme: a keyed scramble (obfuscation); coded scheme: AES-256-CTR (encryption). Reveal needs the same key.',
    },
    quality: {
      type: 'string',
      enum: [...QUALITIES],
      default: 'standard',
      description:
        'Neural scheme only. `high`: feedback pass and rounding search, about 2.5× the time for a short clip, 5× at full density.',
    },
    scheme: {
      type: 'string',
      enum: [...SCHEME_NAMES],
      default: DEFAULT_SCHEME,
      description: 'How to hide the clip; reveal reads it back from the container.',
    },
    format: {
      type: 'string',
      enum: [...CONTAINER_FORMATS],
      description:
        "The container's file format. Absent: the scheme's own (PNG; JPEG for `robust`). `jpeg` only for a scheme that survives JPEG (`robust`), else 400.",
    },
    fit: {
      type: 'string',
      pattern: '^[0-9]{1,5}$',
      description: `Optional long side in pixels (${FIT_RANGE[0]}–${FIT_RANGE[1]}) to scale the photo to before hiding, as a messenger would; absent: the scheme's default (robust: 1600), others keep the size.`,
    },
  },
};

const REVEAL_FORM: JsonObject = {
  type: 'object',
  required: ['image'],
  properties: {
    image: {
      type: 'string',
      contentMediaType: 'application/octet-stream',
      description:
        'The container as embed returned it: PNG, or JPEG for the robust scheme (which survives a JPEG re-save and messenger resizes; the others do not).',
    },
    key: { type: 'string', maxLength: KEY_MAX_LENGTH, description: 'The key used at embed, if any.' },
    denoise: {
      type: 'string',
      enum: [...DENOISE_SETTINGS],
      default: 'on',
      description: '`on`: the post-filter against the reveal error; `off`: the raw reveal.',
    },
  },
};

/** Embed and reveal: open, or a bearer token when the deployment sets API_TOKEN. */
const BEARER: Json[] = [{}, { bearerToken: [] }];

/** The paths: one entry per route in worker/index.ts. */
function paths(): JsonObject {
  return {
    '/api/embed': {
      post: {
        operationId: 'embed',
        tags: ['hiding'],
        summary: 'Hide a clip in a photo',
        description:
          'Returns a PNG the size of the cover carrying the clip. Limits (body size, pixels, audio length) are checked from headers before anything is decoded.',
        security: BEARER,
        requestBody: {
          required: true,
          content: {
            'multipart/form-data': {
              schema: ref('EmbedForm'),
              encoding: { image: { contentType: 'image/png, image/jpeg' }, audio: { contentType: 'audio/wav' } },
            },
          },
        },
        responses: {
          '200': {
            description: 'The container: PNG, or JPEG when `format` (or the robust scheme by default) asks for it.',
            headers: {
              ...COMMON_STEGO_HEADERS,
              'X-Stego-Capacity-Seconds': header('Seconds the photo holds under the scheme used.', {
                type: 'number',
                minimum: 0,
              }),
              'X-Stego-Spread-Rate': header(
                'Rate in Hz the clip was carried at: the neural scheme spreads short clips; 8000 = not spread.',
                { type: 'integer', minimum: 8000 },
              ),
              'X-Stego-Quality': header('The pass that ran (`high` can fall back to `standard` on large regions).', {
                type: 'string',
                enum: [...QUALITIES],
              }),
            },
            content: {
              'image/png': { schema: { type: 'string', contentMediaType: 'image/png' } },
              'image/jpeg': { schema: { type: 'string', contentMediaType: 'image/jpeg' } },
            },
          },
          ...problems([
            'bad_request',
            'bad_image',
            'bad_audio',
            'unauthorized',
            'too_large',
            'unsupported_media_type',
            'too_long',
            'rate_limited',
            'internal',
            'bad_weights',
            'no_weights',
          ]),
        },
      },
    },
    '/api/reveal': {
      post: {
        operationId: 'reveal',
        tags: ['hiding'],
        summary: 'Get the clip back from a container',
        description: 'Returns the hidden clip as 16-bit PCM mono 8 kHz WAV; the scheme is read from the container.',
        security: BEARER,
        requestBody: {
          required: true,
          content: {
            'multipart/form-data': {
              schema: ref('RevealForm'),
              encoding: { image: { contentType: 'image/png, image/jpeg' } },
            },
          },
        },
        responses: {
          '200': {
            description: 'The hidden clip.',
            headers: {
              ...COMMON_STEGO_HEADERS,
              'X-Stego-Denoise': header('Whether the post-filter ran.', {
                type: 'string',
                enum: [...DENOISE_SETTINGS],
              }),
              'X-Stego-Frames': header(
                'Robust scheme: how many coded frames the clip was carried in.',
                { type: 'integer', minimum: 0 },
                false,
              ),
              'X-Stego-Frames-Lost': header(
                'Robust scheme: frames that failed their check and were concealed (sent with X-Stego-Frames).',
                { type: 'integer', minimum: 0 },
                false,
              ),
            },
            content: { 'audio/wav': { schema: { type: 'string', contentMediaType: 'audio/wav' } } },
          },
          ...problems([
            'bad_request',
            'bad_image',
            'unauthorized',
            'too_large',
            'unsupported_media_type',
            'no_payload',
            'damaged_payload',
            'rate_limited',
            'internal',
            'bad_weights',
            'no_weights',
          ]),
        },
      },
    },
    '/api/capacity': {
      get: {
        operationId: 'capacity',
        tags: ['service'],
        summary: 'Seconds of audio a photo of a given size holds',
        parameters: ['width', 'height'].map((name) => ({
          name,
          in: 'query',
          required: true,
          description: `Photo ${name} in pixels.`,
          schema: { type: 'integer', minimum: 1, maximum: MAX_SIDE },
        })),
        responses: {
          '200': {
            description: 'Capacity under each scheme, and the largest photo this deployment accepts.',
            content: { 'application/json': { schema: ref('Capacity') } },
          },
          ...problems(['bad_request', 'internal']),
        },
      },
    },
    '/api/health': {
      get: {
        operationId: 'health',
        tags: ['service'],
        summary: 'Backend and the weights that serve',
        description:
          'Loads the weights if needed (so it doubles as a warm-up). 503 when no usable weights load; the coded scheme works even then.',
        responses: {
          '200': { description: 'Healthy.', content: { 'application/json': { schema: ref('Health') } } },
          ...problems(['internal', 'bad_weights', 'no_weights']),
        },
      },
    },
    '/openapi.json': {
      get: {
        operationId: 'openapi',
        tags: ['documentation'],
        summary: 'This document',
        responses: {
          '200': {
            description: 'The OpenAPI 3.1 document.',
            content: { 'application/json': { schema: { type: 'object', required: ['openapi', 'info', 'paths'] } } },
          },
        },
      },
    },
    '/problems': {
      get: {
        operationId: 'problemIndex',
        tags: ['documentation'],
        summary: 'Every problem type, as a page',
        responses: {
          '200': { description: 'An HTML page.', content: { 'text/html': { schema: { type: 'string' } } } },
        },
      },
    },
    '/problems/{code}': {
      get: {
        operationId: 'problemPage',
        tags: ['documentation'],
        summary: "The page a problem document's `type` points at",
        parameters: [{ name: 'code', in: 'path', required: true, schema: ref('ProblemCode') }],
        responses: {
          '200': {
            description: 'What the code means and what to do, as an HTML page.',
            content: { 'text/html': { schema: { type: 'string' } } },
          },
          ...problems(['not_found']),
        },
      },
    },
  };
}

/** The reusable schemas. */
function schemas(): JsonObject {
  const otherSchemes = SCHEME_NAMES.filter((name) => name !== DEFAULT_SCHEME);
  const schemeCapacity: JsonObject = {
    type: 'object',
    required: ['seconds', 'samples'],
    properties: {
      seconds: { type: 'number', minimum: 0 },
      samples: { type: 'integer', minimum: 0 },
      maxPixels: {
        type: 'integer',
        minimum: 1,
        description:
          'The largest photo this scheme takes, when it is larger than the deployment limit (robust: phone photos).',
      },
    },
  };
  return {
    ProblemCode: {
      type: 'string',
      enum: [...PROBLEM_CODES],
      description: 'Stable machine-readable error code; `/problems/<code>` explains each.',
    },
    Problem: {
      type: 'object',
      description: 'RFC 9457 problem details, with the stable `code`.',
      required: ['type', 'title', 'status', 'detail', 'code'],
      properties: {
        type: { type: 'string', format: 'uri', description: "This worker's `/problems/<code>` page." },
        title: { type: 'string' },
        status: { type: 'integer', minimum: 400, maximum: 599 },
        detail: { type: 'string', minLength: 1, description: 'What went wrong with this request, for people.' },
        code: ref('ProblemCode'),
      },
    },
    EmbedForm: EMBED_FORM,
    RevealForm: REVEAL_FORM,
    Capacity: {
      type: 'object',
      description: `Capacity under the default scheme (${DEFAULT_SCHEME}) at the top level, each other scheme under its name.`,
      required: ['seconds', 'samples', 'sampleRate', 'maxPixels', ...otherSchemes],
      properties: {
        seconds: { type: 'number', minimum: 0 },
        samples: { type: 'integer', minimum: 0 },
        sampleRate: { type: 'integer', const: 8000 },
        maxPixels: { type: 'integer', minimum: 1, description: 'Largest photo embed accepts (width × height).' },
        ...Object.fromEntries(otherSchemes.map((name) => [name, schemeCapacity])),
      },
    },
    Health: {
      type: 'object',
      required: ['ok', 'backend', 'model'],
      properties: {
        ok: { const: true },
        backend: { type: 'string', description: 'The tfjs backend (`wasm`).' },
        model: {
          type: 'object',
          required: ['version', 'sha256', 'source'],
          properties: {
            version: { type: 'string' },
            sha256: { type: 'string', pattern: '^[0-9a-f]{64}$' },
            source: { type: 'string', enum: ['r2', 'bundled'] },
            reason: { type: 'string', description: 'Why the bundled copy serves, when it does.' },
          },
        },
      },
    },
  };
}

let cached: JsonObject | undefined;

/**
 * The document. `origin` (the request's) becomes its one server, so tools that load it from a file still call the
 * deployment it came from; without it, paths resolve against wherever the document was fetched.
 */
export function openApiDocument(origin?: string): JsonObject {
  cached ??= {
    openapi: OPENAPI_VERSION,
    info: {
      title: 'stegavox',
      version: '1',
      summary: 'Hide a voice clip inside a colour photo, and get it back.',
      description: [
        'Embed takes a photo and a WAV and returns a PNG that looks like the photo; reveal takes that PNG and returns the WAV.',
        'Every error is `application/problem+json` (RFC 9457) with a stable `code`; its `type` links a page on this worker.',
        'Besides the statuses listed per operation, any path answers 404 `not_found` when unknown and 405',
        '`method_not_allowed` (with `Allow`) for a method it does not take; `OPTIONS` answers CORS preflights (204).',
        `CORS callers can read the response headers ${EXPOSED_HEADERS.join(', ')}.`,
      ].join(' '),
      license: { name: 'MIT', identifier: 'MIT' },
    },
    tags: [
      { name: 'hiding', description: 'Embed and reveal (CPU-heavy; rate-limited per client address when configured).' },
      { name: 'service', description: 'Capacity and health.' },
      { name: 'documentation', description: 'This document and the problem pages.' },
    ],
    paths: paths(),
    components: {
      schemas: schemas(),
      securitySchemes: {
        bearerToken: {
          type: 'http',
          scheme: 'bearer',
          description: 'Required on embed and reveal only when the deployment sets the API_TOKEN secret.',
        },
      },
    },
  };
  return origin ? { ...cached, servers: [{ url: origin }] } : cached;
}
