/** Node shim that lets tfjs-wasm 4.22 run its threaded SIMD build (XNNPACK thread pool) in Node, and its check. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';

/**
 * Makes tfjs-wasm 4.22 load its threaded SIMD build in Node with `threads` XNNPACK threads. Stock, it refuses:
 * (1) `WASM_HAS_MULTITHREAD_SUPPORT` is false whenever `IS_NODE` (tensorflow/tfjs#3830); (2) forced on, the
 * pthread workers are `new Worker('blob:…')`, which Node's worker_threads rejects (ERR_WORKER_PATH), and the worker
 * would load the main script from a Blob too; (3) the C side caps the pool at os.cpus().length / 2 (it assumes two
 * hyperthreads per core), i.e. 1 thread on a 2-vCPU machine. So: the worker script is written to a temp file and
 * told to load the package's own threaded-simd.js, and os.cpus() reports 2·threads entries while the module starts.
 * The pthread workers are also kept from holding the process open (Emscripten refs a worker while its thread runs,
 * and the pool's threads never end), so a command exits when its work is done.
 * Call before the backend initialises; {@link checkWasmThreads} afterwards says whether it took.
 * @returns a function that restores os.cpus and worker_threads.Worker (call it once the backend is ready).
 */
export function enableNodeWasmThreads(threads: number): () => void {
  const require = createRequire(import.meta.url);
  const mainScript = join(
    dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')),
    'wasm-out',
    'tfjs-backend-wasm-threaded-simd.js',
  );
  const dir = mkdtempSync(join(os.tmpdir(), 'stegavox-wasm-threads-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  const texts = new WeakMap<Blob, string>();
  const NativeBlob = globalThis.Blob;
  class RecordingBlob extends NativeBlob {
    constructor(parts?: BlobPart[], options?: BlobPropertyBag) {
      super(parts, options);
      if (parts?.every((p) => typeof p === 'string')) texts.set(this, (parts as string[]).join(''));
    }
  }
  globalThis.Blob = RecordingBlob;
  const nativeCreateObjectURL = URL.createObjectURL.bind(URL);
  URL.createObjectURL = (obj: Blob) => {
    const text = texts.get(obj);
    if (text === undefined || !text.includes('importScripts')) return nativeCreateObjectURL(obj);
    const marker = 'typeof e.data.urlOrBlob=="string"';
    if (!text.includes(marker))
      throw new Error('tfjs-wasm pthread worker script has changed; the Node threads shim needs updating');
    const path = join(dir, 'tfjs-backend-wasm-threaded-simd.worker.js');
    writeFileSync(path, text.replace(marker, `(e.data.urlOrBlob=${JSON.stringify(mainScript)},true)`));
    return path;
  };
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  // Emscripten takes its Worker class from require('worker_threads') when the module loads.
  const workerThreads = require('node:worker_threads') as typeof import('node:worker_threads');
  const NativeWorker = workerThreads.Worker;
  workerThreads.Worker = class PoolWorker extends NativeWorker {
    override ref(): void {}
  };
  const realCpus = os.cpus;
  os.cpus = () => {
    const cpus = realCpus();
    return Array.from({ length: 2 * threads }, (_, i) => cpus[i % cpus.length]!);
  };
  return () => {
    os.cpus = realCpus;
    workerThreads.Worker = NativeWorker;
  };
}

/** Null when the active wasm backend runs `threads` XNNPACK threads, else why not. */
export async function checkWasmThreads(threads: number): Promise<string | null> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  const actual = wasm.getThreadsCount();
  return actual === threads ? null : `tfjs-wasm started with ${actual} thread(s) instead of ${threads}`;
}
