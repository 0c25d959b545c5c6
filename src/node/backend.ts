/** Picks and initialises the tfjs backend training runs on: wasm (default), cpu, tensorflow (tfjs-node) or webgpu (Dawn). */
import * as tf from '@tensorflow/tfjs-core';
import { registerWasmGradKernels } from '../schemes/neural/wasm-grad-kernels.js';
import { checkWasmThreads, enableNodeWasmThreads } from './wasm-threads.js';

/** Backends training can run on. */
export type TrainingBackend = 'wasm' | 'cpu' | 'tensorflow' | 'webgpu';

/** Every {@link TrainingBackend}, in order of preference for this project. */
export const TRAINING_BACKENDS: readonly TrainingBackend[] = ['wasm', 'cpu', 'tensorflow', 'webgpu'];

/** The backend asked for cannot start here (e.g. tfjs-node not installed); `message` says how to get it. */
export class BackendUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BackendUnavailableError';
  }
}

/** The tfjs-node packages, GPU build first. Not dependencies: libtensorflow cannot be fetched on this machine. */
const NODE_PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'] as const;
const INSTALL_HINT =
  `npm install @tensorflow/tfjs-node@${tf.version_core} (or @tensorflow/tfjs-node-gpu@${tf.version_core} ` +
  'with CUDA 11.2 / cuDNN 8.1); its install script downloads libtensorflow, so it needs internet access';

function isModuleNotFound(e: unknown, pkg: string): boolean {
  const err = e as { code?: string; message?: string };
  return (
    (err?.code === 'ERR_MODULE_NOT_FOUND' || err?.code === 'MODULE_NOT_FOUND') &&
    typeof err.message === 'string' &&
    err.message.includes(pkg)
  );
}

/**
 * Imports tfjs-node (GPU build if installed, else CPU build), which registers the `tensorflow` backend.
 * Both register into `@tensorflow/tfjs`'s core, which here is the same module as the `@tensorflow/tfjs-core` the
 * shared code imports: all are 4.22.0 and `npm ls @tensorflow/tfjs-core` shows one copy, deduped (and tfjs keeps
 * its engine on the global object, so the registry is shared either way). Install tfjs-node at that same version.
 */
async function loadTfjsNode(): Promise<void> {
  const failures: string[] = [];
  for (const pkg of NODE_PACKAGES) {
    try {
      // A variable specifier: these packages are optional, so neither tsc nor bundlers may resolve them.
      const specifier: string = pkg;
      await import(specifier);
      return;
    } catch (e) {
      if (isModuleNotFound(e, pkg)) failures.push(`${pkg}: not installed`);
      else failures.push(`${pkg}: failed to load (${e instanceof Error ? e.message : String(e)})`);
    }
  }
  throw new BackendUnavailableError(
    `The 'tensorflow' backend needs tfjs-node, which is not usable here (${failures.join('; ')}). ` +
      `Install it with: ${INSTALL_HINT}.`,
  );
}

/**
 * Node's WebGPU: Google's `webgpu` package (Dawn, prebuilt for Linux, macOS and Windows; it needs a Vulkan, Metal or
 * D3D12 driver, not a CUDA toolkit that matches libtensorflow's). Not a dependency: a native binary most users of
 * stegavox never need.
 */
const WEBGPU_HINT = 'npm install --no-save webgpu@0.6 (Dawn; needs a GPU driver with Vulkan, Metal or D3D12)';

/**
 * Starts Dawn, publishes its WebGPU objects as the globals tfjs expects (`navigator.gpu`, `GPUBufferUsage`, …), checks
 * that an adapter exists, then loads `@tensorflow/tfjs-backend-webgpu`, which registers the `webgpu` backend with
 * every kernel training needs (its conv gradients included; test/node/backend-kernels.test.ts checks the list).
 */
