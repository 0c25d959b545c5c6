/** The training loop: Adam on MSE(cover) + β·MSE(audio), β steered towards a target PSNR, checkpoints and resume. */
import * as tf from '@tensorflow/tfjs-core';
import { pcc } from '../src/metrics/quality.js';
import { embed, initWeights, reveal, type ModelConfig } from '../src/schemes/neural/model.js';
import { loadCheckpoint, saveCheckpoint, type LoopState } from './checkpoint.js';
import { lossParts, psnrOf } from './loss.js';
import { Progress } from './progress.js';

/** A batch in the nets' block layout: cover in [0, 1], audio in [-1, 1], both `shape` = [N, h, w, 48]. */
export interface Batch {
  cover: Float32Array;
  audio: Float32Array;
  shape: [number, number, number, number];
}

/** Loop settings (all stored in checkpoints so a resumed run continues the same schedule). */
export interface LoopOptions {
  steps: number;
  /** Peak learning rate; cosine-decayed to lr/20 over `steps` after a short warm-up. */
  lr: number;
  /** Initial weight of the audio loss. */
  beta: number;
  /** When set, β is nudged every step so the batch cover PSNR tends to this value (dB). */
  targetPsnr?: number;
  /** Steps at the fixed initial β before the PSNR target starts steering it (hiding and reveal must first agree on a code). */
  betaWarmupSteps: number;
  seed: number;
  /** Validate every this many steps. */
  evalEvery: number;
  /** Checkpoint at most this often (seconds) and at the end. */
  checkpointSeconds: number;
  logEvery: number;
  /** Share of the steps (from the start) that use uniform noise instead of exact rounding; the rest round. */
  noiseFraction: number;
}

/** What {@link trainLoop} hands back. */
export interface LoopResult {
  weights: Record<string, tf.Variable>;
  state: LoopState;
  interrupted: boolean;
}

const BETA_RATE = 0.0005; // log-β change per dB of PSNR error per step: slow, so β follows the trend, not the batch noise
const BETA_FLOOR = 0.05; // below this the audio loss stops teaching anything and reveal quality collapses

function learningRate(step: number, o: LoopOptions): number {
  const warm = Math.min(200, o.steps / 10);
  if (step < warm) return (o.lr * (step + 1)) / warm;
  const t = (step - warm) / Math.max(1, o.steps - warm);
  return o.lr / 20 + (o.lr - o.lr / 20) * 0.5 * (1 + Math.cos(Math.PI * Math.min(1, t)));
}

/** Validation figures on a fixed batch: container PSNR after 8-bit rounding and audio PCC where audio is present. */
export async function validate(
  weights: Record<string, tf.Tensor>,
  config: ModelConfig,
  batch: Batch,
): Promise<{ psnr: number; pcc: number }> {
  const [mseT, revealedT] = tf.tidy(() => {
    const cover = tf.tensor4d(batch.cover, batch.shape);
    const container = embed(weights, config, cover, tf.tensor4d(batch.audio, batch.shape));
    return [tf.mean(tf.squaredDifference(container, cover)), reveal(weights, config, container)];
  });
  const mse = (await mseT!.data())[0]!;
  const revealed = (await revealedT!.data()) as Float32Array;
  tf.dispose([mseT!, revealedT!]);
  return { psnr: psnrOf(mse), pcc: pcc(batch.audio, revealed) };
}

/**
 * Trains `config` from scratch, or from the checkpoint in `resumeDir`. Stops after `options.steps` steps or when
 * `shouldStop()` turns true (Ctrl-C), checkpointing into `runDir` on the way and at the end.
 */
