// `stegavox data` against a local node:http server with fixture files made here (no network, no ../shared): a full
// download with checksums, an interrupted transfer that resumes with Range, checksum mismatches, 404s, a server that
// ignores Range, a tar.gz archive, the built-in manifest's shape, and the CLI wiring (exit codes, progress on stderr).
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { downloadSets, joinUrl } from '../../datasets/download/download.js';
import { builtInManifest, parseManifest, parseSums, type DataManifest } from '../../datasets/download/manifest.js';
import { readTar, readTarGz } from '../../datasets/download/tar.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = path.join(ROOT, 'bin', 'stegavox.mjs');

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** What the fixture server does for one path, beyond serving its bytes (Range honoured, as real servers do). */
interface Fault {
  /** Send only this many bytes of the first answer, then drop the connection. */
  cutAfter?: number;
  /** Flip a byte in the first `times` answers. */
  corrupt?: number;
  /** Answer 200 with the whole file to a Range request (a server without Range support). */
  ignoreRange?: boolean;
  /** Send only this many bytes of the first answer, then nothing more (the connection stays open). */
  stallAfter?: number;
  /** Answer the first request 429 with Retry-After: 1. */
  rateLimit?: boolean;
}

/** Fixture files served under /mirror/<folder>/<path> (and /home/<set>/<path> for the "public home" case). */
const files = new Map<string, Uint8Array>();
const faults = new Map<string, Fault>();
/** Every request: its path and Range header. */
const log: Array<{ url: string; range?: string }> = [];
let server: Server;
let base: string;
let dir: string;

