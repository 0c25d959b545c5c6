/** Bench server control: `wrangler dev --local` on a free port with a private state folder, weights put into its local R2, the dry-run bundle. */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

/** Repository root (bench/..). */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const WRANGLER = path.join(ROOT, 'node_modules', '.bin', 'wrangler');
const BUCKET = 'stegavox-weights';
/** Starting wrangler (esbuild + workerd) on a busy 2-core machine: a budget, not a measurement. */
const START_BUDGET_MS = 180_000;

const ENV = {
  ...process.env,
  WRANGLER_SEND_METRICS: 'false',
  CLOUDFLARE_CF_FETCH_ENABLED: 'false',
  CI: 'true',
  FORCE_COLOR: '0',
  NO_COLOR: '1',
};

/** Every process group this module started and has not stopped yet, killed if the bench exits early. */
const live = new Set<number>();
process.on('exit', () => {
  for (const pid of live) killGroup(pid, 'SIGKILL');
});

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    /* already gone */
  }
}

/** Stops every wrangler this module started (for signal handlers). */
export function killAll(): void {
  for (const pid of live) killGroup(pid, 'SIGKILL');
  live.clear();
}

/** A TCP port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Runs a wrangler command to completion; rejects with its output on a non-zero exit. */
function runWrangler(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(WRANGLER, args, { cwd: ROOT, env: ENV, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c) => (out += String(c)));
    child.stderr.on('data', (c) => (out += String(c)));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`wrangler ${args.join(' ')} exited ${code}:\n${out.slice(-4000)}`)),
    );
  });
}

/** A fresh private folder for wrangler's local state (R2, caches); the caller removes it with {@link removeState}. */
export function makeStateDir(): Promise<string> {
  return mkdtemp(path.join(tmpdir(), 'stegavox-bench-'));
}

/** Removes a folder made by {@link makeStateDir}. */
export function removeState(dir: string): Promise<void> {
  return rm(dir, { recursive: true, force: true });
}

/** The worker's R2 key prefix and body limit, read from wrangler.toml as the worker does. */
export function wranglerVars(): { weightsPrefix: string; maxBodyBytes: number; maxPixels: number } {
  const toml = readFileSync(path.join(ROOT, 'wrangler.toml'), 'utf8');
  const v = (name: string) => new RegExp(`^\\s*${name}\\s*=\\s*"([^"]*)"`, 'm').exec(toml)?.[1];
  return {
    weightsPrefix: v('WEIGHTS_PREFIX') ?? 'stegavox/default/',
    maxBodyBytes: Number(v('MAX_BODY_BYTES') ?? 16 * 1024 * 1024),
    maxPixels: Number(v('MAX_PIXELS') ?? 1024 * 1024),
  };
}

/**
 * Puts `weights/` into the local R2 of `stateDir` with the same `wrangler r2 object put` that
 * `npm run weights:upload` runs (that script has no --persist-to, and the bench must not touch the user's .wrangler/).
 */
export async function uploadWeights(stateDir: string): Promise<void> {
  const { weightsPrefix } = wranglerVars();
  for (const [file, type] of [
    ['model.bin', 'application/octet-stream'],
    ['manifest.json', 'application/json'],
  ] as const) {
    await runWrangler([
      'r2',
      'object',
      'put',
      `${BUCKET}/${weightsPrefix}${file}`,
      '--file',
      path.join(ROOT, 'weights', file),
      '--content-type',
      type,
      '--local',
      '--persist-to',
      stateDir,
    ]);
  }
}

/** A running `wrangler dev`. */
export interface DevServer {
  url: string;
  pid: number;
  /** From spawn until the static page answered (the user worker has not run yet). */
  startMs: number;
  stop(): Promise<void>;
}

/**
 * Starts `wrangler dev --local` and waits until a static asset answers. Assets are served without running the
 * worker's code, so the first /api request afterwards is the first request the fresh isolate handles.
 */
