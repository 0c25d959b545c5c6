/** Test helpers for the API's error contract: what StegError a call ends in. */
import { isStegError, type StegErrorCode } from '../../src/util/errors.js';

/** The StegError code `fn` throws, or 'ok' when it returns; any other error propagates. */
export function stegCodeOf(fn: () => unknown): StegErrorCode | 'ok' {
  try {
    fn();
    return 'ok';
  } catch (e) {
    if (isStegError(e)) return e.code;
    throw e;
  }
}

/** {@link stegCodeOf} for async calls. */
export async function stegCodeOfAsync(fn: () => unknown): Promise<StegErrorCode | 'ok'> {
  try {
    await fn();
    return 'ok';
  } catch (e) {
    if (isStegError(e)) return e.code;
    throw e;
  }
}

/** The StegError `fn` rejects with (code and message); fails on success or any other error. */
export async function stegErrorOf(fn: () => unknown): Promise<{ code: string; message: string }> {
  try {
    await fn();
  } catch (e) {
    if (!isStegError(e)) throw e;
    return { code: e.code, message: e.message };
  }
  throw new Error('expected a StegError');
}
