/**
 * `npm run bench:gpu`: a short training on the best backend present (tensorflow, then webgpu, then wasm), printing
 * the first losses against the cpu backend (are the kernels right?), the loss curve and samples/s (are they fast?).
 */
import * as tf from '@tensorflow/tfjs-core';
import { BackendUnavailableError, initBackend, type TrainingBackend } from '../src/node/backend.js';
import { syntheticTrainingStep } from '../training/synthetic-step.js';

const usage = `usage: npm run bench:gpu -- [--backend tensorflow|webgpu|wasm] [--steps 60] [--batch 32] [--crop 32]
  Without --backend, the first of tensorflow, webgpu, wasm that starts here.`;

/** Backends tried in turn when none is named: the GPU ones first. */
const PREFERENCE: TrainingBackend[] = ['tensorflow', 'webgpu', 'wasm'];
/** Steps compared against cpu, at a batch small enough for cpu to finish in seconds. */
const CHECK_STEPS = 3;
const CHECK_BATCH = 4;

function options(argv: string[]): { backend?: TrainingBackend; steps: number; batch: number; crop: number } {
  const out = { steps: 60, batch: 32, crop: 32 } as {
    backend?: TrainingBackend;
    steps: number;
    batch: number;
    crop: number;
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (flag === '--help' || flag === '-h') {
      console.log(usage);
      process.exit(0);
    }
    if (flag === '--backend') out.backend = value as TrainingBackend;
    else if (flag === '--steps' || flag === '--batch' || flag === '--crop') {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} needs a positive integer\n${usage}`);
      out[flag.slice(2) as 'steps' | 'batch' | 'crop'] = n;
    } else throw new Error(`unknown option ${String(flag)}\n${usage}`);
    i++;
  }
  return out;
}

/** The first `count` losses of the seeded synthetic training on the active backend. */
function losses(count: number, batch: number, crop: number, prefix: string): number[] {
  const run = syntheticTrainingStep(batch, crop, prefix);
  try {
    return Array.from({ length: count }, () => run.step());
  } finally {
    run.dispose();
  }
}

async function start(backend: TrainingBackend | undefined): Promise<string> {
  for (const name of backend ? [backend] : PREFERENCE) {
    try {
      return await initBackend(name);
    } catch (e) {
      if (!(e instanceof BackendUnavailableError) || backend) throw e;
      console.log(`${name}: not here (${e.message.split('. ')[0]})`);
    }
  }
  throw new Error('no backend started');
}

const opts = options(process.argv.slice(2));
await initBackend('cpu');
const reference = losses(CHECK_STEPS, CHECK_BATCH, opts.crop, 'cpu');
const name = await start(opts.backend);
console.log(`backend: ${name} (tfjs ${tf.version_core}, Node ${process.version})`);
const check = losses(CHECK_STEPS, CHECK_BATCH, opts.crop, 'check');
const worst = Math.max(...check.map((l, i) => Math.abs(l - reference[i]!) / Math.abs(reference[i]!)));
console.log(`first ${CHECK_STEPS} losses, cpu: ${reference.map((l) => l.toFixed(6)).join(' ')}`);
console.log(`first ${CHECK_STEPS} losses, ${name}: ${check.map((l) => l.toFixed(6)).join(' ')}`);
console.log(
  `largest relative difference: ${worst.toExponential(2)} (${worst < 1e-3 ? 'kernels agree' : 'KERNELS DISAGREE'})`,
);
const run = syntheticTrainingStep(opts.batch, opts.crop, 'timed');
run.step(); // warm-up: shader compilation and first allocations are not training speed
const started = performance.now();
for (let step = 1; step <= opts.steps; step++) {
  const loss = run.step();
  if (step % 10 === 0 || step === opts.steps) console.log(`step ${step}: loss ${loss.toFixed(6)}`);
}
const seconds = (performance.now() - started) / 1000;
run.dispose();
console.log(
  `${name}: ${((opts.steps * opts.batch) / seconds).toFixed(1)} samples/s ` +
    `(${opts.steps} steps of ${opts.batch} ${opts.crop}×${opts.crop} crops in ${seconds.toFixed(1)} s)`,
);
if (worst >= 1e-3) process.exitCode = 1;
