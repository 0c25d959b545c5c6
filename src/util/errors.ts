/** The project's one typed error: every expected failure (bad input, limits, weights) is a StegError with a status. */

/** What went wrong, stable for clients; each maps to one HTTP status. */
export type StegErrorCode =
  | 'bad_request' // 400: malformed request or missing field
  | 'bad_image' // 400: image bytes that do not decode
  | 'bad_audio' // 400: audio bytes that do not decode or make no sense (rate 0, no samples, NaN)
  | 'unauthorized' // 401: API token required and missing or wrong
  | 'method_not_allowed' // 405
  | 'too_large' // 413: body, pixel count or audio length over the configured limits
  | 'unsupported_media_type' // 415: not PNG/JPEG (image) or not WAV (audio)
  | 'too_long' // 422: audio longer than the image holds
  | 'no_payload' // 422: reveal found no stegavox payload (nothing hidden, or the header was destroyed)
  | 'damaged_payload' // 422: payload found but the container was altered (resized, re-encoded, edited)
  | 'bad_weights' // 503 when serving: weights that fail validation
  | 'no_weights'; // 503: no usable weights

const STATUS: Record<StegErrorCode, number> = {
  bad_request: 400,
  bad_image: 400,
  bad_audio: 400,
  unauthorized: 401,
  method_not_allowed: 405,
  too_large: 413,
  unsupported_media_type: 415,
  too_long: 422,
  no_payload: 422,
  damaged_payload: 422,
  bad_weights: 503,
  no_weights: 503,
};

const TITLE: Record<StegErrorCode, string> = {
  bad_request: 'Bad request',
  bad_image: 'Image could not be decoded',
  bad_audio: 'Audio could not be decoded',
  unauthorized: 'Unauthorized',
  method_not_allowed: 'Method not allowed',
  too_large: 'Input too large',
  unsupported_media_type: 'Unsupported media type',
  too_long: 'Audio longer than the image holds',
  no_payload: 'No hidden audio found',
  damaged_payload: 'Hidden audio is damaged',
  bad_weights: 'Model weights are invalid',
  no_weights: 'No usable model weights',
};

/** An expected failure with a client-facing message (`detail`) and the HTTP status it maps to. */
export class StegError extends Error {
  readonly code: StegErrorCode;
  readonly status: number;
  readonly title: string;

  constructor(code: StegErrorCode, detail: string, options?: { cause?: unknown }) {
    super(detail, options);
    this.name = 'StegError';
    this.code = code;
    this.status = STATUS[code];
    this.title = TITLE[code];
  }
}

/** True for a {@link StegError} (also across module copies, by name and code). */
export function isStegError(e: unknown): e is StegError {
  return (
    e instanceof StegError ||
    (e instanceof Error && e.name === 'StegError' && typeof (e as StegError).code === 'string')
  );
}
