/** onnxruntime-web (wasm backend, one thread, SIMD) sessions over the exported nets, and runs on block tensors. */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as ort from 'onnxruntime-web';
import type { OnnxLayout, OnnxModels } from './export.js';

/** One inference session per net. */
export interface OrtNets {
  embed: ort.InferenceSession;
  reveal: ort.InferenceSession;
  layout: OnnxLayout;
}

/**
 * Sessions on the wasm execution provider with one thread (as tfjs-wasm runs in Node and workerd), default graph
 * optimisation ('all'). Every build onnxruntime-web ships is a SIMD build.
 */
export async function ortSessions(models: OnnxModels, layout: OnnxLayout = 'nhwc'): Promise<OrtNets> {
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.proxy = false;
  const options: ort.InferenceSession.SessionOptions = { executionProviders: ['wasm'], graphOptimizationLevel: 'all' };
  return {
    embed: await ort.InferenceSession.create(models.embed, options),
    reveal: await ort.InferenceSession.create(models.reveal, options),
    layout,
  };
}

/** Runs the embed net: cover and audio block tensors of `shape` (in the session's layout) → container. */
export async function ortEmbed(
  nets: OrtNets,
  cover: Float32Array,
  audio: Float32Array,
  shape: number[],
): Promise<Float32Array> {
  const out = await nets.embed.run({
    cover: new ort.Tensor('float32', cover, shape),
    audio: new ort.Tensor('float32', audio, shape),
  });
  const data = out.container!.data as Float32Array;
  out.container!.dispose();
  return data;
}

/** Runs the reveal net: container block tensor of `shape` → audio blocks. */
export async function ortReveal(nets: OrtNets, container: Float32Array, shape: number[]): Promise<Float32Array> {
  const out = await nets.reveal.run({ container: new ort.Tensor('float32', container, shape) });
  const data = out.audio!.data as Float32Array;
  out.audio!.dispose();
  return data;
}

/** Releases both sessions. */
export async function releaseOrt(nets: OrtNets): Promise<void> {
  await nets.embed.release();
  await nets.reveal.release();
}

/** The installed onnxruntime-web version and the wasm binary its Node entry loads (path and bytes). */
export function ortPackage(): { version: string; wasmFile: string; wasm: Uint8Array } {
  // The Node entry (dist/ort.node.min.mjs) loads dist/ort-wasm-simd-threaded.mjs, which loads this binary.
  const wasmFile = createRequire(import.meta.url).resolve('onnxruntime-web/ort-wasm-simd-threaded.wasm');
  const pkgJson = path.join(path.dirname(wasmFile), '..', 'package.json');
  const version = (JSON.parse(readFileSync(pkgJson, 'utf8')) as { version: string }).version;
  return { version, wasmFile, wasm: new Uint8Array(readFileSync(wasmFile)) };
}
