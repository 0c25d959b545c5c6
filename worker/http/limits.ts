/** Request-body limits before any decoding: Content-Length up front, a counting reader when it is absent or lies. */
import { StegError } from '../../src/util/errors.js';

/**
 * Reads the whole body of `request`, refusing with 413 as soon as it is known to exceed `maxBytes`: from the
 * Content-Length header before a byte is read, otherwise while streaming (so a missing or lying header cannot
 * make the worker buffer more than `maxBytes`).
 */
export async function readBodyCapped(request: Request, maxBytes: number): Promise<Uint8Array> {
  const declared = request.headers.get('content-length');
  if (declared !== null) {
    const n = Number(declared);
    if (!Number.isSafeInteger(n) || n < 0)
      throw new StegError('bad_request', 'the Content-Length header is not a byte count');
    if (n > maxBytes) throw tooLarge(n, maxBytes);
  }
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    let result: ReadableStreamReadResult<Uint8Array>;
    try {
      result = await reader.read();
    } catch (error) {
      throw new StegError('bad_request', 'the request body could not be read (the upload was interrupted)', {
        cause: error,
      });
    }
    if (result.done) break;
    total += result.value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(total, maxBytes, true);
    }
    chunks.push(result.value);
  }
  const body = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}

function tooLarge(bytes: number, maxBytes: number, streamed = false): StegError {
  return new StegError(
    'too_large',
    `the request body is ${streamed ? 'over ' : ''}${bytes} bytes; the limit is ${maxBytes} bytes (${(maxBytes / 1048576).toFixed(1)} MiB)`,
  );
}
