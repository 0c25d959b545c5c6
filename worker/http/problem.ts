/** RFC 9457 problem responses: the one error handler, mapping StegError and HTTPException to their statuses. */
import type { Context, ErrorHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { isStegError, StegError, type StegErrorCode } from '../../src/util/errors.js';

/** Base of the `type` URIs: one per error code, documented in the README. */
export const PROBLEM_TYPE_BASE = 'https://stegavox.dev/problems/';

/** The problem document every error response carries. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  /** The StegError code, stable for clients (e.g. "too_long"). */
  code: string;
}

/** An application/problem+json response for `problem`, with any extra headers (e.g. Allow, WWW-Authenticate). */
export function problemResponse(problem: Problem, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(problem), {
    status: problem.status,
    headers: { 'content-type': 'application/problem+json; charset=utf-8', 'cache-control': 'no-store', ...headers },
  });
}

/** The problem document for a StegError. */
export function problemOf(error: StegError): Problem {
  return {
    type: PROBLEM_TYPE_BASE + error.code,
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
  if (isStegError(error)) return problemResponse(problemOf(error), HEADERS.get(error));
  if (error instanceof HTTPException) {
    const status = error.status as ContentfulStatusCode;
    const title = error.res?.statusText || statusTitle(status);
    return problemResponse({
      type: 'about:blank',
      title,
      status,
      detail: error.message || title,
      code: `http_${status}`,
    });
  }
  console.error(
    `unhandled error on ${c.req.method} ${new URL(c.req.url).pathname}:`,
    error instanceof Error ? (error.stack ?? error.message) : String(error),
  );
  return problemResponse({
    type: 'about:blank',
    title: 'Internal server error',
    status: 500,
    detail: 'The server failed to process this request. It has been logged.',
    code: 'internal',
  });
};

/** 404 for paths the API does not have (static assets are served before the worker runs). */
export function notFound(c: Context): Response {
  return problemResponse({
    type: PROBLEM_TYPE_BASE + 'not_found',
    title: 'Not found',
    status: 404,
    detail: `${new URL(c.req.url).pathname} does not exist; the API is under /api/ (embed, reveal, capacity, health)`,
    code: 'not_found',
  });
}

function statusTitle(status: number): string {
  return status >= 500 ? 'Server error' : 'Request error';
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