export async function trainLoop(args: {
  config: ModelConfig;
  options: LoopOptions;
  nextBatch: () => Batch;
  validationBatch: Batch;
  runDir: string;
  resumeDir?: string;
  shouldStop?: () => boolean;
  onValidate?: (step: number, v: { psnr: number; pcc: number }) => void;
}): Promise<LoopResult> {
  const { config, nextBatch, validationBatch, runDir } = args;
  let options = args.options;
  let state: LoopState = {
    step: 0,
    beta: options.beta,
    wallSeconds: 0,
    seed: options.seed,
    curve: [],
    options: { ...options },
    config,
  };
  const weights: Record<string, tf.Variable> = {};
  const optimizer = tf.train.adam(options.lr);
  if (args.resumeDir) {
    const { state: saved, values } = await loadCheckpoint(args.resumeDir);
    state = saved;
    options = { ...options, ...(saved.options as Partial<LoopOptions>), steps: args.options.steps };
    // A variable shares its initial tensor's data, so the temporary tensors are disposed once the variables exist.
    for (const [name, { shape, data }] of values)
      if (name.startsWith('model/')) {
        const t = tf.tensor(data, shape);
        weights[name.slice(6)] = tf.variable(t, true, `w/${name.slice(6)}`);
        t.dispose();
      }
    const slots = [...values.entries()].filter(([n]) => n.startsWith('adam/'));
    if (slots.length > 0) {
      const named = slots.map(([n, { shape, data }]) => ({ name: n.slice(5), tensor: tf.tensor(data, shape) }));
      await optimizer.setWeights(named);
      tf.dispose(named.map((w) => w.tensor));
    }
  } else {
    const init = initWeights(config, options.seed);
    for (const [name, t] of Object.entries(init)) {
      weights[name] = tf.variable(t, true, `w/${name}`);
      t.dispose();
    }
  }
  const varList = Object.values(weights);
  const progress = new Progress(options.logEvery);
  let lastCheckpoint = Date.now();
  let interrupted = false;
  const started = Date.now();
  const wallAtStart = state.wallSeconds;
  let recentStart = Date.now();
  let recentSteps = 0;
  let stepsPerSecond = 0;

  const checkpoint = async () => {
    state.wallSeconds = wallAtStart + (Date.now() - started) / 1000;
    const slots = await optimizer.getWeights();
    await saveCheckpoint(runDir, state, [
      ...Object.entries(weights).map(([name, tensor]) => ({ name: `model/${name}`, tensor: tensor as tf.Tensor })),
      ...slots.map(({ name, tensor }) => ({ name: `adam/${name}`, tensor })),
    ]);
    // getWeights() makes a fresh scalar for the step count (the other slots are the optimizer's own variables).
    tf.dispose(slots.filter((s) => s.name === 'iter').map((s) => s.tensor));
    lastCheckpoint = Date.now();
  };

  while (state.step < options.steps) {
    // wasm reads resolve as microtasks, so without a macrotask turn here signal handlers (Ctrl-C) would never run.
    await new Promise((resolve) => setImmediate(resolve));
    if (args.shouldStop?.()) {
      interrupted = true;
      break;
    }
    const batch = nextBatch();
    // tfjs reads the field on every update but keeps it protected: no public setter exists.
    (optimizer as unknown as { learningRate: number }).learningRate = learningRate(state.step, options);
    const beta = state.beta;
    let parts: { cover: tf.Scalar; audio: tf.Scalar } | undefined;
    tf.tidy(() => {
      optimizer.minimize(
        () => {
          const quantize = state.step < options.noiseFraction * options.steps ? 'noise' : 'round';
          // Rounding noise seeded by run seed and step: a rerun (or a resume) draws exactly the same noise.
          const noiseSeed = (Math.imul(state.seed, 0x9e3779b1) + state.step) >>> 0;
          const p = lossParts(
            weights,
            config,
            tf.tensor4d(batch.cover, batch.shape),
            tf.tensor4d(batch.audio, batch.shape),
            beta,
            quantize,
            noiseSeed,
          );
          parts = { cover: tf.keep(p.coverMse), audio: tf.keep(p.audioMse) };
          return p.total;
        },
        false,
        varList,
      );
    });
    const coverMse = (await parts!.cover.data())[0]!;
    const audioMse = (await parts!.audio.data())[0]!;
    tf.dispose([parts!.cover, parts!.audio]);
    const coverPsnr = psnrOf(coverMse);
    if (options.targetPsnr !== undefined && state.step >= options.betaWarmupSteps)
      state.beta = Math.min(
        100,
        Math.max(
          BETA_FLOOR,
          beta * Math.exp(Math.max(-0.05, Math.min(0.05, BETA_RATE * (coverPsnr - options.targetPsnr)))),
        ),
      );
    state.step++;
    recentSteps++;
    if (Date.now() - recentStart > 5000) {
      stepsPerSecond = (recentSteps * 1000) / (Date.now() - recentStart);
      recentStart = Date.now();
      recentSteps = 0;
    }
    const row = [state.step, coverPsnr, audioMse];
    let val: { psnr: number; pcc: number } | undefined;
    if (state.step % options.evalEvery === 0 || state.step === options.steps) {
      val = await validate(weights, config, validationBatch);
      row.push(val.psnr, val.pcc);
      args.onValidate?.(state.step, val);
    }
    if (state.step % options.logEvery === 0 || val) state.curve.push(row.map((v) => Math.round(v * 1e5) / 1e5));
    progress.update(
      {
        step: state.step,
        totalSteps: options.steps,
        coverPsnr,
        audioMse,
        beta: state.beta,
        stepsPerSecond,
        valPsnr: val?.psnr,
        valPcc: val?.pcc,
      },
      val !== undefined,
    );
    if (Date.now() - lastCheckpoint > options.checkpointSeconds * 1000) await checkpoint();
  }
  progress.done();
  await checkpoint();
  optimizer.dispose();
  return { weights, state, interrupted };
}