function serve(url: string, bytes: Uint8Array): void {
  files.set(url, bytes);
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = decodeURIComponent(req.url ?? '');
    log.push({ url, range: req.headers.range });
    const body = files.get(url);
    if (!body) {
      res.writeHead(404).end('not found');
      return;
    }
    const fault = faults.get(url) ?? {};
    if (fault.rateLimit) {
      delete fault.rateLimit;
      res.writeHead(429, { 'Retry-After': '1' }).end('slow down');
      return;
    }
    let data = body;
    if (fault.corrupt && fault.corrupt > 0) {
      fault.corrupt--;
      data = Uint8Array.from(body);
      data[data.length >> 1]! ^= 0xff;
    }
    const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    if (m && !fault.ignoreRange) {
      const start = Number(m[1]);
      if (start >= data.length) {
        res.writeHead(416, { 'Content-Range': `bytes */${data.length}` }).end();
        return;
      }
      res.writeHead(206, {
        'Content-Range': `bytes ${start}-${data.length - 1}/${data.length}`,
        'Content-Length': data.length - start,
      });
      res.end(data.subarray(start));
      return;
    }
    res.writeHead(200, { 'Content-Length': data.length });
    if (fault.stallAfter !== undefined) {
      const n = fault.stallAfter;
      delete fault.stallAfter;
      res.write(data.subarray(0, n));
      return;
    }
    if (fault.cutAfter !== undefined) {
      const n = fault.cutAfter;
      delete fault.cutAfter;
      // Half a file, then the connection drops: what a flaky network or a Ctrl-C leaves behind.
      res.write(data.subarray(0, n), () => setTimeout(() => res.destroy(), 20));
      return;
    }
    res.end(data);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

beforeEach(async () => {
  files.clear();
  faults.clear();
  log.length = 0;
  dir = await mkdtemp(path.join(tmpdir(), 'stegavox-data-'));
  return () => rm(dir, { recursive: true, force: true });
});

/** A manifest of two small sets served from the mirror layout, with the bytes it describes. */
function fixtureSets(): { manifest: DataManifest; bytes: Map<string, Uint8Array> } {
  const bytes = new Map<string, Uint8Array>([
    ['photos/train/a.jpg', randomBytes(200_000)],
    ['photos/test/b.jpg', randomBytes(50_000)],
    ['photos/c d.png', randomBytes(3_000)],
    ['speech/recordings/0_x_0.wav', randomBytes(20_000)],
    ['speech/recordings/0_x_5.wav', randomBytes(20_000)],
  ]);
  const set = (name: string, folder: string) => ({
    name,
    folder,
    title: name,
    source: 'test',
    licence: 'test',
    baseUrl: `${base}/home/${name}/`,
    files: [...bytes]
      .filter(([p]) => p.startsWith(`${folder}/`))
      .map(([p, b]) => ({ path: p.slice(folder.length + 1), sha256: sha(b) })),
  });
  for (const [p, b] of bytes) serve(`/mirror/${p}`, b);
  return { manifest: { sets: [set('photos', 'photos'), set('speech', 'speech')] }, bytes };
}

async function expectLaidOut(bytes: Map<string, Uint8Array>, root = dir): Promise<void> {
  for (const [p, b] of bytes) expect(sha(await readFile(path.join(root, p))), p).toBe(sha(b));
}

describe('downloadSets', () => {
  it('fetches every file into the set folders, checks sha256, writes SHA256SUMS; a rerun fetches nothing', async () => {
    const { manifest, bytes } = fixtureSets();
    const events: string[] = [];
    const reports = await downloadSets({
      dir,
      manifest,
      baseUrl: `${base}/mirror`,
      onProgress: (e) => events.push(`${e.set} ${e.done}/${e.total}`),
    });
    expect(reports.map((r) => [r.name, r.fetched, r.verified, r.failures])).toEqual([
      ['photos', 3, 0, []],
      ['speech', 2, 0, []],
    ]);
    await expectLaidOut(bytes);
    expect(events.at(-1)).toBe('speech 2/2');
    const sums = parseSums(await readFile(path.join(dir, 'photos', 'SHA256SUMS'), 'utf8'));
    expect(sums).toEqual(manifest.sets[0]!.files);
    log.length = 0;
    const again = await downloadSets({ dir, manifest, baseUrl: `${base}/mirror` });
    expect(again.map((r) => [r.verified, r.fetched])).toEqual([
      [3, 0],
      [2, 0],
    ]);
    expect(log).toEqual([]);
  });

  it('an interrupted transfer resumes with a Range request and ends byte-identical', async () => {
    const { manifest, bytes } = fixtureSets();
    faults.set('/mirror/photos/train/a.jpg', { cutAfter: 80_000 });
    const [photos] = await downloadSets({
      dir,
      manifest,
      sets: ['photos'],
      baseUrl: `${base}/mirror`,
      retryDelayMs: 1,
    });
    expect(photos!.failures).toEqual([]);
    const tries = log.filter((l) => l.url === '/mirror/photos/train/a.jpg');
    expect(tries).toHaveLength(2);
    expect(tries[0]!.range).toBeUndefined();
    // The second try asks only for what is missing.
    expect(Number(/^bytes=(\d+)-$/.exec(tries[1]!.range ?? '')?.[1])).toBeGreaterThanOrEqual(80_000);
    await expectLaidOut(new Map([...bytes].filter(([p]) => p.startsWith('photos/'))));
    expect(existsSync(path.join(dir, 'photos/train/a.jpg.part'))).toBe(false);
  });

  it('a stalled transfer is dropped after stallMs and resumed', async () => {
    const { manifest, bytes } = fixtureSets();
    faults.set('/mirror/photos/train/a.jpg', { stallAfter: 64_000 });
    const [photos] = await downloadSets({
      dir,
      manifest,
      sets: ['photos'],
      baseUrl: `${base}/mirror`,
      retryDelayMs: 1,
      stallMs: 300,
    });
    expect(photos!.failures).toEqual([]);
    const tries = log.filter((l) => l.url === '/mirror/photos/train/a.jpg');
    expect(tries.map((t) => t.range)).toEqual([undefined, 'bytes=64000-']);
    await expectLaidOut(new Map([...bytes].filter(([p]) => p.startsWith('photos/'))));
  });

  it('a partial file left by an earlier run (killed) is continued, not restarted', async () => {
    const { manifest, bytes } = fixtureSets();
    const whole = bytes.get('speech/recordings/0_x_0.wav')!;
    await mkdir(path.join(dir, 'speech/recordings'), { recursive: true });
    await writeFile(path.join(dir, 'speech/recordings/0_x_0.wav.part'), whole.subarray(0, 12_345));
    const [speech] = await downloadSets({ dir, manifest, sets: ['speech'], baseUrl: `${base}/mirror` });
    expect(speech!.failures).toEqual([]);
    expect(log.find((l) => l.url.endsWith('0_x_0.wav'))!.range).toBe('bytes=12345-');
    expect(speech!.received).toBe(whole.length - 12_345 + 20_000);
    await expectLaidOut(new Map([...bytes].filter(([p]) => p.startsWith('speech/'))));
  });

  it('a server that ignores Range: the partial file is started again', async () => {
    const { manifest, bytes } = fixtureSets();
    const whole = bytes.get('speech/recordings/0_x_5.wav')!;
    faults.set('/mirror/speech/recordings/0_x_5.wav', { ignoreRange: true });
    await mkdir(path.join(dir, 'speech/recordings'), { recursive: true });
    await writeFile(path.join(dir, 'speech/recordings/0_x_5.wav.part'), whole.subarray(0, 5_000));
    const [speech] = await downloadSets({ dir, manifest, sets: ['speech'], baseUrl: `${base}/mirror` });
    expect(speech!.failures).toEqual([]);
    await expectLaidOut(new Map([...bytes].filter(([p]) => p.startsWith('speech/'))));
  });

  it('a checksum mismatch is refused and fetched again; one that persists is reported and nothing is kept', async () => {
    const { manifest, bytes } = fixtureSets();
    faults.set('/mirror/photos/test/b.jpg', { corrupt: 1 });
    faults.set('/mirror/photos/c d.png', { corrupt: 99 });
    const [photos] = await downloadSets({
      dir,
      manifest,
      sets: ['photos'],
      baseUrl: `${base}/mirror`,
      tries: 3,
      retryDelayMs: 1,
    });
    expect(sha(await readFile(path.join(dir, 'photos/test/b.jpg')))).toBe(sha(bytes.get('photos/test/b.jpg')!));
    expect(photos!.failures).toHaveLength(1);
    expect(photos!.failures[0]).toMatch(/^photos\/c d\.png: sha256 mismatch for .*c%20d\.png/);
    expect(existsSync(path.join(dir, 'photos/c d.png'))).toBe(false);
    expect(existsSync(path.join(dir, 'photos/c d.png.part'))).toBe(false);
    expect(log.filter((l) => l.url === '/mirror/photos/c d.png')).toHaveLength(3);
    // A wrong file already in place (a bad copy) is replaced, not trusted.
    faults.clear();
    await writeFile(path.join(dir, 'photos/train/a.jpg'), 'not the photo');
    const [fixed] = await downloadSets({ dir, manifest, sets: ['photos'], baseUrl: `${base}/mirror` });
    expect(fixed!.failures).toEqual([]);
    expect([fixed!.verified, fixed!.fetched]).toEqual([1, 2]);
    await expectLaidOut(new Map([...bytes].filter(([p]) => p.startsWith('photos/'))));
  });

  it('a 429 is retried after the Retry-After it names', async () => {
    const { manifest } = fixtureSets();
    faults.set('/mirror/speech/recordings/0_x_0.wav', { rateLimit: true });
    const started = Date.now();
    const [speech] = await downloadSets({
      dir,
      manifest,
      sets: ['speech'],
      baseUrl: `${base}/mirror`,
      retryDelayMs: 1,
    });
    expect(speech!.failures).toEqual([]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(log.filter((l) => l.url.endsWith('0_x_0.wav'))).toHaveLength(2);
  });

  it('a 404 is reported at once (no retries) and the other files still arrive', async () => {
    const { manifest } = fixtureSets();
    files.delete('/mirror/speech/recordings/0_x_5.wav');
    const [speech] = await downloadSets({ dir, manifest, sets: ['speech'], baseUrl: `${base}/mirror` });
    expect(speech!.failures).toEqual([
      `speech/recordings/0_x_5.wav: HTTP 404 Not Found for ${base}/mirror/speech/recordings/0_x_5.wav`,
    ]);
    expect(log.filter((l) => l.url.endsWith('0_x_5.wav'))).toHaveLength(1);
    expect(existsSync(path.join(dir, 'speech/recordings/0_x_0.wav'))).toBe(true);
  });

  it('without a mirror, each set comes from its own home (baseUrl + path)', async () => {
    const { manifest, bytes } = fixtureSets();
    for (const [p, b] of bytes) {
      const [folder, ...rest] = p.split('/');
      serve(`/home/${folder}/${rest.join('/')}`, b);
    }
    const reports = await downloadSets({ dir, manifest });
    expect(reports.flatMap((r) => r.failures)).toEqual([]);
    expect(log.every((l) => l.url.startsWith('/home/'))).toBe(true);
    await expectLaidOut(bytes);
  });

  it('unknown set names are refused', async () => {
    const { manifest } = fixtureSets();
    await expect(downloadSets({ dir, manifest, sets: ['photos', 'nope'] })).rejects.toThrow(/unknown data set "nope"/);
  });
});

/** A ustar archive of `entries` (names over 100 bytes get a GNU long-name record), for the tar reader. */
function tar(entries: Array<[string, Uint8Array]>): Uint8Array {
  const blocks: Uint8Array[] = [];
  const header = (name: string, size: number, type: string) => {
    const h = new Uint8Array(512);
    const put = (text: string, at: number) => h.set(new TextEncoder().encode(text), at);
    put(name.slice(0, 99), 0);
    put('0000644\0', 100);
    put(size.toString(8).padStart(11, '0') + '\0', 124);
    put(type, 156);
    put('ustar\x0000', 257);
    put('        ', 148);
    const sum = h.reduce((a, b) => a + b, 0);
    put(sum.toString(8).padStart(6, '0') + '\0 ', 148);
    return h;
  };
  const pad = (b: Uint8Array) => {
    const out = new Uint8Array(Math.ceil(b.length / 512) * 512);
    out.set(b);
    return out;
  };
  blocks.push(header('prefix-abc/', 0, '5'));
  for (const [name, data] of entries) {
    if (name.length > 99) {
      const long = new TextEncoder().encode(name + '\0');
      blocks.push(header('././@LongLink', long.length, 'L'), pad(long));
    }
    blocks.push(header(name, data.length, '0'), pad(data));
  }
  blocks.push(new Uint8Array(1024));
  const all = new Uint8Array(blocks.reduce((n, b) => n + b.length, 0));
  let o = 0;
  for (const b of blocks) {
    all.set(b, o);
    o += b.length;
  }
  return all;
}

describe('archives', () => {
  it('readTar: regular files in order, long names, directories skipped; a truncated archive throws', async () => {
    const long = `prefix-abc/${'deep/'.repeat(25)}file.wav`;
    const entries: Array<[string, Uint8Array]> = [
      ['prefix-abc/a.txt', new TextEncoder().encode('hello')],
      [long, randomBytes(1234)],
    ];
    const archive = tar(entries);
    const read = readTar(archive);
    expect(read.map((e) => e.path)).toEqual(['prefix-abc/a.txt', long]);
    expect(sha(read[1]!.data)).toBe(sha(entries[1]![1]));
    expect((await readTarGz(gzipSync(archive))).map((e) => e.path)).toEqual(['prefix-abc/a.txt', long]);
    expect(() => readTar(archive.subarray(0, 3072 + 500))).toThrow(/truncated/); // inside the long file's data
    expect(() => readTar(archive.subarray(0, 1536))).toThrow(/truncated/); // at a member boundary
  });

  it('a set published as a tar.gz: fetched (resumably), members checked and laid out, the archive removed', async () => {
    const { manifest, bytes } = fixtureSets();
    const speech = manifest.sets[1]!;
    const members = [...bytes].filter(([p]) => p.startsWith('speech/'));
    const archive = gzipSync(
      tar([
        ...members.map(([p, b]): [string, Uint8Array] => [`fsdd-1234/${p.slice('speech/'.length)}`, b]),
        ['fsdd-1234/README.md', new TextEncoder().encode('not wanted')],
      ]),
    );
    serve('/archives/speech.tar.gz', archive);
    faults.set('/archives/speech.tar.gz', { cutAfter: archive.length >> 1 });
    speech.archive = { url: `${base}/archives/speech.tar.gz`, format: 'tar.gz', prefix: 'fsdd-1234/' };
    const [report] = await downloadSets({ dir, manifest, sets: ['speech'], retryDelayMs: 1 });
    expect(report!.failures).toEqual([]);
    expect(report!.fetched).toBe(2);
    await expectLaidOut(new Map(members));
    expect(log.filter((l) => l.url === '/archives/speech.tar.gz').map((l) => l.range !== undefined)).toEqual([
      false,
      true,
    ]);
    expect(existsSync(path.join(dir, '.downloads', 'speech.tar.gz'))).toBe(false);
    // A member whose bytes differ from the manifest is refused.
    await rm(path.join(dir, 'speech'), { recursive: true });
    speech.files[0]!.sha256 = '0'.repeat(64);
    const [bad] = await downloadSets({ dir, manifest, sets: ['speech'] });
    expect(bad!.failures).toEqual([expect.stringMatching(/0_x_0\.wav: sha256 mismatch in the archive/)]);
    expect(existsSync(path.join(dir, 'speech/recordings/0_x_0.wav'))).toBe(false);
  });
});

describe('the built-in manifest', () => {
  it('lists the five sets with a sha256 for every file, in the folders the presets read', () => {
    const m = builtInManifest();
    expect(m.sets.map((s) => [s.name, s.folder, s.files.length])).toEqual([
      ['bsds500', 'bsds500', 400],
      ['fsdd', 'fsdd', 3000],
      ['kodak24', 'kodak24', 24],
      ['cbsd68', 'cbsd68', 68],
      ['cifar10', 'cifar10_test_subset', 2001],
    ]);
    for (const s of m.sets) {
      expect(s.baseUrl).toMatch(/^https:\/\/raw\.githubusercontent\.com\/[^/]+\/[^/]+\/[0-9a-f]{40}\//);
      expect(new Set(s.files.map((f) => f.path)).size).toBe(s.files.length);
    }
    const fsdd = m.sets.find((s) => s.name === 'fsdd')!;
    expect(fsdd.files.every((f) => /^recordings\/\d_[a-z]+_\d+\.wav$/.test(f.path))).toBe(true);
    const bsds = m.sets.find((s) => s.name === 'bsds500')!;
    expect(bsds.files.filter((f) => f.path.startsWith('train/'))).toHaveLength(200);
    expect(joinUrl(bsds.baseUrl, 'train/100075.jpg')).toBe(
      'https://raw.githubusercontent.com/Sisso16/ssn_pytorch/c4f9ac8c43397cbacbf2e2ba1505efafa769435d/BSR/BSDS500/data/images/train/100075.jpg',
    );
  });

  it("CIFAR-10's labels.csv is generated here and matches its recorded sha256", async () => {
    // Nothing is served: every JPEG fails with a 404, but labels.csv is made locally and checked.
    const [cifar] = await downloadSets({
      dir,
      manifest: builtInManifest(),
      sets: ['cifar10'],
      baseUrl: `${base}/nothing`,
      jobs: 16,
    });
    expect(cifar!.failures).toHaveLength(2000);
    expect(cifar!.failures.some((f) => f.includes('labels.csv'))).toBe(false);
    const csv = await readFile(path.join(dir, 'cifar10_test_subset', 'labels.csv'), 'utf8');
    expect(csv.split('\n').slice(0, 2)).toEqual(['path,label,class_name', 'airplane/0000.jpg,0,airplane']);
  });

  it('parseManifest refuses malformed manifests', () => {
    expect(() => parseManifest('{')).toThrow(/not JSON/);
    expect(() => parseManifest('{"sets": [{"name": "a"}]}')).toThrow(/"name", "folder" and "baseUrl"/);
    expect(() =>
      parseManifest(
        '{"sets": [{"name": "a", "folder": "a", "baseUrl": "x", "files": [{"path": "../e", "sha256": "0"}]}]}',
      ),
    ).toThrow(/relative "path" and a hex "sha256"/);
  });
});

describe('stegavox data (the CLI)', () => {
  function cli(args: string[], env: Record<string, string> = {}) {
    return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
      execFile(
        process.execPath,
        [BIN, 'data', ...args],
        { cwd: ROOT, timeout: 60_000, env: { ...process.env, ...env } },
        (error, stdout, stderr) =>
          resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr }),
      ),
    );
  }

  it('downloads from $STEGAVOX_DATA_URL with an injected manifest: progress on stderr, summary on stdout', async () => {
    const { manifest, bytes } = fixtureSets();
    await writeFile(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
    const out = path.join(dir, 'data');
    const run = await cli(['--dir', out, '--manifest', path.join(dir, 'manifest.json')], {
      STEGAVOX_DATA_URL: `${base}/mirror`,
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/^downloading photos, speech into .* from http/);
    expect(run.stderr).toMatch(/speech: 2\/2 files/);
    expect(run.stdout).toMatch(/^photos: 3\/3 files in .*\(0 already there, 3 fetched/m);
    await expectLaidOut(bytes, out);
    const again = await cli([
      '--dir',
      out,
      '--manifest',
      path.join(dir, 'manifest.json'),
      '--base-url',
      `${base}/mirror`,
    ]);
    expect(again.stdout).toMatch(/^speech: 2\/2 files in .*\(2 already there, 0 fetched/m);
  });

  it('a 404 ends with exit 1 and a last line saying to run it again; an unknown set is a usage error', async () => {
    const { manifest } = fixtureSets();
    files.delete('/mirror/photos/test/b.jpg');
    await writeFile(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
    const args = ['--dir', path.join(dir, 'data'), '--manifest', path.join(dir, 'manifest.json')];
    const run = await cli([...args, '--base-url', `${base}/mirror`]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/photos\/test\/b\.jpg: HTTP 404/);
    expect(run.stderr.trimEnd().split('\n').at(-1)).toMatch(
      /^stegavox data: 1 file could not be fetched or did not match their sha256; run the same command again/,
    );
    const unknown = await cli([...args, '--sets', 'photos,kodak', '--base-url', `${base}/mirror`]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^stegavox data: --sets: unknown set "kodak"/);
    const badUrl = await cli([...args, '--base-url', 'ftp://x']);
    expect(badUrl.code).toBe(2);
  });
});
