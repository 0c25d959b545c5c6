/** Bench in Node: the model's FLOPs, where the real embed/reveal spend their time (steps vs nets), and the tfjs cpu backend on the same weights. */
import * as tf from '@tensorflow/tfjs-core';
import { BLOCK, BLOCK_CHANNELS, paddedSize } from '../src/container/layout.js';
import { embed, macsPerPosition, reveal, type ModelConfig } from '../src/schemes/neural/model.js';
import { decodeAudioInput } from '../src/pipeline/audio-input.js';
import { DEFAULT_LIMITS } from '../src/pipeline/limits.js';
import { embedAudio, revealAudio } from '../src/pipeline/index.js';
import { payloadSlots } from '../src/schemes/neural/spreading.js';
import { regionHeight } from '../src/schemes/neural/region.js';
import type { LoadedModel } from '../src/schemes/neural/weights-format.js';
import { initBackend } from '../src/node/backend.js';
import { registerFastConcat, type FastConcat } from '../worker/wasm-concat.js';
import { loadModelFromDir } from '../src/node/load-model.js';
import { label, type LatencyCase } from './http-workloads.js';
import { photoPng, speechWav } from './inputs.js';
import { profileShares, STEPS, type Step } from './profile.js';
import { cpuRepeated, summarise, type Summary } from './stats.js';

/** MACs of the fixed 48×48 DCT block transform per position: embed runs it forwards and back, reveal forwards. */
const TRANSFORM_MACS = BLOCK_CHANNELS * BLOCK_CHANNELS;

/** Per-pixel cost of the nets (a position is one BLOCK×BLOCK pixel block). */
export interface ModelFigures {
  config: ModelConfig;
  version: string;
  /** macsPerPosition(config) / 16: the learned conv weights only. */
  macsPerPixel: { embed: number; reveal: number };
  /** Including the fixed DCT transform convolutions; FLOPs = 2 × MACs. What the GFLOP/s figures use. */
  flopsPerPixel: { embed: number; reveal: number };
}

/** {@link ModelFigures} of a loaded model. */
export function modelFigures(model: LoadedModel): ModelFigures {
  const per = macsPerPosition(model.config);
  const px = BLOCK * BLOCK;
  return {
    config: model.config,
    version: model.version,
    macsPerPixel: { embed: per.embed / px, reveal: per.reveal / px },
    flopsPerPixel: {
      embed: (2 * (per.embed + 2 * TRANSFORM_MACS)) / px,
      reveal: (2 * (per.reveal + TRANSFORM_MACS)) / px,
    },
  };
}

/** One pipeline step: its share of the sampled time and that share of the median total, in CPU ms. */
export interface Stage {
  name: Step;
  share: number;
  ms: number;
}

/** Step breakdown of one case, from a CPU profile of the real pipeline calls. */
export interface StageBreakdown {
  label: string;
  /** Rate the clip was spread to (8000 = not spread); the nets run on the spread clip. */
  spreadRate: number;
  /** Pixels the nets run on (the region carrying the spread clip, padded to tiles). */
  netPixels: number;
  /** The nets alone: median CPU ms, GFLOP/s at the median and at the fastest run (compared with the ceiling's best). */
  embed: { totalMs: number; stages: Stage[]; netsAloneMs: number; gflops: number; bestGflops: number };
  reveal: {
    totalMs: number;
    stages: Stage[];
    netsAloneMs: number;
    gflops: number;
    bestGflops: number;
    fingerprintDriftDb?: number;
  };
  reps: number;
}

/** Synthetic block-layout inputs for the nets on a `width`×`rows` region (content does not change the cost). */
export interface NetInputs {
  shape: [number, number, number, number];
  cover: Float32Array;
  audio: Float32Array;
}

/** {@link NetInputs} of a `width`×`rows` region (padded to tiles). */
export function netInputs(width: number, rows: number): NetInputs {
  const padded = paddedSize(width, rows);
  const shape: [number, number, number, number] = [1, padded.height / BLOCK, padded.width / BLOCK, BLOCK_CHANNELS];
  const size = shape.reduce((a, b) => a * b, 1);
  return {
    shape,
    cover: new Float32Array(size).map((_, i) => (i % 251) / 255),
    audio: new Float32Array(size).map((_, i) => Math.sin(i * 0.01) * 0.5),
  };
}

/** The nets alone: tensor upload, forward pass, download (what the pipeline does between its layout steps). */
export async function runNets(model: LoadedModel, x: NetInputs, which: 'embed' | 'reveal'): Promise<void> {
  const out = tf.tidy(() =>
    which === 'embed'
      ? embed(model.weights, model.config, tf.tensor4d(x.cover, x.shape), tf.tensor4d(x.audio, x.shape))
      : reveal(model.weights, model.config, tf.tensor4d(x.cover, x.shape)),
  );
  await out.data();
  out.dispose();
}

