/** Dead-unit surgery on a checkpoint: find ReLU units that never fire, give them fresh weights without changing the function. */
import * as tf from '@tensorflow/tfjs-core';
import { PIXEL_CENTRE } from '../src/container/layout.js';
import {
  coverForHiding,
  multiScaleLayer,
  toCoefficients,
  type ModelConfig,
  type WeightMap,
} from '../src/schemes/neural/model.js';
import { mulberry32 } from '../src/util/rng.js';

/** A layer's units by index (branch k3 first, `filters` per branch) that never fired on the probe. */
export interface DeadUnits {
  layer: string;
  units: number[];
  of: number;
}

/**
 * Runs every multi-scale layer of the three nets on a probe batch (cover blocks in [0, 1], audio blocks in [-1, 1],
 * both [N, h, w, 48]) exactly as embed and reveal do (the probe's own cover stands in for the container), and lists
 * the units whose ReLU output is 0 everywhere.
 */
export function findDeadUnits(w: WeightMap, config: ModelConfig, cover: tf.Tensor4D, audio: tf.Tensor4D): DeadUnits[] {
  const out: DeadUnits[] = [];
  tf.tidy(() => {
    const run = (net: string, layers: number, x: tf.Tensor4D): tf.Tensor4D => {
      let h = x;
      for (let l = 0; l < layers; l++) {
        h = multiScaleLayer(w, `${net}/${l}`, config.kernels, h);
        const peak = tf.max(h, [0, 1, 2]).dataSync();
        out.push({ layer: `${net}/${l}`, units: [...peak].flatMap((v, i) => (v > 0 ? [] : [i])), of: peak.length });
      }
      return tf.concat([h, x], 3);
    };
    const prepared = run('prepare', config.prepare.layers, audio);
    const coefficients = (pixels: tf.Tensor4D) => toCoefficients(tf.sub(pixels, PIXEL_CENTRE) as tf.Tensor4D);
    run('hiding', config.hiding.layers, tf.concat([coefficients(coverForHiding(cover)), prepared], 3));
    run('reveal', config.reveal.layers, coefficients(cover));
  });
  return out;
}

/** Where a layer's unit u is read: weight name and the input channel it occupies there. */
function readersOf(config: ModelConfig, layer: string, unit: number): Array<{ name: string; channel: number }> {
  const [net, l] = layer.split('/') as [string, string];
  const index = Number(l);
  const last = index === config[net as 'prepare' | 'hiding' | 'reveal'].layers - 1;
  const convs = (prefix: string, channel: number) =>
    config.kernels.map((k) => ({ name: `${prefix}/k${k}/w`, channel }));
  if (!last) return convs(`${net}/${index + 1}`, unit);
  // A stack's output is [features, input]: the Prepare features sit after the 48 cover coefficients in Hiding's input,
  // which Hiding's first layer reads and, through its own skip, Hiding's output layer too (after Hiding's features).
  if (net === 'prepare') {
    const hidingFeatures = config.hiding.layers > 0 ? config.hiding.filters * config.kernels.length : 0;
    return [
      ...(config.hiding.layers > 0 ? convs('hiding/0', 48 + unit) : []),
      { name: 'hiding/out/w', channel: hidingFeatures + 48 + unit },
    ];
  }
  return [{ name: `${net}/out/w`, channel: unit }];
}

/**
 * Revives `dead` units in place: He-normal fan-in and a small positive bias (so they fire), and zero fan-out (so the
 * nets compute exactly what they did), with the Adam slots of every touched entry reset. `values` maps checkpoint
 * tensor names (`model/<weight>`, `adam/w/<weight>/m|v`) to float32 data. Returns how many units were revived.
 */
export function reviveUnits(
  values: Map<string, { shape: number[]; data: Float32Array }>,
  config: ModelConfig,
  dead: DeadUnits[],
  seed: number,
): number {
  const rand = mulberry32(seed);
  const normal = () => Math.sqrt(-2 * Math.log(Math.max(1e-12, rand()))) * Math.cos(2 * Math.PI * rand());
  const get = (name: string) => {
    const t = values.get(`model/${name}`);
    if (!t) throw new Error(`checkpoint has no tensor model/${name}`);
    return t;
  };
  const resetSlots = (name: string, pick: (i: number) => boolean) => {
    for (const slot of ['m', 'v']) {
      const t = values.get(`adam/w/${name}/${slot}`);
      if (t) for (let i = 0; i < t.data.length; i++) if (pick(i)) t.data[i] = 0;
    }
  };
  let revived = 0;
  for (const { layer, units } of dead) {
    for (const unit of units) {
      const filters = config[layer.split('/')[0] as 'prepare' | 'hiding' | 'reveal'].filters;
      const k = config.kernels[Math.floor(unit / filters)]!;
      const filter = unit % filters;
      const kernel = get(`${layer}/k${k}/w`);
      const [kh, kw, cin, cout] = kernel.shape as [number, number, number, number];
      const std = Math.sqrt(2 / (kh * kw * cin));
      const ownColumn = (i: number) => i % cout === filter;
      for (let i = 0; i < kernel.data.length; i++) if (ownColumn(i)) kernel.data[i] = normal() * std;
      resetSlots(`${layer}/k${k}/w`, ownColumn);
      get(`${layer}/k${k}/b`).data[filter] = 0.01;
      resetSlots(`${layer}/k${k}/b`, (i) => i === filter);
      for (const { name, channel } of readersOf(config, layer, unit)) {
        const reader = get(name);
        const [, , rin, rout] = reader.shape as [number, number, number, number];
        const readsUnit = (i: number) => Math.floor(i / rout) % rin === channel;
        for (let i = 0; i < reader.data.length; i++) if (readsUnit(i)) reader.data[i] = 0;
        resetSlots(name, readsUnit);
      }
      revived++;
    }
  }
  return revived;
}
