/** Conv2D gradient kernels for the tfjs `wasm` backend, each re-expressed as one fast (XNNPACK) Conv2D. */
import '@tensorflow/tfjs-backend-wasm';
import {
  backend_util,
  getKernel,
  registerKernel,
  unregisterKernel,
  type KernelBackend,
  type KernelConfig,
  type KernelFunc,
  type NamedAttrMap,
  type NamedTensorInfoMap,
  type TensorInfo,
} from '@tensorflow/tfjs-core';

const BACKEND = 'wasm';
const FILTER_GRAD = 'Conv2DBackpropFilter';
const INPUT_GRAD = 'Conv2DBackpropInput';

type Pad = backend_util.ExplicitPadding | 'valid' | 'same' | number;
type Shape4 = [number, number, number, number];

interface KernelArgs {
  inputs: NamedTensorInfoMap;
  backend: KernelBackend;
  attrs?: NamedAttrMap;
}

/**
 * Runs another kernel of the wasm backend directly (not through the engine), the way the backend composes its
 * own kernels: the result is a bare TensorInfo the caller must hand back or free with `disposeData`.
 */
function runWasm(name: string, backend: KernelBackend, inputs: NamedTensorInfoMap, attrs: NamedAttrMap): TensorInfo {
  const kernel = getKernel(name, BACKEND);
  if (!kernel) throw new Error(`wasm-grad-kernels: kernel '${name}' is not registered for the wasm backend`);
  const out = kernel.kernelFunc({ inputs, backend, attrs });
  if (Array.isArray(out)) throw new Error(`wasm-grad-kernels: kernel '${name}' returned several outputs`);
  return out;
}

function free(backend: KernelBackend, ...infos: TensorInfo[]): void {
  for (const info of infos) backend.disposeData(info.dataId);
}

function transpose(backend: KernelBackend, x: TensorInfo, perm: number[]): TensorInfo {
  return runWasm('Transpose', backend, { x }, { perm });
}

function conv(
  backend: KernelBackend,
  x: TensorInfo,
  filter: TensorInfo,
  pad: backend_util.ExplicitPadding,
  dilations: [number, number],
): TensorInfo {
  return runWasm(
    'Conv2D',
    backend,
    { x, filter },
    // NamedAttrMap has no nested-array type; the kernel reads explicit padding as tfjs's own ops pass it.
    { strides: [1, 1], pad: pad as unknown as number[], dataFormat: 'NHWC', dilations },
  );
}

function explicit(top: number, bottom: number, left: number, right: number): backend_util.ExplicitPadding {
  return [
    [0, 0],
    [top, bottom],
    [left, right],
    [0, 0],
  ];
}

function requireNHWC(kernel: string, dataFormat: unknown): void {
  if (dataFormat !== undefined && dataFormat !== 'NHWC') {
    throw new Error(`${kernel} on wasm supports only dataFormat 'NHWC' (got '${String(dataFormat)}')`);
  }
}

/**
 * dW[kh,kw,ci,co] = Σ_{n,oh,ow} xpad[n, oh·sH + kh, ow·sW + kw, ci] · dy[n, oh, ow, co]: a Conv2D whose batch is
 * Cin, whose channels are N, and whose "filter" is dy laid out [oH, oW, N, Cout], dilated by the forward stride.
 * Its output [Cin, kH', kW', Cout] (kH' ≥ kH, equal for stride 1) is cropped and transposed back.
 */
function conv2DBackpropFilter({ inputs, backend, attrs }: KernelArgs): TensorInfo {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const a = (attrs ?? {}) as Record<string, unknown>;
  requireNHWC(FILTER_GRAD, a['dataFormat']);
  const filterShape = a['filterShape'] as Shape4;
  const info = backend_util.computeConv2DInfo(
    x.shape as Shape4,
    filterShape,
    a['strides'] as number | [number, number],
    1,
    a['pad'] as Pad,
    a['dimRoundingMode'] as 'floor' | 'round' | 'ceil' | undefined,
  );
  const [kH, kW, cin, cout] = filterShape;
  const { top, bottom, left, right } = info.padInfo;
  if (kH === 1 && kW === 1 && info.strideHeight === 1 && info.strideWidth === 1 && top + bottom + left + right === 0) {
    return pointwiseFilterGrad(backend, x, dy, cin, cout);
  }

  const xT = transpose(backend, x, [3, 1, 2, 0]); // [Cin, H, W, N]
  const dyT = transpose(backend, dy, [1, 2, 0, 3]); // [oH, oW, N, Cout]
  let g: TensorInfo;
  try {
    g = conv(backend, xT, dyT, explicit(top, bottom, left, right), [info.strideHeight, info.strideWidth]);
  } finally {
    free(backend, xT, dyT);
  }
  const [, gH, gW] = g.shape as Shape4;
  if (gH < kH || gW < kW) {
    free(backend, g);
    throw new Error(
      `${FILTER_GRAD} on wasm: unsupported geometry (x ${x.shape}, dy ${dy.shape}, filter ${filterShape})`,
    );
  }
  if (gH !== kH || gW !== kW) {
    // Stride > 1: the dilated product also covers rows/columns past the last window; they are not gradients.
    const cropped = runWasm('Slice', backend, { x: g }, { begin: [0, 0, 0, 0], size: [cin, kH, kW, cout] });
    free(backend, g);
    g = cropped;
  }
  const out = transpose(backend, g, [1, 2, 0, 3]); // [kH, kW, Cin, Cout]
  free(backend, g);
  return out;
}

