/** `stegavox revive`: revives the dead ReLU units of a training checkpoint in place (same function, fresh capacity). */
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { WeightMap } from '../../src/schemes/neural/model.js';
import { initBackend, type TrainingBackend } from '../../src/node/backend.js';
import { loadCheckpoint, saveCheckpoint } from '../../training/checkpoint.js';
import { makeBatch } from '../../datasets/batch.js';
import { createRng, getPreset, loadPreset } from '../../datasets/presets.js';
import { findDeadUnits, reviveUnits } from '../../training/revive.js';
import { numberOption, parse, required } from './args.js';

/** `revive --run DIR [options]`: see the CLI usage text. */
export async function reviveCommand(argv: string[]): Promise<void> {
  const v = parse(argv, {
    run: { type: 'string' },
    preset: { type: 'string', default: 'real' },
    data: { type: 'string' },
    probe: { type: 'string' },
    crop: { type: 'string' },
    seed: { type: 'string' },
    backend: { type: 'string', default: 'wasm' },
    'limit-images': { type: 'string' },
    'limit-clips': { type: 'string' },
  });
  const runDir = path.resolve(required(v, 'run'));
  const { state, values } = await loadCheckpoint(runDir);
  await initBackend(v.backend as TrainingBackend);
  const preset = getPreset(v.preset!, { dataRoot: v.data });
  const data = await loadPreset(preset, {
    images: v['limit-images'] ? numberOption(v, 'limit-images', 0) : undefined,
    clips: v['limit-clips'] ? numberOption(v, 'limit-clips', 0) : undefined,
  });
  const seed = numberOption(v, 'seed', 1);
  // Probe on the training data (never the evaluation sets): what the units see while they learn.
  const probe = makeBatch({
    images: data.images,
    audio: data.speech,
    batch: numberOption(v, 'probe', 64),
    crop: numberOption(v, 'crop', 64),
    mix: preset.mix,
    rng: createRng(seed * 7919 + 17),
    truncate: preset.truncate,
  });
  const weights: WeightMap = {};
  for (const [name, t] of values)
    if (name.startsWith('model/')) weights[name.slice('model/'.length)] = tf.tensor(t.data, t.shape);
  const cover = tf.tensor4d(probe.cover, probe.shape);
  const audio = tf.tensor4d(probe.audio, probe.shape);
  const dead = findDeadUnits(weights, state.config, cover, audio);
  tf.dispose([cover, audio, ...Object.values(weights)]);
  for (const d of dead)
    console.log(`${d.layer.padEnd(10)} ${String(d.units.length).padStart(3)} of ${d.of} units never fire`);
  const revived = reviveUnits(values, state.config, dead, seed + state.step);
  if (revived === 0) {
    console.log('nothing to revive; checkpoint unchanged');
    return;
  }
  // The record travels with the checkpoint's options into the exported manifest, so shipped weights say what was done.
  const history = Array.isArray(state.options.revived) ? (state.options.revived as unknown[]) : [];
  state.options = {
    ...state.options,
    revived: [
      ...history,
      {
        step: state.step,
        units: Object.fromEntries(dead.filter((d) => d.units.length).map((d) => [d.layer, d.units.length])),
      },
    ],
  };
  await saveCheckpoint(
    runDir,
    state,
    [...values].map(([name, t]) => ({ name, tensor: tf.tensor(t.data, t.shape) })),
  );
  console.log(
    `revived ${revived} units at step ${state.step}; checkpoint in ${runDir} updated (resume with train --resume)`,
  );
}
