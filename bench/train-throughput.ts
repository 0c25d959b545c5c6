/** Training throughput (samples/s) of one Adam step of the default model on each available backend. Measures only. */
import * as tf from '@tensorflow/tfjs-core';
import { BLOCK, BLOCK_CHANNELS } from '../shared/layout.js';
import { DEFAULT_CONFIG, embed, initWeights, reveal, weightSpecs } from '../shared/model.js';
import { BackendUnavailableError, initBackend, type TrainingBackend } from '../training/backend/select.js';

interface Plan {
  backend: TrainingBackend;
  crop: number;
  batch: number;
  warmup: number;
  steps: number;
  note: string;
}

interface Row extends Plan {
  medianS: number;
  samplesPerS: number;
  rssMiB: number;
  tensorGrowth: number;
  /** Loss of the first and last timed step: a decrease shows the gradients reach the weights. */
  loss: [number, number];
}

const usage = `usage: npm run bench:train -- [--backends wasm,cpu,tensorflow] [--steps N] [--cpu]
  --backends  which to try (default: all; tensorflow only if tfjs-node is installed)
  --steps     timed steps per wasm/tensorflow case (default 3; one warm-up step is always excluded)
  --cpu-full  also run cpu at batch 32 and 64x64 (very slow: minutes per step)`;

function parseArgs(argv: string[]): { backends: TrainingBackend[]; steps: number; cpuFull: boolean } {
  let backends: TrainingBackend[] = ['wasm', 'cpu', 'tensorflow'];
  let steps = 3;
  let cpuFull = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--backends') backends = (argv[++i] ?? '').split(',').filter(Boolean) as TrainingBackend[];
    else if (a === '--steps') steps = Math.max(1, Number(argv[++i]) || 1);
    else if (a === '--cpu-full') cpuFull = true;
    else {
      console.log(usage);
      process.exit(a === '--help' || a === '-h' ? 0 : 2);
    }
  }
  return { backends, steps, cpuFull };
}

function plans(backend: TrainingBackend, steps: number, cpuFull: boolean): Plan[] {
  if (backend === 'cpu' && !cpuFull) {
    // The cpu backend is ~40× slower per sample than wasm here: one small case shows the order of magnitude.
    return [{ backend, crop: 32, batch: 4, warmup: 1, steps: 1, note: 'cpu: batch 4, 32x32 only, 1 timed step (slow; --cpu-full for batch 32)' }];
  }
  return [32, 64].map((crop) => ({ backend, crop, batch: 32, warmup: 1, steps, note: '' }));
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** One Adam step = embed (with 8-bit rounding) → reveal, loss mse(container, cover) + mse(revealed, audio). */
function runPlan(plan: Plan): Row {
  const side = plan.crop / BLOCK;
  const shape: [number, number, number, number] = [plan.batch, side, side, BLOCK_CHANNELS];
  const init = initWeights(DEFAULT_CONFIG, 1);
  const weights: Record<string, tf.Variable> = {};
  for (const { name } of weightSpecs(DEFAULT_CONFIG)) {
    weights[name] = tf.variable(init[name]!, true, `bench/${name}`);
    init[name]!.dispose();
  }
  const cover = tf.randomUniform(shape, 0, 1, 'float32', 2) as tf.Tensor4D;
  const audio = tf.randomUniform(shape, -1, 1, 'float32', 3) as tf.Tensor4D;
  const optimizer = tf.train.adam(1e-3);
  const varList = Object.values(weights);

  const step = (): number => {
    const cost = optimizer.minimize(
      () => {
        const container = embed(weights, DEFAULT_CONFIG, cover, audio);
        const revealed = reveal(weights, DEFAULT_CONFIG, container);
        return tf.add(tf.losses.meanSquaredError(cover, container), tf.losses.meanSquaredError(audio, revealed)) as tf.Scalar;
      },
      true,
      varList,
    );
    const value = cost!.dataSync()[0]!;
    cost!.dispose();
    return value;
  };

  for (let i = 0; i < plan.warmup; i++) step();
  const tensorsAfterWarmup = tf.memory().numTensors;
  const times: number[] = [];
  const losses: number[] = [];
  for (let i = 0; i < plan.steps; i++) {
    const t0 = performance.now();
    losses.push(step());
    times.push((performance.now() - t0) / 1000);
  }
  const row: Row = {
    ...plan,
    medianS: median(times),
    samplesPerS: plan.batch / median(times),
    rssMiB: process.memoryUsage().rss / 2 ** 20,
    tensorGrowth: tf.memory().numTensors - tensorsAfterWarmup,
    loss: [losses[0]!, losses[losses.length - 1]!],
  };
  optimizer.dispose();
  tf.dispose([cover, audio, ...varList]);
  return row;
}

function table(rows: Row[]): string {
  const head = ['backend', 'crop', 'block tensor', 'steps', 's/step (median)', 'samples/s', 'process RSS MiB', 'tensor growth', 'loss first→last'];
  const body = rows.map((r) => [
    r.backend,
    `${r.crop}x${r.crop}`,
    `[${r.batch}, ${r.crop / BLOCK}, ${r.crop / BLOCK}, ${BLOCK_CHANNELS}]`,
    String(r.steps),
    r.medianS.toFixed(2),
    r.samplesPerS.toFixed(2),
    r.rssMiB.toFixed(0),
    String(r.tensorGrowth),
    `${r.loss[0].toFixed(4)}→${r.loss[1].toFixed(4)}`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

async function main(): Promise<void> {
  const { backends, steps, cpuFull } = parseArgs(process.argv.slice(2));
  const rows: Row[] = [];
  const skipped: string[] = [];
  for (const backend of backends) {
    try {
      await initBackend(backend);
    } catch (e) {
      if (!(e instanceof BackendUnavailableError)) throw e;
      skipped.push(`${backend}: ${e.message}`);
      continue;
    }
    for (const plan of plans(backend, steps, cpuFull)) {
      console.error(`running ${backend} ${plan.crop}x${plan.crop} batch ${plan.batch}: ${plan.warmup} warm-up + ${plan.steps} timed steps`);
      rows.push(runPlan(plan));
    }
  }
  console.log(`\nOne Adam step of DEFAULT_CONFIG (embed with 8-bit rounding → reveal), warm-up excluded. Node ${process.version}.`);
  console.log(table(rows));
  for (const r of rows) if (r.note) console.log(`note: ${r.note}`);
  for (const s of skipped) console.log(`skipped ${s}`);
}

await main();