async function loadWebgpu(): Promise<void> {
  let dawn: { create: (flags: string[]) => { requestAdapter: () => Promise<unknown> }; globals: object };
  try {
    const specifier: string = 'webgpu';
    dawn = await import(specifier);
  } catch (e) {
    throw new BackendUnavailableError(
      `The 'webgpu' backend needs Node WebGPU bindings (${isModuleNotFound(e, 'webgpu') ? 'not installed' : String(e)}). ` +
        `Install them with: ${WEBGPU_HINT}.`,
    );
  }
  Object.assign(globalThis, dawn.globals);
  const gpu = dawn.create([]);
  const holder = globalThis as { navigator?: { gpu?: unknown } };
  if (holder.navigator) Object.defineProperty(holder.navigator, 'gpu', { value: gpu, configurable: true });
  else holder.navigator = { gpu };
  if (!(await gpu.requestAdapter()))
    throw new BackendUnavailableError(
      "The 'webgpu' backend found no GPU adapter (Dawn saw no usable Vulkan, Metal or D3D12 device on this machine).",
    );
  await import('@tensorflow/tfjs-backend-webgpu');
}

/**
 * Registers tfjs's gradient functions (tf.grads fails with "gradient function not found" without them).
 * `@tensorflow/tfjs-core`'s Node bundle ships none; its ESM `register_all_gradients.js` cannot be loaded by Node
 * (no `"type": "module"`), so this loads the `@tensorflow/tfjs` bundle, which registers them into the same core
 * (~0.6 s once). Idempotent.
 */
export async function ensureGradients(): Promise<void> {
  if (tf.getGradient('Conv2D')) return;
  await import('@tensorflow/tfjs');
}

/** Options of {@link initBackend}. */
export interface BackendOptions {
  /**
   * XNNPACK threads of the wasm backend (default 1: the unthreaded SIMD build). 2 or more loads the threaded SIMD
   * build through the Node shim ({@link enableNodeWasmThreads}); only `wasm` takes more than 1.
   */
  threads?: number;
}

/**
 * Initialises and activates a training backend, with gradients registered ({@link ensureGradients}); resolves to
 * the active backend's name. For `wasm` this also registers the conv2d gradient kernels wasm lacks
 * ({@link registerWasmGradKernels}).
 * @throws BackendUnavailableError when the backend cannot start (tfjs-node missing, wasm binary not loadable), or
 * `threads` is not a positive integer, is above 1 for a backend other than wasm, or did not take (e.g. the wasm
 * backend had already started unthreaded in this process).
 */
export async function initBackend(name: TrainingBackend, options: BackendOptions = {}): Promise<string> {
  const threads = options.threads ?? 1;
  if (!Number.isInteger(threads) || threads < 1)
    throw new BackendUnavailableError(`threads must be a positive integer, got ${String(threads)}.`);
  if (threads > 1 && name !== 'wasm')
    throw new BackendUnavailableError(`threads ${threads}: only the wasm backend runs more than one thread here.`);
  let restore = (): void => {};
  try {
    if (threads > 1) restore = enableNodeWasmThreads(threads);
    await activate(name);
  } finally {
    restore();
  }
  if (threads > 1) {
    const why = await checkWasmThreads(threads);
    if (why)
      throw new BackendUnavailableError(`The threaded wasm build did not start in Node ${process.version}: ${why}.`);
  }
  await tf.ready();
  await ensureGradients();
  return tf.getBackend();
}

/** Imports and activates backend `name` (see {@link initBackend}). */
async function activate(name: TrainingBackend): Promise<void> {
  switch (name) {
    case 'wasm':
      await import('@tensorflow/tfjs-backend-wasm');
      registerWasmGradKernels();
      break;
    case 'cpu':
      await import('@tensorflow/tfjs-backend-cpu');
      break;
    case 'tensorflow':
      await loadTfjsNode();
      break;
    case 'webgpu':
      await loadWebgpu();
      break;
    default:
      throw new BackendUnavailableError(
        `Unknown backend '${String(name)}'; expected one of ${TRAINING_BACKENDS.join(', ')}.`,
      );
  }
  let ok: boolean;
  try {
    ok = await tf.setBackend(name);
  } catch (e) {
    throw new BackendUnavailableError(`Backend '${name}' failed to initialise: ${String(e)}`, { cause: e });
  }
  if (!ok) throw new BackendUnavailableError(`Backend '${name}' failed to initialise (see the warning above).`);
}
