/** A faster tfjs-wasm Concat for the nets' channel concatenations: native copies and transposes instead of a JS loop per pixel. */
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

type KernelArgs = Parameters<tf.KernelFunc>[0];

/**
 * Concatenates float32 tensors along the last axis (same leading dimensions), or returns null for any other case.
 *
 * tfjs-wasm's own Concat is JavaScript: for channel concatenation it makes one subarray and one copy per pixel and
 * input (37k of each for a 256×192 region), which costs ~100 ms (plus garbage collection) the first time it runs in
 * a fresh isolate, before V8 has optimised it. Here every input is cut into groups of g channels (g = the greatest
 * common divisor of the channel counts), the groups are laid one after another as [groups, pixels, g] (native
 * copies, and a wasm transpose for an input of several groups), and one wasm transpose makes that
 * [pixels, groups, g], which is the concatenation: no per-pixel JavaScript at all. Only the order of values
 * changes, so the result is bit-identical.
 */
function concatLastAxis(args: KernelArgs, transpose: tf.KernelFunc): tf.TensorInfo | null {
  const xs = args.inputs as unknown as tf.TensorInfo[];
  const attrs = args.attrs as { axis?: number | number[] } | undefined;
  if (!Array.isArray(xs) || xs.length < 2) return null;
  const lead = xs[0]!.shape.slice(0, -1);
  const rank = lead.length + 1;
  if (rank < 2) return null;
  const rawAxis = Array.isArray(attrs?.axis) ? attrs!.axis[0] : attrs?.axis;
  if (typeof rawAxis !== 'number' || (rawAxis !== -1 && rawAxis !== rank - 1)) return null;
  for (const x of xs) {
    if (
      x.dtype !== 'float32' ||
      x.shape.length !== rank ||
      lead.some((d, i) => d !== x.shape[i]) ||
      x.shape[rank - 1] === 0
    )
      return null;
  }
  const pixels = tf.util.sizeFromShape(lead);
  if (pixels <= 1) return null;
  const channels = xs.map((x) => x.shape[rank - 1]!);
  const g = channels.reduce(gcd);
  const groups = channels.reduce((a, c) => a + c / g, 0);
  const backend = args.backend as BackendWasm;
  const stacked = backend.makeOutput([groups, pixels, g], 'float32');
  let offset = 0;
  xs.forEach((x, j) => {
    const m = channels[j]! / g;
    let source = x;
    if (m > 1)
      source = transpose({
        inputs: { x: { ...x, shape: [pixels, m, g] } },
        backend,
        attrs: { perm: [1, 0, 2] },
      }) as tf.TensorInfo;
    // Views are taken after every allocation, which may have grown (and so replaced) the wasm heap.
    (backend.typedArrayFromHeap(stacked) as Float32Array).set(
      backend.typedArrayFromHeap(source) as Float32Array,
      offset,
    );
    if (source !== x) backend.disposeData(source.dataId);
    offset += pixels * channels[j]!;
  });
  const swapped = transpose({ inputs: { x: stacked }, backend, attrs: { perm: [1, 0, 2] } }) as tf.TensorInfo;
  backend.disposeData(stacked.dataId);
  return { dataId: swapped.dataId, shape: [...lead, offset / pixels], dtype: 'float32' };
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** What {@link registerFastConcat} returns. */
export interface FastConcat {
  /** Puts the original kernel back. */
  restore(): void;
  /** How many concatenations took the fast path so far. */
  fastCalls(): number;
}

/**
 * Replaces the registered wasm Concat kernel with one that takes the fast path above when it applies and the
 * original kernel otherwise. Call after the wasm backend is registered (its kernels must be in the registry).
 */
export function registerFastConcat(): FastConcat {
  const original = tf.getKernel('Concat', 'wasm');
  const transpose = tf.getKernel('Transpose', 'wasm');
  if (!original || !transpose) throw new Error('tfjs-wasm: Concat/Transpose kernels are not registered');
  let fastCalls = 0;
  const fast: tf.KernelConfig = {
    ...original,
    kernelFunc: (args) => {
      const out = concatLastAxis(args, transpose.kernelFunc);
      if (!out) return original.kernelFunc(args);
      fastCalls++;
      return out;
    },
  };
  tf.unregisterKernel('Concat', 'wasm');
  tf.registerKernel(fast);
  return {
    restore() {
      tf.unregisterKernel('Concat', 'wasm');
      tf.registerKernel(original);
    },
    fastCalls: () => fastCalls,
  };
}
