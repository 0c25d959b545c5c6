// Dead-unit revival: finds exactly the units that never fire, revives them without changing what the nets compute.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { BLOCK_CHANNELS } from '../../src/container/layout.js';
import { embed, initWeights, reveal, type ModelConfig, type WeightMap } from '../../src/schemes/neural/model.js';
import { initBackend } from '../../src/node/backend.js';
import { findDeadUnits, reviveUnits } from '../../training/revive.js';

const CONFIG: ModelConfig = {
  kernels: [3, 4, 5],
  prepare: { layers: 2, filters: 4 },
  hiding: { layers: 2, filters: 4 },
  reveal: { layers: 2, filters: 4 },
};
// unit index = branch · filters + filter: 1 → k3 filter 1, 6 → k4 filter 2, 11 → k5 filter 3
const KILLED: Record<string, number[]> = { 'prepare/1': [1, 6], 'hiding/0': [11], 'reveal/1': [0, 5, 10] };

beforeAll(async () => {
  await initBackend('wasm');
});

function asValues(w: WeightMap): Map<string, { shape: number[]; data: Float32Array }> {
  const values = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const [name, t] of Object.entries(w)) {
    values.set(`model/${name}`, { shape: t.shape, data: Float32Array.from(t.dataSync()) });
    for (const slot of ['m', 'v'])
      values.set(`adam/w/${name}/${slot}`, { shape: t.shape, data: new Float32Array(t.size).fill(0.5) });
  }
  return values;
}

function asWeights(values: Map<string, { shape: number[]; data: Float32Array }>): WeightMap {
  const w: WeightMap = {};
  for (const [name, t] of values) if (name.startsWith('model/')) w[name.slice(6)] = tf.tensor(t.data, t.shape);
  return w;
}

describe('revive', () => {
  it('finds the killed units, revives them so they fire, and leaves embed and reveal outputs unchanged', async () => {
    const w = initWeights(CONFIG, 5);
    for (const [layer, units] of Object.entries(KILLED))
      for (const u of units) {
        const k = CONFIG.kernels[Math.floor(u / 4)]!;
        const b = w[`${layer}/k${k}/b`]!.dataSync().slice();
        b[u % 4] = -1000;
        w[`${layer}/k${k}/b`]!.dispose();
        w[`${layer}/k${k}/b`] = tf.tensor(b);
      }
    const shape: [number, number, number, number] = [2, 8, 8, BLOCK_CHANNELS];
    const cover = tf.randomUniform(shape, 0, 1, 'float32', 1) as tf.Tensor4D;
    const audio = tf.randomUniform(shape, -1, 1, 'float32', 2) as tf.Tensor4D;

    const dead = findDeadUnits(w, CONFIG, cover, audio);
    const found = Object.fromEntries(dead.filter((d) => d.units.length).map((d) => [d.layer, d.units]));
    expect(found).toEqual(KILLED);

    const before = tf.tidy(() => {
      const c = embed(w, CONFIG, cover, audio, 'none');
      return [c, reveal(w, CONFIG, cover)];
    });
    const values = asValues(w);
    expect(reviveUnits(values, CONFIG, dead, 9)).toBe(6);
    const revived = asWeights(values);
    const after = tf.tidy(() => [embed(revived, CONFIG, cover, audio, 'none'), reveal(revived, CONFIG, cover)]);
    for (let i = 0; i < 2; i++)
      expect(tf.max(tf.abs(tf.sub(before[i]!, after[i]!))).dataSync()[0], ['embed', 'reveal'][i]).toBeLessThan(1e-5);
    expect(findDeadUnits(revived, CONFIG, cover, audio).every((d) => d.units.length === 0)).toBe(true);

    // Adam slots: reset exactly where weights were touched, e.g. the k4 filter 2 column of prepare/1 and its readers.
    const m = values.get('adam/w/prepare/1/k4/w/m')!.data;
    m.forEach((v, i) => expect(v).toBe(i % 4 === 2 ? 0 : 0.5));
    const reader = values.get('adam/w/hiding/0/k3/w/v')!;
    const rin = reader.shape[2]!;
    reader.data.forEach((v, i) =>
      expect(v).toBe([48 + 1, 48 + 6].includes(Math.floor(i / reader.shape[3]!) % rin) ? 0 : 0.5),
    );
    tf.dispose([cover, audio, ...before, ...after, ...Object.values(w), ...Object.values(revived)]);
  });
});
