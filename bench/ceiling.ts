/** Bench ceiling: the conv2d / matMul throughput tfjs reaches on the active backend (wasm, one thread, in Node), big shapes and the model's own shapes. */
import * as tf from '@tensorflow/tfjs-core';
import { cpuRepeated, summarise } from './stats.js';

/** One microbenchmark: a single op, its FLOPs, and GFLOP/s at the best and the median run (CPU time, see cpuMs). */
export interface CeilingRow {
  op: string;
  gflop: number;
  bestMs: number;
  medianMs: number;
  bestGflops: number;
  medianGflops: number;
  /** True for the shapes the model itself runs (16 filters per branch); false for the big "ceiling" shapes. */
  modelShape: boolean;
}

async function timeOp(
  op: string,
  flops: number,
  modelShape: boolean,
  run: () => tf.Tensor,
  reps: number,
): Promise<CeilingRow> {
  const ms = await cpuRepeated(
    async () => {
      const out = run();
      await out.data();
      out.dispose();
    },
    reps,
    1,
  );
  const s = summarise(ms);
  return {
    op,
    gflop: flops / 1e9,
    bestMs: s.min,
    medianMs: s.p50,
    bestGflops: flops / (s.min * 1e6),
    medianGflops: flops / (s.p50 * 1e6),
    modelShape,
  };
}

function conv(
  side: number,
  k: number,
  cin: number,
  cout: number,
  reps: number,
  modelShape: boolean,
): Promise<CeilingRow> {
  const x = tf.randomUniform([1, side, side, cin], -1, 1, 'float32', 1) as tf.Tensor4D;
  const w = tf.randomUniform([k, k, cin, cout], -0.1, 0.1, 'float32', 2) as tf.Tensor4D;
  const flops = 2 * side * side * k * k * cin * cout;
  return timeOp(
    `conv2d ${k}×${k} ${cin}→${cout} on ${side}×${side}`,
    flops,
    modelShape,
    () => tf.conv2d(x, w, 1, 'same'),
    reps,
  ).finally(() => {
    x.dispose();
    w.dispose();
  });
}

/**
 * The ceiling (big conv and matMul, where XNNPACK's kernels are most efficient) and the model's typical layers at
 * the position grid of a 512×512 photo (128×128 positions of 4×4 pixels).
 */
export async function ceiling(reps: number): Promise<CeilingRow[]> {
  const rows: CeilingRow[] = [];
  rows.push(await conv(128, 3, 64, 64, reps, false));
  const n = 1024;
  const a = tf.randomUniform([n, n], -1, 1, 'float32', 3) as tf.Tensor2D;
  const b = tf.randomUniform([n, n], -1, 1, 'float32', 4) as tf.Tensor2D;
  rows.push(await timeOp(`matMul ${n}×${n}×${n}`, 2 * n * n * n, false, () => tf.matMul(a, b), reps));
  a.dispose();
  b.dispose();
  rows.push(await conv(128, 3, 48, 16, reps, true));
  rows.push(await conv(128, 5, 48, 16, reps, true));
  rows.push(await conv(128, 3, 144, 16, reps, true));
  rows.push(await conv(128, 1, 192, 48, reps, true));
  return rows;
}
