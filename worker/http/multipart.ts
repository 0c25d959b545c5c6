/** multipart/form-data uploads: media-type check, capped read, and typed access to file and text fields. */
import { StegError } from '../../src/util/errors.js';
import { readBodyCapped } from './limits.js';

/** A parsed form whose file fields are read into bytes. */
export interface Upload {
  /** Bytes of a required file field; 400 when the field is missing, not a file, or empty. */
  file(name: string): Promise<Uint8Array>;
  /** An optional text field; 400 when it is present as a file or longer than `maxLength`. */
  text(name: string, maxLength: number): string | undefined;
}

/**
 * Parses a multipart/form-data request: 415 for any other media type (checked before the body is read), 413 over
 * `maxBytes`, 400 for a body that is not valid multipart.
 */
export async function readMultipart(request: Request, maxBytes: number): Promise<Upload> {
  const contentType = request.headers.get('content-type') ?? '';
  const mediaType = contentType.split(';')[0]!.trim().toLowerCase();
  if (mediaType !== 'multipart/form-data')
    throw new StegError(
      'unsupported_media_type',
      `send multipart/form-data (an HTML form with enctype="multipart/form-data"); got ${mediaType ? `"${mediaType.slice(0, 100)}"` : 'no Content-Type'}`,
    );
  if (!/;\s*boundary=/i.test(contentType))
    throw new StegError('bad_request', 'the multipart Content-Type has no boundary parameter');
  const body = await readBodyCapped(request, maxBytes);
  let form: FormData;
  try {
    form = await new Response(body as Uint8Array<ArrayBuffer>, { headers: { 'content-type': contentType } }).formData();
  } catch (error) {
    throw new StegError('bad_request', 'the body is not valid multipart/form-data', { cause: error });
  }
  return {
    async file(name) {
      const value = form.get(name);
      if (value === null) throw new StegError('bad_request', `the form has no "${name}" field (expected a file)`);
      if (typeof value === 'string')
        throw new StegError('bad_request', `the "${name}" field must be a file upload, not text`);
      if (value.size === 0) throw new StegError('bad_request', `the "${name}" file is empty`);
      return new Uint8Array(await value.arrayBuffer());
    },
    text(name, maxLength) {
      const value = form.get(name);
      if (value === null) return undefined;
      if (typeof value !== 'string') throw new StegError('bad_request', `the "${name}" field must be text, not a file`);
      if (value.length > maxLength)
        throw new StegError('bad_request', `the "${name}" field is longer than ${maxLength} characters`);
      return value;
    },
  };
}