export async function startDev(stateDir: string): Promise<DevServer> {
  const port = await freePort();
  const inspectorPort = await freePort();
  const t0 = performance.now();
  const child: ChildProcess = spawn(
    WRANGLER,
    [
      'dev',
      '--local',
      '--ip',
      '127.0.0.1',
      '--port',
      String(port),
      '--inspector-port',
      String(inspectorPort),
      '--persist-to',
      stateDir,
      '--show-interactive-dev-session=false',
      '--log-level',
      'warn',
    ],
    // Own process group, so stopping it also stops the workerd it starts.
    { cwd: ROOT, env: ENV, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const pid = child.pid!;
  live.add(pid);
  let output = '';
  const keep = (c: unknown) => (output = (output + String(c)).slice(-8000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  let exited: string | null = null;
  const exit = new Promise<void>((resolve) =>
    child.on('exit', (code, signal) => {
      exited = `code ${code}, signal ${signal}`;
      resolve();
    }),
  );

  const stop = async () => {
    if (!live.has(pid)) return;
    live.delete(pid);
    if (!exited) {
      killGroup(pid, 'SIGTERM');
      const timer = setTimeout(() => killGroup(pid, 'SIGKILL'), 5000);
      await exit;
      clearTimeout(timer);
    }
    // The group may outlive its leader (workerd children).
    killGroup(pid, 'SIGKILL');
  };

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + START_BUDGET_MS;
  while (Date.now() < deadline) {
    if (exited) throw new Error(`wrangler dev exited (${exited}) before it served:\n${output}`);
    if (/Build failed/.test(output)) {
      await stop();
      throw new Error(`wrangler dev could not build the worker:\n${output}`);
    }
    try {
      const res = await fetch(`${url}/favicon.svg`);
      await res.arrayBuffer();
      if (res.ok) return { url, pid, startMs: performance.now() - t0, stop };
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  throw new Error(`wrangler dev did not serve within ${START_BUDGET_MS / 1000} s:\n${output}`);
}

/** One file of the deployable bundle. */
export interface BundleFile {
  file: string;
  bytes: number;
  gzipBytes: number;
}

/** What `wrangler deploy --dry-run` would upload: each file raw and gzipped (level 9), and wrangler's own total line. */
export interface BundleSize {
  files: BundleFile[];
  totalBytes: number;
  totalGzipBytes: number;
  /** Static assets (worker/public), uploaded separately from the worker script. */
  assetsBytes: number;
  assetsGzipBytes: number;
  wranglerSays: string | null;
}

async function gzipSizes(dir: string, skip: (name: string) => boolean): Promise<BundleFile[]> {
  const files: BundleFile[] = [];
  for (const entry of await readdir(dir, { recursive: true })) {
    const full = path.join(dir, entry);
    if (!(await stat(full)).isFile() || skip(entry)) continue;
    const bytes = await readFile(full);
    files.push({ file: entry, bytes: bytes.length, gzipBytes: gzipSync(bytes, { level: 9 }).length });
  }
  return files.sort((a, b) => b.bytes - a.bytes);
}

/** Builds the deployable worker with `wrangler deploy --dry-run --outdir` and measures it. */
export async function bundleSize(): Promise<BundleSize> {
  const outdir = await mkdtemp(path.join(tmpdir(), 'stegavox-bundle-'));
  try {
    const said = await runWrangler(['deploy', '--dry-run', '--outdir', outdir]);
    // Source maps, build metadata and the README wrangler writes there are not uploaded.
    const files = await gzipSizes(outdir, (name) => /\.(map|json|md)$/.test(name));
    const assets = await gzipSizes(path.join(ROOT, 'worker', 'public'), () => false);
    return {
      files,
      totalBytes: files.reduce((s, f) => s + f.bytes, 0),
      totalGzipBytes: files.reduce((s, f) => s + f.gzipBytes, 0),
      assetsBytes: assets.reduce((s, f) => s + f.bytes, 0),
      assetsGzipBytes: assets.reduce((s, f) => s + f.gzipBytes, 0),
      wranglerSays: /Total Upload:[^\n]*/.exec(said)?.[0]?.trim() ?? null,
    };
  } finally {
    await rm(outdir, { recursive: true, force: true });
  }
}
