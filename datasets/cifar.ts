/** CIFAR-10: the original binary batches and the JPEG test subset in ../shared/data, as 32×32 RGB images with labels. */
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { StegError } from '../src/util/errors.js';
import { decodeFile, type RgbImage } from './images.js';

/** Bytes per record in a CIFAR-10 binary batch: 1 label byte + 1024 R + 1024 G + 1024 B. */
export const CIFAR_RECORD_BYTES = 3073;
/** CIFAR-10 class names by label index. */
export const CIFAR_CLASSES = [
  'airplane',
  'automobile',
  'bird',
  'cat',
  'deer',
  'dog',
  'frog',
  'horse',
  'ship',
  'truck',
] as const;

/** One labelled CIFAR-10 image. */
export interface CifarRecord {
  image: RgbImage;
  /** Class index 0–9 (see {@link CIFAR_CLASSES}). */
  label: number;
}

/**
 * Parses a CIFAR-10 binary batch (`data_batch_N.bin`, `test_batch.bin`): a whole number of 3073-byte records, each
 * a label byte then the R, G and B planes (1024 bytes each, row-major 32×32), into interleaved RGB.
 * A size that is not a positive multiple of 3073, or a label above 9, is refused with `bad_request`.
 */
export function parseCifarBatch(bytes: Uint8Array, name = 'CIFAR-10 batch'): CifarRecord[] {
  if (bytes.length === 0 || bytes.length % CIFAR_RECORD_BYTES !== 0) {
    throw new StegError(
      'bad_request',
      `${name}: ${bytes.length} bytes is not a whole number of ${CIFAR_RECORD_BYTES}-byte CIFAR-10 records.`,
    );
  }
  const records: CifarRecord[] = [];
  for (let off = 0; off < bytes.length; off += CIFAR_RECORD_BYTES) {
    const label = bytes[off]!;
    if (label > 9) {
      throw new StegError(
        'bad_request',
        `${name}: record ${off / CIFAR_RECORD_BYTES} has label ${label}, expected 0–9.`,
      );
    }
    const data = new Uint8Array(32 * 32 * 3);
    const r = off + 1;
    for (let i = 0; i < 1024; i++) {
      data[i * 3] = bytes[r + i]!;
      data[i * 3 + 1] = bytes[r + 1024 + i]!;
      data[i * 3 + 2] = bytes[r + 2048 + i]!;
    }
    records.push({ image: { width: 32, height: 32, data }, label });
  }
  return records;
}

/**
 * Loads the binary batches in `dir`: by default every `data_batch_N.bin` (sorted), or those named in `files`
 * (e.g. `['test_batch.bin']`). A folder with none of them is refused with `bad_request`.
 */
export async function loadCifarBinaryDir(dir: string, files?: string[]): Promise<CifarRecord[]> {
  const names = files ?? (await readdir(dir)).filter((f) => /^data_batch_\d+\.bin$/.test(f)).sort();
  if (names.length === 0) throw new StegError('bad_request', `No CIFAR-10 data_batch_N.bin files in ${dir}.`);
  const records: CifarRecord[] = [];
  for (const f of names) {
    const path = join(dir, f);
    records.push(...parseCifarBatch(new Uint8Array(await readFile(path)), path));
  }
  return records;
}

/**
 * Loads the CIFAR-10 JPEG subset (`cifar10_test_subset/`: `labels.csv` with `path,label,class_name`, one folder per
 * class). Images are lossy JPEG re-encodes, fine as covers, not bit-exact CIFAR. `limit` keeps the first rows.
 */
export async function loadCifarSubset(dir: string, limit?: number): Promise<CifarRecord[]> {
  const csv = await readFile(join(dir, 'labels.csv'), 'utf8');
  const rows = parseLabelsCsv(csv, join(dir, 'labels.csv'));
  const chosen = limit !== undefined ? rows.slice(0, limit) : rows;
  const records: CifarRecord[] = [];
  for (const row of chosen) {
    const image = await decodeFile(join(dir, row.path), 32 * 32);
    if (image.width !== 32 || image.height !== 32) {
      throw new StegError('bad_image', `${row.path}: expected 32×32, got ${image.width}×${image.height}.`);
    }
    records.push({ image, label: row.label });
  }
  return records;
}

/** Parses `labels.csv` (`path,label,class_name` header, one row per image); malformed rows are refused. */
export function parseLabelsCsv(csv: string, name = 'labels.csv'): Array<{ path: string; label: number }> {
  const lines = csv.split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = lines
    .shift()
    ?.split(',')
    .map((h) => h.trim());
  const pathCol = header?.indexOf('path') ?? -1;
  const labelCol = header?.indexOf('label') ?? -1;
  if (pathCol < 0 || labelCol < 0)
    throw new StegError('bad_request', `${name}: header must name "path" and "label" columns.`);
  return lines.map((line, i) => {
    const cells = line.split(',');
    const path = cells[pathCol]?.trim();
    const label = Number(cells[labelCol]);
    if (!path || !Number.isInteger(label) || label < 0 || label > 9) {
      throw new StegError('bad_request', `${name}: row ${i + 2} is malformed: "${line}".`);
    }
    return { path, label };
  });
}