/** CPU ms of {@link runNets} on a `width`×`rows` region over `reps` runs after `warmup` untimed ones. */
async function netMs(
  model: LoadedModel,
  width: number,
  rows: number,
  which: 'embed' | 'reveal',
  reps: number,
  warmup = 1,
): Promise<Summary> {
  const x = netInputs(width, rows);
  return summarise(await cpuRepeated(() => runNets(model, x, which), reps, warmup));
}

/**
 * Times the real `embedAudio` / `revealAudio` of one case (median CPU ms), splits that time into steps with a CPU
 * profile of further calls ({@link profileShares}), and times the nets alone on the same region for GFLOP/s.
 */
export async function stageBreakdown(model: LoadedModel, c: LatencyCase, reps: number): Promise<StageBreakdown> {
  const { width, height } = c;
  const png = photoPng(width, height);
  const wav = speechWav(c.audio.seconds);
  const figures = modelFigures(model);

  const result = await embedAudio(model, png, wav);
  const spreadRate = result.spreadRate;
  let drift: number | undefined;
  const embedOnce = () => embedAudio(model, png, wav);
  const revealOnce = async () =>
    void (drift = (await revealAudio(model, result.png, { ignoreFingerprint: true })).fingerprintDriftDb);

  // The region the nets process: the spread clip, padded to whole 48-sample frames (as embedAudio does).
  const samples = decodeAudioInput(wav, DEFAULT_LIMITS).length;
  const rows = regionHeight(width, height, payloadSlots(samples, spreadRate));
  const padded = paddedSize(width, rows);
  const netPixels = padded.width * padded.height;

  const part = async (once: () => Promise<unknown>, which: 'embed' | 'reveal') => {
    const totalMs = summarise(await cpuRepeated(once, reps, 1)).p50;
    const shares = await profileShares(once, reps);
    const stages = STEPS.map((name) => ({ name, share: shares[name], ms: shares[name] * totalMs })).filter(
      (st) => st.share > 0,
    );
    const nets = await netMs(model, width, rows, which, reps);
    const flops = netPixels * figures.flopsPerPixel[which];
    return {
      totalMs,
      stages,
      netsAloneMs: nets.p50,
      gflops: flops / (nets.p50 * 1e6),
      bestGflops: flops / (nets.min * 1e6),
    };
  };
  const embedPart = await part(embedOnce, 'embed');
  const revealPart = await part(revealOnce, 'reveal');
  return {
    label: label(c),
    spreadRate,
    netPixels,
    embed: embedPart,
    reveal: { ...revealPart, fingerprintDriftDb: drift },
    reps,
  };
}

/** The nets on the tfjs cpu backend against wasm, same weights, same 256×256 full-image region. */
export interface CpuComparison {
  width: number;
  height: number;
  reps: number;
  wasmMs: { embed: number; reveal: number };
  cpuMs: { embed: number; reveal: number };
}

/** The worker's channel Concat, installed once per process by {@link initWasm}. */
let fastConcat: FastConcat | null = null;

/** Starts tfjs on the wasm backend (single thread in Node, SIMD when available) and loads the bundled weights. */
export async function initWasm(): Promise<{ model: LoadedModel; simd: boolean }> {
  await initBackend('wasm');
  // The worker swaps in a faster channel Concat (worker/wasm-concat.ts); the Node figures should time the same kernels.
  if (!fastConcat) fastConcat = registerFastConcat();
  const simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
  return { model: await loadModelFromDir(), simd };
}

/**
 * Times the nets on a 256×256 full-image region on wasm (the active backend) then on cpu (weights reloaded there),
 * and switches back to wasm. `rows` = 256 is what a clip filling the image makes the nets process.
 */
export async function cpuComparison(wasmModel: LoadedModel, reps: number): Promise<CpuComparison> {
  const side = 256;
  const wasmMs = {
    embed: (await netMs(wasmModel, side, side, 'embed', reps)).p50,
    reveal: (await netMs(wasmModel, side, side, 'reveal', reps)).p50,
  };
  await initBackend('cpu');
  const cpuModel = await loadModelFromDir();
  // No warm-up: cpu has no shape-specific set-up worth excluding, and each run takes seconds.
  const cpuMs = {
    embed: (await netMs(cpuModel, side, side, 'embed', reps, 0)).p50,
    reveal: (await netMs(cpuModel, side, side, 'reveal', reps, 0)).p50,
  };
  for (const t of Object.values(cpuModel.weights)) t.dispose();
  await tf.setBackend('wasm');
  return { width: side, height: side, reps, wasmMs, cpuMs };
}
