/** Every problem code the worker answers with: status, title and what a caller can do, for pages and the OpenAPI document. */
import { StegError, type StegErrorCode } from '../../src/util/errors.js';

/** Codes only the worker raises (no StegError): unknown paths, the rate limit, and bugs. */
export type WorkerProblemCode = 'not_found' | 'rate_limited' | 'internal';

/** Every `code` a problem document from this worker can carry. */
export type ProblemCode = StegErrorCode | WorkerProblemCode;

/** One code's entry. */
export interface ProblemKind {
  code: ProblemCode;
  status: number;
  title: string;
  /** What the caller can do about it, one or two sentences (shown on /problems/<code>). */
  advice: string;
}

const WORKER_KINDS: Record<WorkerProblemCode, { status: number; title: string }> = {
  not_found: { status: 404, title: 'Not found' },
  rate_limited: { status: 429, title: 'Too many requests' },
  internal: { status: 500, title: 'Internal server error' },
};

// A Record over the union: adding a StegErrorCode in src/util/errors.ts fails the typecheck here until the new code
// has advice, so its /problems page and the OpenAPI enum can never be missing it.
const ADVICE: Record<ProblemCode, string> = {
  bad_request:
    'A field is missing, misnamed, sent as the wrong kind (text where a file belongs, or the reverse) or holds an unknown choice. The detail names the field; the OpenAPI document (/openapi.json) lists every field and its choices.',
  bad_image:
    'The image bytes do not decode as PNG or JPEG (truncated, corrupt, or a decompression trap). Re-export the photo as PNG or JPEG and send it again.',
  bad_audio:
    'The WAV does not decode or makes no sense (sample rate 0, no channels, no samples, NaN values). Re-export it as PCM or float32 WAV.',
  unauthorized:
    'This deployment requires an API token: send "Authorization: Bearer <token>". Ask whoever runs it for the token.',
  method_not_allowed: 'The path exists but not with this method; the Allow response header lists the methods it takes.',
  too_large:
    'The body, the photo (width × height) or the audio is over this deployment\'s limits; the detail gives the limit. Send a smaller photo or a shorter clip; /api/capacity reports "maxPixels".',
  unsupported_media_type:
    'Send multipart/form-data with a PNG or JPEG "image" (and, to embed, a WAV "audio"). Other image formats, compressed audio (MP3, Ogg, M4A) and JSON bodies are refused.',
  too_long:
    'The clip is longer than the photo can hold; the detail gives the capacity in seconds. Use a larger photo or a shorter clip (GET /api/capacity?width=W&height=H tells in advance).',
  no_payload:
    'No hidden audio was found: the photo carries none, or it was hidden with a key and the key given is missing or wrong. Try the key the sender used.',
  damaged_payload:
    'Hidden audio was found but the container was altered (resized, cropped, re-encoded or edited) after embedding. Ask for the original file, sent as a document rather than a photo; only the robust scheme (scheme=robust) survives messengers that recompress photos.',
  bad_weights:
    'The model weights on this deployment fail validation. Nothing to fix on your side; the coded scheme (scheme=coded) needs no weights and still works.',
  no_weights:
    'This deployment has no usable model weights right now. Retry later, or use the coded scheme (scheme=coded), which needs no weights.',
  not_found: 'No such path. The API lives under /api/ (embed, reveal, capacity, health); /openapi.json describes it.',
  rate_limited:
    'Too many embed or reveal requests from your address in a short time. Wait the number of seconds in the Retry-After response header, then send again.',
  internal: 'The server failed on this request; it has been logged. Retry once; if it keeps failing, report it.',
};

/** Every problem code, in a stable order (the StegError codes as src/util/errors.ts lists them, then the worker's). */
export const PROBLEM_CODES = Object.keys(ADVICE) as ProblemCode[];

/** The catalogue entry of `code`, or undefined for a string that is no code. */
export function problemKind(code: string): ProblemKind | undefined {
  if (!Object.hasOwn(ADVICE, code)) return undefined;
  const known = code as ProblemCode;
  const { status, title } = isWorkerCode(known) ? WORKER_KINDS[known] : new StegError(known, '');
  return { code: known, status, title, advice: ADVICE[known] };
}

/** Every catalogue entry, in {@link PROBLEM_CODES} order. */
export function problemKinds(): ProblemKind[] {
  return PROBLEM_CODES.map((code) => problemKind(code)!);
}

function isWorkerCode(code: ProblemCode): code is WorkerProblemCode {
  return Object.hasOwn(WORKER_KINDS, code);
}
