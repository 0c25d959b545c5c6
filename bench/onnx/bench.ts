/** Bench section: onnxruntime-web (wasm, one thread) against tfjs-wasm on the same weights, nets only, 256×256 full-image region. */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { gzipSync } from 'node:zlib';
import * as tf from '@tensorflow/tfjs-core';
import { embed, reveal } from '../../src/schemes/neural/model.js';
import type { LoadedModel } from '../../src/schemes/neural/weights-format.js';
import { netInputs, runNets, type NetInputs } from '../node-stages.js';
import { cpuMs, summarise } from '../stats.js';
import { exportOnnx, type OnnxLayout } from './export.js';
import { ortEmbed, ortPackage, ortReveal, ortSessions, releaseOrt, type OrtNets } from './runtime.js';

type Pair = { embed: number; reveal: number };

/** A runtime's wasm binary: raw and gzip -9 bytes. */
export interface WasmFile {
  file: string;
  bytes: number;
  gzipBytes: number;
}

/** What {@link onnxComparison} measured. Times: median CPU ms of the nets alone (upload, forward, download). */
export interface OnnxComparison {
  width: number;
  height: number;
  reps: number;
  ortVersion: string;
  tfjsWasmMs: Pair;
  /** Fastest run of each, the figure least moved by other load. */
  fastestMs: { tfjsWasm: Pair; ort: Pair; ortNchw: Pair };
  /** The graph with NHWC inputs/outputs (Transpose at each boundary), as the pipeline's block tensors are laid out. */
  ortMs: Pair;
  /** The same graph taking and returning NCHW directly (no boundary transposes): what a pipeline built for ORT would feed. */
  ortNchwMs: Pair;
  /** Largest |onnxruntime-web − tfjs-wasm| on these inputs (embed after the 8-bit rounding: 1/255 is a flipped tie). */
  maxAbsDiff: Pair;
  /** Container values that differ (by one 1/255 step: ties rounded the other way), and all values. */
  embedFlips: { differing: number; of: number };
  ortWasm: WasmFile;
  tfjsWasm: WasmFile;
}

function wasmFile(file: string): WasmFile {
  const bytes = readFileSync(file);
  return {
    file: file.replace(/^.*node_modules\//, ''),
    bytes: bytes.length,
    gzipBytes: gzipSync(bytes, { level: 9 }).length,
  };
}

/** [1, h, w, C] → [1, C, h, w]. */
function toNchw(data: Float32Array, [, h, w, c]: number[]): Float32Array {
  const out = new Float32Array(data.length);
  for (let y = 0; y < h!; y++)
    for (let x = 0; x < w!; x++)
      for (let ch = 0; ch < c!; ch++) out[(ch * h! + y) * w! + x] = data[(y * w! + x) * c! + ch]!;
  return out;
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

/**
 * Times the nets on a 256×256 full-image region on tfjs-wasm (the active backend, `model`'s weights) and on
 * onnxruntime-web with the same weights exported to ONNX, in both boundary layouts. The runtimes take turns within
 * every repetition so that other load on the machine falls on all of them alike; one untimed run of each first.
 */
export async function onnxComparison(model: LoadedModel, reps: number): Promise<OnnxComparison> {
  const side = 256;
  const x: NetInputs = netInputs(side, side);
  const nchwShape = [x.shape[0], x.shape[3], x.shape[1], x.shape[2]];
  const nchw = { cover: toNchw(x.cover, x.shape), audio: toNchw(x.audio, x.shape) };
  const sessions: Record<OnnxLayout, OrtNets> = {
    nhwc: await ortSessions(exportOnnx(model), 'nhwc'),
    nchw: await ortSessions(exportOnnx(model, { layout: 'nchw' }), 'nchw'),
  };
  try {
    const runs: Record<'tfjs' | OnnxLayout, Record<'embed' | 'reveal', () => Promise<unknown>>> = {
      tfjs: { embed: () => runNets(model, x, 'embed'), reveal: () => runNets(model, x, 'reveal') },
      nhwc: {
        embed: () => ortEmbed(sessions.nhwc, x.cover, x.audio, x.shape),
        reveal: () => ortReveal(sessions.nhwc, x.cover, x.shape),
      },
      nchw: {
        embed: () => ortEmbed(sessions.nchw, nchw.cover, nchw.audio, nchwShape),
        reveal: () => ortReveal(sessions.nchw, nchw.cover, nchwShape),
      },
    };
    const ms = {
      tfjs: { embed: [] as number[], reveal: [] as number[] },
      nhwc: { embed: [] as number[], reveal: [] as number[] },
      nchw: { embed: [] as number[], reveal: [] as number[] },
    };
    for (const which of ['embed', 'reveal'] as const) {
      for (const r of ['tfjs', 'nhwc', 'nchw'] as const) await runs[r][which]();
      for (let i = 0; i < reps; i++)
        for (const r of ['tfjs', 'nhwc', 'nchw'] as const) ms[r][which].push(await cpuMs(runs[r][which]));
    }
    const median = (r: 'tfjs' | OnnxLayout): Pair => ({
      embed: summarise(ms[r].embed).p50,
      reveal: summarise(ms[r].reveal).p50,
    });
    const fastest = (r: 'tfjs' | OnnxLayout): Pair => ({
      embed: summarise(ms[r].embed).min,
      reveal: summarise(ms[r].reveal).min,
    });

    // The same inputs through both runtimes: the figures compare equal computations.
    const t = (fn: () => tf.Tensor) => {
      const out = tf.tidy(fn);
      const data = out.dataSync() as Float32Array;
      out.dispose();
      return data;
    };
    const tfEmbed = t(() =>
      embed(model.weights, model.config, tf.tensor4d(x.cover, x.shape), tf.tensor4d(x.audio, x.shape)),
    );
    const tfReveal = t(() => reveal(model.weights, model.config, tf.tensor4d(x.cover, x.shape)));
    const ortContainer = await ortEmbed(sessions.nhwc, x.cover, x.audio, x.shape);
    const maxDiff = {
      embed: maxAbsDiff(ortContainer, tfEmbed),
      reveal: maxAbsDiff(await ortReveal(sessions.nhwc, x.cover, x.shape), tfReveal),
    };
    const differing = ortContainer.reduce((n, v, i) => n + (Math.abs(v - tfEmbed[i]!) > 1e-6 ? 1 : 0), 0);

    const ort = ortPackage();
    const tfjsWasmPath = createRequire(import.meta.url).resolve(
      '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm',
    );
    return {
      width: side,
      height: side,
      reps,
      ortVersion: ort.version,
      tfjsWasmMs: median('tfjs'),
      ortMs: median('nhwc'),
      ortNchwMs: median('nchw'),
      fastestMs: { tfjsWasm: fastest('tfjs'), ort: fastest('nhwc'), ortNchw: fastest('nchw') },
      maxAbsDiff: maxDiff,
      embedFlips: { differing, of: ortContainer.length },
      ortWasm: wasmFile(ort.wasmFile),
      tfjsWasm: wasmFile(tfjsWasmPath),
    };
  } finally {
    await releaseOrt(sessions.nhwc);
    await releaseOrt(sessions.nchw);
  }
}
