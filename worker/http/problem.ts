/** RFC 9457 problem responses: the one error handler, mapping StegError and HTTPException to their statuses. */
import type { Context, ErrorHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { isStegError, StegError, type StegErrorCode } from '../../src/util/errors.js';
import { problemKind, problemKinds, type ProblemCode } from './problem-catalogue.js';

/** Path of the `type` pages: `/problems/<code>` on the worker itself, one HTML page per code (routes/problems.ts). */
export const PROBLEM_TYPE_PATH = '/problems/';

/** The problem document every error response carries. */
export interface Problem {
  /** `<origin>/problems/<code>`: a page on this worker saying what the code means and what to do. */
  type: string;
  title: string;
  status: number;
  detail: string;
  /** The problem code, stable for clients (e.g. "too_long"); problem-catalogue.ts lists them. */
  code: ProblemCode;
}

/**
 * The `type` URI of `code`: absolute, on the origin the request came to, so it resolves wherever the worker is
 * deployed (workers.dev, a custom domain, localhost) without a configured base URL.
 */
export function problemType(code: ProblemCode, requestUrl: string): string {
  return new URL(PROBLEM_TYPE_PATH + code, requestUrl).href;
}

/** The problem document of a worker-level `code` (its catalogue status and title) with `detail`. */
export function problemFor(code: ProblemCode, detail: string, requestUrl: string): Problem {
  const kind = problemKind(code)!;
  return { type: problemType(code, requestUrl), title: kind.title, status: kind.status, detail, code };
}

/** An application/problem+json response for `problem`, with any extra headers (e.g. Allow, WWW-Authenticate). */
export function problemResponse(problem: Problem, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(problem), {
    status: problem.status,
    headers: { 'content-type': 'application/problem+json; charset=utf-8', 'cache-control': 'no-store', ...headers },
  });
}

/** The problem document for a StegError raised while serving `requestUrl`. */
export function problemOf(error: StegError, requestUrl: string): Problem {
  return {
    type: problemType(error.code, requestUrl),
    title: error.title,
    status: error.status,
    detail: error.message,
    code: error.code,
  };
}

/** Extra headers some statuses need, carried on the error object by the code that throws it. */
const HEADERS = new WeakMap<Error, Record<string, string>>();

/** A StegError that also sets response headers (Allow for 405, WWW-Authenticate for 401). */
export function stegErrorWithHeaders(code: StegErrorCode, detail: string, headers: Record<string, string>): StegError {
  const error = new StegError(code, detail);
  HEADERS.set(error, headers);
  return error;
}

/**
 * Hono onError: StegError → its status and detail; HTTPException → its status; anything else is a bug → 500 with
 * a generic detail (logged with its stack, never with request data).
 */
export const onError: ErrorHandler = (error: Error, c: Context) => {
  if (isStegError(error)) return problemResponse(problemOf(error, c.req.url), HEADERS.get(error));
  if (error instanceof HTTPException) {
    // Nothing in the worker throws these today; should a Hono helper do so, it answers with the catalogue code of
    // the same status (so `code` stays within the documented enum), or a generic 400 / 500 code.
    const code = codeForStatus(error.status);
    return problemResponse({
      ...problemFor(code, error.message || problemKind(code)!.title, c.req.url),
      status: error.status,
    });
  }
  console.error(
    `unhandled error on ${c.req.method} ${new URL(c.req.url).pathname}:`,
    error instanceof Error ? (error.stack ?? error.message) : String(error),
  );
  return problemResponse(
    problemFor('internal', 'The server failed to process this request. It has been logged.', c.req.url),
  );
};

/** 404 for paths the API does not have (static assets are served before the worker runs). */
export function notFound(c: Context): Response {
  return problemResponse(
    problemFor(
      'not_found',
      `${new URL(c.req.url).pathname} does not exist; the API is under /api/ (embed, reveal, capacity, health)`,
      c.req.url,
    ),
  );
}

function codeForStatus(status: number): ProblemCode {
  return problemKinds().find((kind) => kind.status === status)?.code ?? (status < 500 ? 'bad_request' : 'internal');
}

/** Handler for a known API path hit with the wrong method: 405 with an Allow header. */
export function methodNotAllowed(allow: string[]): (c: Context) => Response {
  return (c) => {
    throw stegErrorWithHeaders(
      'method_not_allowed',
      `${c.req.method} is not supported here; use ${allow.join(' or ')}`,
      {
        allow: allow.join(', '),
      },
    );
  };
}
