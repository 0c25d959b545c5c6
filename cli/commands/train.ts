/** `stegavox train`: loads a data preset, runs the training loop with checkpoints, optionally exports weights. */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { DEFAULT_CONFIG, type ModelConfig } from '../../src/schemes/neural/model.js';
import { initBackend, type TrainingBackend, TRAINING_BACKENDS } from '../../src/node/backend.js';
import { makeBatch, type Batch as DataBatch } from '../../datasets/batch.js';
import { createRng, getPreset, loadPreset } from '../../datasets/presets.js';
import { exportWeights } from '../../training/export.js';
import { trainLoop, type Batch } from '../../training/train.js';
import { numberOption, parse, UsageError } from './args.js';

const VALIDATION_ITEMS = 16;

function toLoopBatch(b: DataBatch): Batch {
  return { cover: b.cover, audio: b.audio, shape: b.shape };
}

/** `train [options]`: see the CLI usage text. */
export async function trainCommand(argv: string[]): Promise<void> {
  const v = parse(argv, {
    preset: { type: 'string', default: 'real' },
    steps: { type: 'string' },
    batch: { type: 'string' },
    crop: { type: 'string' },
    lr: { type: 'string' },
    beta: { type: 'string' },
    'target-psnr': { type: 'string' },
    seed: { type: 'string' },
    backend: { type: 'string', default: 'wasm' },
    threads: { type: 'string' },
    run: { type: 'string' },
    resume: { type: 'boolean', default: false },
    export: { type: 'string' },
    version: { type: 'string' },
    config: { type: 'string' },
    data: { type: 'string' },
    'limit-images': { type: 'string' },
    'limit-clips': { type: 'string' },
    'checkpoint-seconds': { type: 'string' },
    'eval-every': { type: 'string' },
    'noise-fraction': { type: 'string' },
    'beta-warmup': { type: 'string' },
    dtype: { type: 'string', default: 'float16' },
  });
  const backend = v.backend as TrainingBackend;
  if (!TRAINING_BACKENDS.includes(backend))
    throw new UsageError(`--backend must be one of ${TRAINING_BACKENDS.join(', ')}`);
  const threads = numberOption(v, 'threads', 1);
  if (!Number.isInteger(threads) || threads < 1)
    throw new UsageError(`--threads must be a whole number of at least 1, got "${v.threads}"`);
  if (threads > 1 && backend !== 'wasm') throw new UsageError(`--threads ${threads} needs --backend wasm`);
  const preset = getPreset(v.preset!, { dataRoot: v.data });
  const config: ModelConfig = v.config ? (JSON.parse(await readFile(v.config, 'utf8')) as ModelConfig) : DEFAULT_CONFIG;
  const seed = numberOption(v, 'seed', 1);
  // The reference notebook's 100 pairs × 5 epochs are taken one pair per update (500 updates).
  const batchSize = numberOption(v, 'batch', preset.pairs ? 1 : 32);
  const crop = numberOption(v, 'crop', preset.crop);
  const stepsPerEpoch = preset.pairs ? Math.ceil(preset.pairs / batchSize) : 0;
  const steps = numberOption(v, 'steps', preset.pairs ? stepsPerEpoch * (preset.epochs ?? 1) : 4000);
  const runDir = path.resolve(v.run ?? path.join('runs', preset.name));
  if (v.resume && !existsSync(path.join(runDir, 'checkpoint.json')))
    throw new UsageError(`--resume: no checkpoint in ${runDir}`);

  await initBackend(backend, { threads });
  console.log(
    `backend ${tf.getBackend()}, ${threads} thread${threads === 1 ? '' : 's'}, preset ${preset.name}: ${preset.description}`,
  );
  const data = await loadPreset(preset, {
    images: v['limit-images'] ? numberOption(v, 'limit-images', 0) : undefined,
    clips: v['limit-clips'] ? numberOption(v, 'limit-clips', 0) : undefined,
  });
  console.log(
    `loaded ${data.images.images.length} images, ${data.speech ? `${(data.speech.samples.length / 8000 / 60).toFixed(1)} min of speech` : 'no speech'}`,
  );

  const rng = createRng(seed + 7919 * 1000003);
  const draw = (n: number, r = rng, mix = preset.mix) =>
    makeBatch({ images: data.images, audio: data.speech, batch: n, crop, mix, rng: r, truncate: preset.truncate });
  // The reference experiment trains on one fixed set of pairs for a few epochs; `real` draws fresh pairs every step.
  const fixed = preset.pairs ? draw(preset.pairs) : null;
  let cursor = 0;
  const nextBatch = (): Batch => {
    if (!fixed) return toLoopBatch(draw(batchSize));
    const per = fixed.cover.length / fixed.shape[0];
    const idx = Array.from({ length: batchSize }, () => cursor++ % fixed.shape[0]);
    const cover = new Float32Array(batchSize * per);
    const audio = new Float32Array(batchSize * per);
    idx.forEach((j, i) => {
      cover.set(fixed.cover.subarray(j * per, (j + 1) * per), i * per);
      audio.set(fixed.audio.subarray(j * per, (j + 1) * per), i * per);
    });
    return { cover, audio, shape: [batchSize, fixed.shape[1], fixed.shape[2], fixed.shape[3]] };
  };
  const validationMix = data.speech ? { sines: 0, speech: 1 } : preset.mix;
  const validationBatch = toLoopBatch(draw(VALIDATION_ITEMS, createRng(seed + 99991), validationMix));

  let stopRequested = false;
  const onSigint = () => {
    if (stopRequested) process.exit(130);
    stopRequested = true;
    console.log('\nCtrl-C: saving a checkpoint, then stopping (Ctrl-C again to quit at once)');
  };
  process.on('SIGINT', onSigint);
  const started = new Date().toISOString();
  const result = await trainLoop({
    config,
    options: {
      steps,
      lr: numberOption(v, 'lr', 1e-3),
      beta: numberOption(v, 'beta', 1),
      targetPsnr: v['target-psnr'] ? numberOption(v, 'target-psnr', 0) : undefined,
      seed,
      evalEvery: numberOption(v, 'eval-every', preset.pairs ? stepsPerEpoch : 100),
      checkpointSeconds: numberOption(v, 'checkpoint-seconds', 180),
      logEvery: preset.pairs ? 1 : 10,
      noiseFraction: numberOption(v, 'noise-fraction', 0.7),
      betaWarmupSteps: numberOption(v, 'beta-warmup', 1500),
    },
    nextBatch,
    validationBatch,
    runDir,
    resumeDir: v.resume ? runDir : undefined,
    shouldStop: () => stopRequested,
  });
  process.off('SIGINT', onSigint);
  const last = result.state.curve.filter((r) => r.length >= 5).at(-1);
  console.log(
    `${result.interrupted ? 'stopped' : 'finished'} at step ${result.state.step} after ${(result.state.wallSeconds / 60).toFixed(1)} min` +
      (last ? `: validation ${last[3]!.toFixed(2)} dB, PCC ${last[4]!.toFixed(4)}` : '') +
      `; checkpoint in ${runDir}`,
  );
  if (v.export) {
    const manifest = await exportWeights(v.export, result.weights, config, {
      version: v.version ?? `svx-${preset.name}-${started.slice(0, 10)}-s${result.state.step}`,
      dtype: v.dtype === 'float32' ? 'float32' : 'float16',
      training: {
        preset: preset.name,
        data: preset.description,
        steps: result.state.step,
        wallSeconds: Math.round(result.state.wallSeconds),
        backend,
        batch: batchSize,
        crop,
        seed,
        finalBeta: result.state.beta,
        options: result.state.options,
        finished: new Date().toISOString(),
        curve: result.state.curve.filter(
          (_, i, a) => a.length < 200 || i % Math.ceil(a.length / 200) === 0 || i === a.length - 1,
        ),
      },
    });
    console.log(
      `exported ${manifest.version} to ${v.export} (${manifest.byteLength} bytes, sha256 ${manifest.sha256.slice(0, 12)}…)`,
    );
  }
  tf.dispose(Object.values(result.weights));
}
