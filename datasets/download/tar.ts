/** A small reader for (gzipped) tar archives: enough of ustar, GNU long names and pax paths for published data sets. */
import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';

/** A regular file inside a tar archive. */
export interface TarEntry {
  path: string;
  data: Uint8Array;
}

const gunzipAsync = promisify(gunzip);

/** A NUL-terminated ASCII/UTF-8 field of a tar header. */
function field(block: Uint8Array, start: number, length: number): string {
  const bytes = block.subarray(start, start + length);
  const end = bytes.indexOf(0);
  return Buffer.from(end < 0 ? bytes : bytes.subarray(0, end)).toString('utf8');
}

/** An octal size field; GNU's base-256 form (high bit set) for files over 8 GiB is refused rather than misread. */
function octal(block: Uint8Array, start: number, length: number): number {
  if (block[start]! & 0x80) throw new Error('tar: base-256 sizes are not supported');
  const text = field(block, start, length).trim();
  return text === '' ? 0 : parseInt(text, 8);
}

/** The `path` record of a pax extended header, if it has one. */
function paxPath(data: Uint8Array): string | undefined {
  const text = Buffer.from(data).toString('utf8');
  let i = 0;
  while (i < text.length) {
    const space = text.indexOf(' ', i);
    const length = Number(text.slice(i, space));
    if (!(length > 0)) break;
    const record = text.slice(space + 1, i + length - 1);
    const eq = record.indexOf('=');
    if (record.slice(0, eq) === 'path') return record.slice(eq + 1);
    i += length;
  }
  return undefined;
}

/**
 * The regular files of an uncompressed tar archive, in archive order. Directories, links and pax global headers
 * are skipped; a truncated archive throws rather than yield a short file.
 */
export function readTar(tar: Uint8Array): TarEntry[] {
  const out: TarEntry[] = [];
  let offset = 0;
  let longName: string | undefined;
  let ended = false;
  while (offset + 512 <= tar.length) {
    const block = tar.subarray(offset, offset + 512);
    if (block.every((b) => b === 0)) {
      ended = true; // the end-of-archive blocks
      break;
    }
    const size = octal(block, 124, 12);
    const type = String.fromCharCode(block[156]! || 48);
    const start = offset + 512;
    if (start + size > tar.length) throw new Error('tar: archive is truncated');
    const data = tar.subarray(start, start + size);
    offset = start + Math.ceil(size / 512) * 512;
    if (type === 'L') {
      longName = field(data, 0, data.length);
      continue;
    }
    if (type === 'x') {
      longName = paxPath(data) ?? longName;
      continue;
    }
    if (type === 'g') continue;
    const prefix = field(block, 345, 155);
    const name = longName ?? (prefix ? `${prefix}/${field(block, 0, 100)}` : field(block, 0, 100));
    longName = undefined;
    if (type === '0' || type === '7') out.push({ path: name, data });
  }
  // Without its end blocks the archive was cut short, perhaps at a member boundary: refuse rather than under-report.
  if (!ended) throw new Error('tar: archive is truncated');
  return out;
}

/** {@link readTar} of a gzip-compressed archive (`.tar.gz`, `.tgz`). */
export async function readTarGz(bytes: Uint8Array): Promise<TarEntry[]> {
  return readTar(new Uint8Array(await gunzipAsync(bytes)));
}