/** 1×1, stride 1, unpadded: dW = xᵀ·dy over all N·H·W positions, one matmul (several times faster than the conv form). */
function pointwiseFilterGrad(
  backend: KernelBackend,
  x: TensorInfo,
  dy: TensorInfo,
  cin: number,
  cout: number,
): TensorInfo {
  const rows = x.shape[0]! * x.shape[1]! * x.shape[2]!;
  const xT = transpose(backend, x, [3, 0, 1, 2]); // [Cin, N, H, W]
  const x2 = runWasm('Reshape', backend, { x: xT }, { shape: [1, cin, rows] });
  const dy2 = runWasm('Reshape', backend, { x: dy }, { shape: [1, rows, cout] });
  free(backend, xT);
  let g: TensorInfo;
  try {
    g = runWasm('BatchMatMul', backend, { a: x2, b: dy2 }, { transposeA: false, transposeB: false });
  } finally {
    free(backend, x2, dy2);
  }
  const out = runWasm('Reshape', backend, { x: g }, { shape: [1, 1, cin, cout] });
  free(backend, g);
  return out;
}

let builtinInputGrad: KernelConfig | null = null;

function builtin(args: KernelArgs): TensorInfo {
  if (!builtinInputGrad) throw new Error(`${INPUT_GRAD} on wasm: no built-in kernel to fall back to`);
  return builtinInputGrad.kernelFunc(args) as TensorInfo;
}

/**
 * dx = Conv2D(dy, filter flipped in space with in/out channels swapped), padded K−1−pad on each side, for
 * NHWC and stride 1. Other cases (NCHW, stride > 1, padding wider than the kernel) go to the built-in kernel.
 */
function conv2DBackpropInput(args: KernelArgs): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const a = (attrs ?? {}) as Record<string, unknown>;
  if (a['dataFormat'] === 'NCHW') return builtin(args);
  const inputShape = a['inputShape'] as Shape4;
  const info = backend_util.computeConv2DInfo(
    inputShape,
    filter.shape as Shape4,
    a['strides'] as number | [number, number],
    1,
    a['pad'] as Pad,
    a['dimRoundingMode'] as 'floor' | 'round' | 'ceil' | undefined,
  );
  const { top, bottom, left, right } = info.padInfo;
  const kH = info.filterHeight;
  const kW = info.filterWidth;
  const flippedPad = [kH - 1 - top, kH - 1 - bottom, kW - 1 - left, kW - 1 - right];
  if (info.strideHeight !== 1 || info.strideWidth !== 1 || flippedPad.some((p) => p < 0)) return builtin(args);
  const flipped = runWasm('Reverse', backend, { x: filter }, { dims: [0, 1] });
  const swapped = transpose(backend, flipped, [0, 1, 3, 2]); // [kH, kW, Cout, Cin]
  free(backend, flipped);
  try {
    return conv(backend, dy, swapped, explicit(flippedPad[0]!, flippedPad[1]!, flippedPad[2]!, flippedPad[3]!), [1, 1]);
  } finally {
    free(backend, swapped);
  }
}

const filterGradFunc = conv2DBackpropFilter as unknown as KernelFunc;
const inputGradFunc = conv2DBackpropInput as unknown as KernelFunc;

/**
 * Registers `Conv2DBackpropFilter` for the `wasm` backend (tfjs 4.22 has none) and replaces its naive
 * `Conv2DBackpropInput` with the Conv2D form (about 4× faster). Safe to call any number of times.
 * The filter gradient supports NHWC only (as does wasm's Conv2D) and any stride; dilation must be 1 (tfjs's
 * conv2d gradient requires it anyway).
 */
export function registerWasmGradKernels(): void {
  const currentInput = getKernel(INPUT_GRAD, BACKEND);
  if (currentInput && currentInput.kernelFunc !== inputGradFunc) {
    builtinInputGrad = currentInput;
    unregisterKernel(INPUT_GRAD, BACKEND);
  }
  if (!currentInput || currentInput.kernelFunc !== inputGradFunc) {
    registerKernel({
      kernelName: INPUT_GRAD,
      backendName: BACKEND,
      kernelFunc: inputGradFunc,
      // The fallback calls the built-in kernel, whose wasm function is bound in its setup.
      setupFunc: builtinInputGrad?.setupFunc,
    });
  }
  const currentFilter = getKernel(FILTER_GRAD, BACKEND);
  if (currentFilter?.kernelFunc === filterGradFunc) return;
  if (currentFilter) unregisterKernel(FILTER_GRAD, BACKEND);
  registerKernel({ kernelName: FILTER_GRAD, backendName: BACKEND, kernelFunc: filterGradFunc });
}

/** True when {@link registerWasmGradKernels} has installed both kernels (and nothing replaced them since). */
export function wasmGradKernelsRegistered(): boolean {
  return (
    getKernel(INPUT_GRAD, BACKEND)?.kernelFunc === inputGradFunc &&
    getKernel(FILTER_GRAD, BACKEND)?.kernelFunc === filterGradFunc
  );
}
