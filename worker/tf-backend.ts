/** The tfjs WASM backend inside workerd: the bundled SIMD module instantiated through Emscripten's hook, once per isolate. */
import * as tf from '@tensorflow/tfjs-core';
// Importing the package registers its wasm kernels (for the backend named 'wasm') and exports the backend class.
import { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { BackendWasmModule, WasmFactoryConfig } from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm.js';
import wasmFactory from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm.js';
// wrangler's CompiledWasm rule turns this into a WebAssembly.Module at deploy time: workerd refuses to compile wasm
// from bytes at run time ("Wasm code generation disallowed by embedder"), so the stock setBackend('wasm') cannot work.
import simdModule from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm';
import { registerFastConcat } from './wasm-concat.js';

/** Name the kernels are registered under; the health endpoint reports it. */
export const BACKEND_NAME = 'wasm';

let ready: Promise<void> | null = null;

/**
 * Makes the WASM backend the active tfjs backend. Memoised per isolate; a failed initialisation is forgotten so
 * the next call tries again.
 */
export function ensureBackend(): Promise<void> {
  if (!ready) {
    ready = initBackend().catch((error: unknown) => {
      ready = null;
      throw error;
    });
  }
  return ready;
}

/** The Emscripten module as the glue builds it: the runtime's cwrap is exported but not in the package's types. */
type GlueModule = BackendWasmModule & {
  cwrap(name: string, returnType: string | null, argTypes: string[]): (...args: number[]) => number;
};

async function initBackend(): Promise<void> {
  const wasm = (await instantiate()) as GlueModule;
  // The same wrappers the package's own init() creates (dist/backend_wasm.js); BackendWasm calls them.
  wasm.tfjs = {
    init: wasm.cwrap('init', null, []),
    initWithThreadsCount: wasm.cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: wasm.cwrap('get_threads_count', 'number', []),
    registerTensor: wasm.cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: wasm.cwrap('dispose_data', null, ['number']),
    dispose: wasm.cwrap('dispose', null, []),
  } as BackendWasmModule['tfjs'];
  // Replace the package's registration (whose factory fetches and compiles the .wasm) with one over our instance.
  tf.removeBackend(BACKEND_NAME);
  tf.registerBackend(BACKEND_NAME, () => new BackendWasm(wasm), 2);
  if (!(await tf.setBackend(BACKEND_NAME))) throw new Error('tfjs: the wasm backend failed to initialise');
  // The stock Concat is a JS loop per pixel: ~100 ms on a fresh isolate's first inference (see wasm-concat.ts).
  if (!fastConcat) fastConcat = registerFastConcat();
}

/** Installed once per isolate; a retried initialisation keeps it. */
let fastConcat: ReturnType<typeof registerFastConcat> | null = null;

function instantiate(): Promise<BackendWasmModule> {
  return new Promise<BackendWasmModule>((resolve, reject) => {
    const config: WasmFactoryConfig = {
      // Emscripten hands us its import object; we instantiate the precompiled module (allowed in workerd).
      instantiateWasm(
        imports: WebAssembly.Imports,
        done: (instance: WebAssembly.Instance, module: WebAssembly.Module) => void,
      ) {
        WebAssembly.instantiate(simdModule, imports).then((instance) => done(instance, simdModule), reject);
        return {};
      },
      locateFile: (path: string) => path,
      onAbort: (message: string) => reject(new Error(`tfjs wasm aborted: ${message}`)),
    };
    wasmFactory(config).then(resolve, reject);
  });
}
