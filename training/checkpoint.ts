/** Training checkpoints: weights, Adam state and loop state in one folder, written atomically, read on --resume. */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { ModelConfig } from '../src/schemes/neural/model.js';

/** Everything besides tensors that a resumed run needs. */
export interface LoopState {
  step: number;
  beta: number;
  wallSeconds: number;
  seed: number;
  /** Loss curve samples: [step, coverPsnr, audioMse, valPsnr?, valPcc?]. */
  curve: number[][];
  options: Record<string, unknown>;
  config: ModelConfig;
}

interface TensorIndex {
  name: string;
  shape: number[];
  offset: number;
}

const STATE_FILE = 'checkpoint.json';
const TENSOR_FILE = 'checkpoint.bin';

/** Saves state + named tensors (model weights and optimizer slots) into `dir`, replacing the previous checkpoint. */
export async function saveCheckpoint(
  dir: string,
  state: LoopState,
  tensors: Array<{ name: string; tensor: tf.Tensor }>,
): Promise<void> {
  await mkdir(dir, { recursive: true });
  const index: TensorIndex[] = [];
  const parts: Float32Array[] = [];
  let offset = 0;
  for (const { name, tensor } of tensors) {
    const data = (await tensor.data()) as Float32Array;
    index.push({ name, shape: tensor.shape, offset });
    parts.push(Float32Array.from(data));
    offset += data.length;
  }
  const all = new Float32Array(offset);
  let o = 0;
  for (const p of parts) {
    all.set(p, o);
    o += p.length;
  }
  // Write to temporary names and rename, so an interrupted save never leaves a half checkpoint.
  await writeFile(path.join(dir, `${TENSOR_FILE}.tmp`), new Uint8Array(all.buffer));
  await writeFile(path.join(dir, `${STATE_FILE}.tmp`), JSON.stringify({ ...state, tensors: index }));
  await rename(path.join(dir, `${TENSOR_FILE}.tmp`), path.join(dir, TENSOR_FILE));
  await rename(path.join(dir, `${STATE_FILE}.tmp`), path.join(dir, STATE_FILE));
}

/** Loads a checkpoint saved by {@link saveCheckpoint}: state and float32 arrays by name. */
export async function loadCheckpoint(
  dir: string,
): Promise<{ state: LoopState; values: Map<string, { shape: number[]; data: Float32Array }> }> {
  const json = JSON.parse(await readFile(path.join(dir, STATE_FILE), 'utf8')) as LoopState & { tensors: TensorIndex[] };
  const buf = await readFile(path.join(dir, TENSOR_FILE));
  const all = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  const values = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const { name, shape, offset } of json.tensors) {
    const size = shape.reduce((a, b) => a * b, 1);
    values.set(name, { shape, data: all.subarray(offset, offset + size) });
  }
  const { tensors: _ignored, ...state } = json;
  return { state, values };
}
