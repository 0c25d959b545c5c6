// CIFAR-10 binary record parsing (generated 2-record batches) and the labels.csv subset loader.
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodePng } from '../../src/formats/image.js';
import { isStegError } from '../../src/util/errors.js';
import {
  CIFAR_RECORD_BYTES,
  loadCifarBinaryDir,
  loadCifarSubset,
  parseCifarBatch,
  parseLabelsCsv,
} from '../../datasets/cifar.js';

/** A record with label `label` and planes R = i, G = 7i, B = 255 − i (mod 256), shifted by `shift`. */
function record(label: number, shift: number): Uint8Array {
  const r = new Uint8Array(CIFAR_RECORD_BYTES);
  r[0] = label;
  for (let i = 0; i < 1024; i++) {
    r[1 + i] = (i + shift) & 255;
    r[1025 + i] = (7 * i + shift) & 255;
    r[2049 + i] = (255 - i + shift) & 255;
  }
  return r;
}

function batchOf(...records: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(records.length * CIFAR_RECORD_BYTES);
  records.forEach((r, i) => out.set(r, i * CIFAR_RECORD_BYTES));
  return out;
}

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return isStegError(e) ? e.code : 'not a StegError';
  }
  return undefined;
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stegavox-cifar-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('parseCifarBatch', () => {
  it('parses labels and planar RGB into interleaved 32×32 images', () => {
    const recs = parseCifarBatch(batchOf(record(3, 0), record(9, 100)));
    expect(recs.map((r) => r.label)).toEqual([3, 9]);
    const { image } = recs[0]!;
    expect([image.width, image.height, image.data.length]).toEqual([32, 32, 3072]);
    // pixel (x = 5, y = 2) is plane index 2·32 + 5 = 69
    const p = (2 * 32 + 5) * 3;
    expect([...image.data.subarray(p, p + 3)]).toEqual([69, (7 * 69) & 255, 255 - 69]);
    const q = (31 * 32 + 31) * 3;
    expect([...recs[1]!.image.data.subarray(q, q + 3)]).toEqual([
      (1023 + 100) & 255,
      (7 * 1023 + 100) & 255,
      (255 - 1023 + 100) & 255,
    ]);
  });

  it('refuses sizes that are not whole records, empty input, and bad labels', () => {
    expect(codeOf(() => parseCifarBatch(new Uint8Array(3072)))).toBe('bad_request');
    expect(codeOf(() => parseCifarBatch(new Uint8Array(0)))).toBe('bad_request');
    expect(codeOf(() => parseCifarBatch(batchOf(record(1, 0)).subarray(0, 3074 - 2)))).toBe('bad_request');
    expect(codeOf(() => parseCifarBatch(batchOf(record(1, 0), record(10, 0))))).toBe('bad_request');
    expect(() => parseCifarBatch(new Uint8Array(5000), 'x.bin')).toThrow(/x\.bin: 5000 bytes/);
  });
});

describe('loadCifarBinaryDir', () => {
  it('reads data_batch_N.bin in order, or the files named', async () => {
    const bin = join(dir, 'bin');
    await mkdir(bin);
    await writeFile(join(bin, 'data_batch_2.bin'), batchOf(record(2, 0)));
    await writeFile(join(bin, 'data_batch_1.bin'), batchOf(record(1, 0), record(1, 1)));
    await writeFile(join(bin, 'test_batch.bin'), batchOf(record(0, 0)));
    expect((await loadCifarBinaryDir(bin)).map((r) => r.label)).toEqual([1, 1, 2]);
    expect((await loadCifarBinaryDir(bin, ['test_batch.bin'])).map((r) => r.label)).toEqual([0]);
    await expect(loadCifarBinaryDir(dir)).rejects.toThrow(/No CIFAR-10/);
  });
});

describe('CIFAR JPEG subset loader', () => {
  it('parses labels.csv and refuses malformed rows', () => {
    expect(parseLabelsCsv('path,label,class_name\nbird/0001.jpg,2,bird\r\n')).toEqual([
      { path: 'bird/0001.jpg', label: 2 },
    ]);
    expect(codeOf(() => parseLabelsCsv('path,label\nx.jpg,11\n'))).toBe('bad_request');
    expect(codeOf(() => parseLabelsCsv('file,class\nx.jpg,1\n'))).toBe('bad_request');
  });

  it('loads the listed images with their labels and refuses non-32×32 images', async () => {
    const sub = join(dir, 'subset');
    await mkdir(join(sub, 'cat'), { recursive: true });
    const img = (w: number, v: number) => encodePng({ width: w, height: w, data: new Uint8Array(w * w * 3).fill(v) });
    await writeFile(join(sub, 'cat', '0000.png'), img(32, 40));
    await writeFile(join(sub, 'cat', '0001.png'), img(32, 80));
    await writeFile(join(sub, 'labels.csv'), 'path,label,class_name\ncat/0000.png,3,cat\ncat/0001.png,3,cat\n');
    const recs = await loadCifarSubset(sub);
    expect(recs.map((r) => [r.label, r.image.data[0]])).toEqual([
      [3, 40],
      [3, 80],
    ]);
    expect(await loadCifarSubset(sub, 1)).toHaveLength(1);
    await writeFile(join(sub, 'cat', '0002.png'), img(16, 0));
    await writeFile(join(sub, 'labels.csv'), 'path,label,class_name\ncat/0002.png,3,cat\n');
    await expect(loadCifarSubset(sub)).rejects.toThrow(/expected 32×32/);
  });
});
