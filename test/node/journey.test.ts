// The outsider's training journey on a clean clone, end to end with no ../shared and no internet: `stegavox data` from
// a local mirror, a short `train`, `eval` with figures, `export`, `weights:upload` into local R2, and the worker
// (wrangler dev on that R2 state) serving the new version, as /api/health shows.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error a plain ES module without types (the browser test's wrangler dev launcher)
import { startWorker } from '../browser/dev-server.mjs';

const ROOT = path.resolve(import.meta.dirname, '../..');
const FIXTURES = path.join(ROOT, 'test/fixtures/real');
const SPEAKERS = ['jackson', 'nicolas', 'theo', 'yweweler', 'george', 'lucas'];
const work = path.join(tmpdir(), `stegavox-journey-${process.pid}`);
const mirror = path.join(work, 'mirror');
let server: Server;
let baseUrl = '';

/** Runs the CLI (or a script) to completion; resolves with its exit code and output. */
function run(args: string[], timeoutMs = 300_000): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, WRANGLER_SEND_METRICS: 'false' } });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

beforeAll(async () => {
  rmSync(work, { recursive: true, force: true });
  // A tiny mirror laid out like the data folder: BSDS-like JPEGs for training, FSDD-named recordings (indices 0–4
  // evaluation, 5 and up training), two Kodak-like PNGs for evaluation, all cut from the committed fixtures.
  const files: Record<string, Array<{ path: string; sha256: string }>> = { bsds500: [], fsdd: [], kodak24: [] };
  const put = (set: string, folder: string, rel: string, bytes: Uint8Array) => {
    const target = path.join(mirror, folder, rel);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, bytes);
    files[set]!.push({ path: rel, sha256: sha256(bytes) });
  };
  const kodak = path.join(FIXTURES, 'kodim23-crop256.png');
  for (let i = 0; i < 6; i++) {
    const jpg = await sharp(kodak)
      .extract({ left: (i % 3) * 64, top: Math.floor(i / 3) * 96, width: 128, height: 128 })
      .jpeg({ quality: 90 })
      .toBuffer();
    put('bsds500', 'bsds500', `${i < 4 ? 'train' : 'test'}/${i}.jpg`, new Uint8Array(jpg));
  }
  for (const [k, s] of SPEAKERS.entries())
    for (const index of [0, 5, 6])
      put(
        'fsdd',
        'fsdd/recordings',
        `${k % 10}_${s}_${index}.wav`,
        new Uint8Array(readFileSync(path.join(FIXTURES, `3_${s}_0.wav`))),
      );
  for (let i = 0; i < 2; i++) {
    const png = await sharp(kodak)
      .extract({ left: i * 64, top: 0, width: 192, height: 128 })
      .png()
      .toBuffer();
    put('kodak24', 'kodak24', `kodim0${i + 1}.png`, new Uint8Array(png));
  }
  const sets = [
    { name: 'bsds500', folder: 'bsds500', baseUrl: 'https://example.invalid/bsds/', files: files.bsds500 },
    { name: 'fsdd', folder: 'fsdd/recordings', baseUrl: 'https://example.invalid/fsdd/', files: files.fsdd },
    { name: 'kodak24', folder: 'kodak24', baseUrl: 'https://example.invalid/kodak/', files: files.kodak24 },
  ];
  writeFileSync(path.join(work, 'manifest.json'), JSON.stringify({ sets }));
  server = createServer((req, res) => {
    const file = path.join(mirror, decodeURIComponent(new URL(req.url!, 'http://x').pathname));
    if (!file.startsWith(mirror) || !existsSync(file)) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  rmSync(work, { recursive: true, force: true });
});

describe("the outsider's journey", () => {
  it('data → train → eval → export → weights:upload → the worker serves the new version', async () => {
    const cli = path.join(ROOT, 'bin/stegavox.mjs');
    const data = path.join(work, 'data');
    const got = await run([
      cli,
      'data',
      '--dir',
      data,
      '--manifest',
      path.join(work, 'manifest.json'),
      '--base-url',
      baseUrl,
    ]);
    expect(got.code, got.out).toBe(0);
    expect(existsSync(path.join(data, 'fsdd/recordings/0_jackson_5.wav'))).toBe(true);

    const weights = path.join(work, 'weights');
    const trained = await run([
      cli,
      'train',
      '--data',
      data,
      '--steps',
      '3',
      '--batch',
      '4',
      '--crop',
      '32',
      '--run',
      path.join(work, 'run'),
      '--export',
      weights,
      '--version',
      'journey-1',
    ]);
    expect(trained.code, trained.out).toBe(0);
    expect(JSON.parse(readFileSync(path.join(weights, 'manifest.json'), 'utf8'))).toMatchObject({
      version: 'journey-1',
    });

    const evaluated = await run([
      cli,
      'eval',
      '--weights',
      weights,
      '--data',
      data,
      '--images',
      path.join(data, 'kodak24'),
      '--limit',
      '2',
      '--out',
      path.join(work, 'eval'),
    ]);
    expect(evaluated.code, evaluated.out).toBe(0);
    const figures = JSON.parse(readFileSync(path.join(work, 'eval/eval.json'), 'utf8'));
    expect(figures.model).toBe('journey-1');
    expect(figures.results).toHaveLength(2);
    expect(Number.isFinite(figures.results[0].psnr)).toBe(true);

    const state = path.join(work, 'state');
    const uploaded = await run([
      path.join(ROOT, 'scripts/upload-weights.mjs'),
      '--dir',
      weights,
      '--persist-to',
      state,
    ]);
    expect(uploaded.code, uploaded.out).toBe(0);
    const worker = await startWorker({ root: ROOT, stateDir: state, log: () => {} });
    try {
      const health = (await (await fetch(`${worker.url}/api/health`)).json()) as {
        model: { version: string; source: string };
      };
      expect(health.model).toMatchObject({ version: 'journey-1', source: 'r2' });
    } finally {
      await worker.stop();
    }
  }, 900_000);
});
