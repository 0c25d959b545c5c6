/** Multi-threaded tfjs-wasm for training: initBackend's threads option and `stegavox train --threads`. */
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BackendUnavailableError, initBackend } from '../../src/node/backend.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = path.join(ROOT, 'bin', 'stegavox.mjs');
const CHILD = path.join(ROOT, 'test', 'node', 'wasm-threads.child.ts');
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, args, { cwd: ROOT, timeout: 120_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

interface ChildResult {
  backend: string;
  threads: number;
  losses: number[];
}

/** One child process per thread count: a process's wasm backend starts only once, threaded or not. */
async function child(threads: number): Promise<ChildResult> {
  const r = await run(['--import', TSX_LOADER, CHILD, String(threads)]);
  // Exit status 0 also shows the threaded build's pool workers do not keep the process alive.
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as ChildResult;
}

describe('wasm threads', () => {
  it('threads 2 starts the threaded build with 2 threads, and trains to the same losses as threads 1', async () => {
    const one = await child(1);
    const two = await child(2);
    expect(one.backend).toBe('wasm');
    expect(one.threads).toBe(1);
    expect(two.backend).toBe('wasm');
    expect(two.threads).toBe(2);
    expect(one.losses).toHaveLength(2);
    for (const [i, loss] of one.losses.entries()) {
      expect(Number.isFinite(loss)).toBe(true);
      expect(Math.abs(two.losses[i]! - loss)).toBeLessThan(1e-5 * Math.max(1, Math.abs(loss)));
    }
  }, 240_000);

  it('initBackend refuses bad thread counts, and threads on a backend other than wasm', async () => {
    for (const threads of [0, -1, 1.5, Number.NaN]) {
      await expect(initBackend('wasm', { threads })).rejects.toBeInstanceOf(BackendUnavailableError);
    }
    await expect(initBackend('cpu', { threads: 2 })).rejects.toThrow(/only the wasm backend/);
  });

  it('stegavox train refuses a bad --threads with exit status 2', async () => {
    for (const args of [
      ['--threads', '0'],
      ['--threads=-1'],
      ['--threads', '-1'],
      ['--threads', 'x'],
      ['--threads', '1.5'],
      ['--backend', 'cpu', '--threads', '2'],
    ]) {
      const r = await run([BIN, 'train', ...args]);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr.split('\n')[0]).toMatch(/^stegavox train: /);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  }, 120_000);
});
