// Weights format (src/schemes/neural/weights-format.ts, src/schemes/neural/float16.ts): exact round trips, half-precision packing against a
// brute-force reference, refusal of every kind of bad weights, and export → load from disk → identical model outputs.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isStegError } from '../../src/util/errors.js';
import { fromHalf, halfBitsToFloat32, toHalf } from '../../src/schemes/neural/float16.js';
import { BLOCK_CHANNELS, LAYOUT_VERSION } from '../../src/container/layout.js';
import {
  embed,
  initWeights,
  reveal,
  weightSpecs,
  type ModelConfig,
  type WeightMap,
} from '../../src/schemes/neural/model.js';
import {
  BINARY_FILE,
  disposeModel,
  loadWeights,
  MANIFEST_FILE,
  serializeWeights,
  sha256Hex,
  upgradeWeights,
  WEIGHTS_FORMAT_VERSION,
  type WeightsManifest,
} from '../../src/schemes/neural/weights-format.js';
import { initBackend } from '../../src/node/backend.js';
import { exportWeights, upgradeWeightsDir } from '../../training/export.js';
import { BUNDLED_WEIGHTS_DIR, loadModelFromDir } from '../../src/node/load-model.js';
import { stegErrorOf } from '../helpers/errors.js';

const CONFIG: ModelConfig = {
  kernels: [3, 4],
  prepare: { layers: 1, filters: 4 },
  hiding: { layers: 2, filters: 4 },
  reveal: { layers: 1, filters: 5 },
};

/** Deterministic values: a spread of magnitudes (1e-6 … 10) and both signs, like trained weights. */
function values(config: ModelConfig, seed: number): Record<string, Float32Array> {
  let s = seed >>> 0;
  const next = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
  const out: Record<string, Float32Array> = {};
  for (const { name, shape } of weightSpecs(config))
    out[name] = Float32Array.from(
      { length: shape.reduce((a, b) => a * b, 1) },
      () => (next() - 0.5) * 10 ** (next() * 7 - 6),
    );
  return out;
}

/**
 * The version-1 layout of a version-2 binary, written here independently of the loader: version 1 stored each value
 * little-endian, one after another; version 2 stores byte planes, most significant first.
 */
async function asVersion1(
  manifest: WeightsManifest,
  bin: Uint8Array,
): Promise<{ manifest: WeightsManifest; bin: Uint8Array }> {
  const bytesPer = manifest.dtype === 'float16' ? 2 : 4;
  const total = bin.length / bytesPer;
  const v1 = new Uint8Array(bin.length);
  for (let i = 0; i < total; i++)
    for (let b = 0; b < bytesPer; b++) v1[i * bytesPer + b] = bin[(bytesPer - 1 - b) * total + i]!;
  return { manifest: { ...manifest, formatVersion: 1, sha256: await sha256Hex(v1) }, bin: v1 };
}

async function tensorValues(weights: WeightMap): Promise<Record<string, Float32Array>> {
  const out: Record<string, Float32Array> = {};
  for (const [name, t] of Object.entries(weights)) out[name] = Float32Array.from(await t.data());
  return out;
}

beforeAll(async () => {
  await initBackend('wasm');
});

describe('float16', () => {
  /** Every finite non-negative half value, indexed by its bit pattern (0x0000 … 0x7bff, increasing). */
  const halves = Array.from({ length: 0x7c00 }, (_, h) => fromHalf(h));

  /** Brute-force reference: nearest half (ties to even bit pattern), overflow to infinity from 65520 up. */
  function referenceHalf(x: number): number {
    const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0;
    const a = Math.abs(x);
    if (a >= 65520) return sign | 0x7c00;
    let lo = 0;
    let hi = halves.length - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (halves[mid]! <= a) lo = mid;
      else hi = mid;
    }
    const dLo = a - halves[lo]!;
    const dHi = halves[hi]! - a;
    const h = dLo < dHi ? lo : dHi < dLo ? hi : lo % 2 === 0 ? lo : hi;
    return sign | h;
  }

  it('decodes known bit patterns', () => {
    expect(fromHalf(0x3c00)).toBe(1);
    expect(fromHalf(0xc000)).toBe(-2);
    expect(fromHalf(0x7bff)).toBe(65504);
    expect(fromHalf(0x0400)).toBe(2 ** -14);
    expect(fromHalf(0x0001)).toBe(2 ** -24);
    expect(fromHalf(0x03ff)).toBe(2 ** -14 - 2 ** -24);
    expect(fromHalf(0x3555)).toBeCloseTo(0.333251953125, 12);
    expect(fromHalf(0x7c00)).toBe(Infinity);
    expect(fromHalf(0xfc00)).toBe(-Infinity);
    expect(fromHalf(0x7e00)).toBeNaN();
    expect(Object.is(fromHalf(0x8000), -0)).toBe(true);
  });

  it('halfBitsToFloat32 decodes all 65,536 bit patterns exactly as fromHalf', () => {
    const bits = Uint16Array.from({ length: 0x10000 }, (_, h) => h);
    const got = halfBitsToFloat32(bits);
    for (let h = 0; h < 0x10000; h++) {
      const want = Math.fround(fromHalf(h));
      if (!Object.is(got[h], want)) throw new Error(`half 0x${h.toString(16)}: ${got[h]} is not ${want}`);
    }
  });

  it('is exact on every representable value (all 63,488 finite halves and both infinities)', () => {
    for (let h = 0; h < 0x10000; h++) {
      const exp = (h >> 10) & 0x1f;
      const mant = h & 0x3ff;
      if (exp === 0x1f && mant !== 0) continue;
      if (toHalf(fromHalf(h)) !== h) throw new Error(`half 0x${h.toString(16)} does not round trip`);
    }
  });

  it('rounds to nearest, ties to even, including subnormals and overflow', () => {
    expect(toHalf(1 + 2 ** -11)).toBe(0x3c00); // tie → even (down)
    expect(toHalf(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie → even (up)
    expect(toHalf(1 + 2 ** -11 + 2 ** -20)).toBe(0x3c01); // just above the tie
    expect(toHalf(65519)).toBe(0x7bff);
    expect(toHalf(65520)).toBe(0x7c00);
    expect(toHalf(1e10)).toBe(0x7c00);
    expect(toHalf(-1e10)).toBe(0xfc00);
    expect(toHalf(2 ** -25)).toBe(0x0000); // tie between 0 and the smallest subnormal → 0
    expect(toHalf(2 ** -25 * 1.01)).toBe(0x0001);
    expect(toHalf(3 * 2 ** -25)).toBe(0x0002); // tie between 1 and 2 subnormal steps → 2
    expect(toHalf(2 ** -14 - 2 ** -25)).toBe(0x0400); // largest subnormal + half a step rounds into the normals
    expect(toHalf(1e-30)).toBe(0x0000);
    expect(toHalf(-1e-30)).toBe(0x8000);
    expect(toHalf(-0)).toBe(0x8000);
    expect(toHalf(Infinity)).toBe(0x7c00);
    expect(toHalf(-Infinity)).toBe(0xfc00);
    const nan = toHalf(Number.NaN);
    expect((nan & 0x7c00) === 0x7c00 && (nan & 0x3ff) !== 0).toBe(true);
    expect(fromHalf(nan)).toBeNaN();
  });

  it('matches the brute-force nearest half on 20,000 random float32 values', () => {
    fc.assert(
      fc.property(fc.float({ noNaN: true }), (x) => {
        expect(toHalf(x)).toBe(referenceHalf(x));
      }),
      { numRuns: 10_000, seed: 16 },
    );
    fc.assert(
      fc.property(fc.float({ min: Math.fround(-70_000), max: Math.fround(70_000), noNaN: true }), (x) => {
        expect(toHalf(x)).toBe(referenceHalf(x));
      }),
      { numRuns: 10_000, seed: 17 },
    );
  });
});

describe('serializeWeights → loadWeights', () => {
  it('float32: identical tensors, names and shapes', async () => {
    const v = values(CONFIG, 1);
    const { manifest, bin } = await serializeWeights(v, CONFIG, { version: 'test-f32', dtype: 'float32' });
    expect(manifest.formatVersion).toBe(WEIGHTS_FORMAT_VERSION);
    expect(manifest.layoutVersion).toBe(LAYOUT_VERSION);
    expect(bin.length).toBe(manifest.tensors.reduce((n, t) => n + t.shape.reduce((a, b) => a * b, 1), 0) * 4);
    const model = await loadWeights(JSON.parse(JSON.stringify(manifest)), bin);
    try {
      expect(model.version).toBe('test-f32');
      expect(model.config).toEqual(CONFIG);
      const specs = weightSpecs(CONFIG);
      expect(Object.keys(model.weights)).toEqual(specs.map((s) => s.name));
      for (const { name, shape } of specs) expect(model.weights[name]!.shape, name).toEqual(shape);
      expect(await tensorValues(model.weights)).toEqual(v);
    } finally {
      disposeModel(model);
    }
  });

  it('float16: every value is the nearest half, within half precision of the original', async () => {
    const v = values(CONFIG, 2);
    const { manifest, bin } = await serializeWeights(v, CONFIG, { version: 'test-f16', dtype: 'float16' });
    expect(bin.length).toBe(manifest.byteLength);
    const model = await loadWeights(manifest, bin);
    try {
      const got = await tensorValues(model.weights);
      for (const [name, orig] of Object.entries(v)) {
        const g = got[name]!;
        for (let i = 0; i < orig.length; i++) {
          const x = orig[i]!;
          if (g[i] !== Math.fround(fromHalf(toHalf(x))))
            throw new Error(`${name}[${i}]: ${g[i]} is not the half of ${x}`);
          // Relative error ≤ 2⁻¹¹ for normal halves; absolute ≤ 2⁻²⁵ in the subnormal range.
          if (Math.abs(g[i]! - x) > Math.max(Math.abs(x) * 2 ** -11, 2 ** -25))
            throw new Error(`${name}[${i}]: ${g[i]} too far from ${x}`);
        }
      }
    } finally {
      disposeModel(model);
    }
  });

  it('serializeWeights refuses a missing or mis-sized tensor', async () => {
    const v = values(CONFIG, 3);
    delete v['reveal/out/b'];
    await expect(serializeWeights(v, CONFIG, { version: 'x', dtype: 'float32' })).rejects.toThrow(/reveal\/out\/b/);
    const w = values(CONFIG, 3);
    w['prepare/0/k3/w'] = new Float32Array(3);
    await expect(serializeWeights(w, CONFIG, { version: 'x', dtype: 'float32' })).rejects.toThrow(/prepare\/0\/k3\/w/);
  });
});

describe('format versions: 2 (byte planes) is written, 1 (values in a row) is still read', () => {
  for (const dtype of ['float16', 'float32'] as const) {
    it(`${dtype}: a version-1 binary of the same values loads to identical tensors and upgrades byte for byte`, async () => {
      const v = values(CONFIG, 21);
      const v2 = await serializeWeights(v, CONFIG, { version: `planes-${dtype}`, dtype });
      expect(v2.manifest.formatVersion).toBe(2);
      const v1 = await asVersion1(v2.manifest, v2.bin);
      expect(v1.bin).not.toEqual(v2.bin);
      const [a, b] = [await loadWeights(v1.manifest, v1.bin), await loadWeights(v2.manifest, v2.bin)];
      try {
        const [va, vb] = [await tensorValues(a.weights), await tensorValues(b.weights)];
        expect(vb).toEqual(va);
        if (dtype === 'float32') expect(vb).toEqual(v);
      } finally {
        disposeModel(a);
        disposeModel(b);
      }
      const upgraded = await upgradeWeights(JSON.parse(JSON.stringify(v1.manifest)), v1.bin);
      expect(upgraded.bin).toEqual(v2.bin);
      expect(upgraded.manifest).toEqual(v2.manifest);
    });
  }

  it('a version-1 binary under a version-2 manifest (same sha256) decodes to other values', async () => {
    // Guards against a loader that ignores the version: the same bytes read as planes are different weights.
    const v2 = await serializeWeights(values(CONFIG, 22), CONFIG, { version: 'x', dtype: 'float16' });
    const v1 = await asVersion1(v2.manifest, v2.bin);
    const wrong = await loadWeights({ ...v1.manifest, formatVersion: 2 }, v1.bin);
    const right = await loadWeights(v2.manifest, v2.bin);
    try {
      expect(await tensorValues(wrong.weights)).not.toEqual(await tensorValues(right.weights));
    } finally {
      disposeModel(wrong);
      disposeModel(right);
    }
  });

  it('upgradeWeights refuses what the loader refuses', async () => {
    const v2 = await serializeWeights(values(CONFIG, 23), CONFIG, { version: 'x', dtype: 'float16' });
    const v1 = await asVersion1(v2.manifest, v2.bin);
    const flipped = v1.bin.slice();
    flipped[7]! ^= 0x10;
    expect(await stegErrorOf(() => upgradeWeights(v1.manifest, flipped))).toMatchObject({
      code: 'bad_weights',
      message: expect.stringMatching(/sha256/),
    });
    expect(await stegErrorOf(() => upgradeWeights({ ...v1.manifest, formatVersion: 9 }, v1.bin))).toMatchObject({
      code: 'bad_weights',
    });
  });

  it('the shipped weights are version 2, decode to the same values and model outputs as their version-1 layout, and compress better', async () => {
    const manifest = JSON.parse(
      await readFile(path.join(BUNDLED_WEIGHTS_DIR, MANIFEST_FILE), 'utf8'),
    ) as WeightsManifest;
    const bin = new Uint8Array(await readFile(path.join(BUNDLED_WEIGHTS_DIR, BINARY_FILE)));
    expect(manifest.formatVersion).toBe(WEIGHTS_FORMAT_VERSION);
    const v1 = await asVersion1(manifest, bin);
    const [a, b] = [await loadWeights(v1.manifest, v1.bin), await loadWeights(manifest, bin)];
    try {
      expect(await tensorValues(b.weights)).toEqual(await tensorValues(a.weights));
      // A 64×64 region through all three nets: bit-identical container and revealed audio.
      const run = (w: WeightMap) =>
        tf.tidy(() => {
          const n = 4 * 4 * BLOCK_CHANNELS;
          const cover = tf.tensor4d(
            Float32Array.from({ length: n }, (_, i) => 0.5 + 0.4 * Math.sin(i * 0.37)),
            [1, 4, 4, BLOCK_CHANNELS],
          );
          const audio = tf.tensor4d(
            Float32Array.from({ length: n }, (_, i) => 0.7 * Math.sin(i * 0.11)),
            [1, 4, 4, BLOCK_CHANNELS],
          );
          const container = embed(w, manifest.config, cover, audio);
          return tf.concat([container.flatten(), reveal(w, manifest.config, container).flatten()]);
        });
      const [oa, ob] = [run(a.weights), run(b.weights)];
      expect(Float32Array.from(await ob.data())).toEqual(Float32Array.from(await oa.data()));
      tf.dispose([oa, ob]);
    } finally {
      disposeModel(a);
      disposeModel(b);
    }
    expect(gzipSync(bin, { level: 9 }).length).toBeLessThan(0.95 * gzipSync(v1.bin, { level: 9 }).length);
  });

  it('upgradeWeightsDir rewrites a version-1 folder in place, keeping version, training and eval records', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'stegavox-upgrade-'));
    try {
      const v2 = await serializeWeights(values(CONFIG, 24), CONFIG, {
        version: 'old-one',
        dtype: 'float16',
        training: { steps: 7 },
        eval: { psnr: 1 },
      });
      const v1 = await asVersion1(v2.manifest, v2.bin);
      await writeFile(path.join(dir, MANIFEST_FILE), JSON.stringify(v1.manifest));
      await writeFile(path.join(dir, BINARY_FILE), v1.bin);
      const m = await upgradeWeightsDir(dir);
      expect(m).toEqual(v2.manifest);
      expect(new Uint8Array(await readFile(path.join(dir, BINARY_FILE)))).toEqual(v2.bin);
      expect(JSON.parse(await readFile(path.join(dir, MANIFEST_FILE), 'utf8'))).toEqual(v2.manifest);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('loadWeights refuses bad weights with bad_weights and a clear message', () => {
  let good: { manifest: WeightsManifest; bin: Uint8Array };
  beforeAll(async () => {
    good = await serializeWeights(values(CONFIG, 4), CONFIG, { version: 'test-good', dtype: 'float16' });
  });
  const edit = (f: (m: Record<string, any>) => void): unknown => {
    const m = JSON.parse(JSON.stringify(good.manifest)) as Record<string, any>;
    f(m);
    return m;
  };

  const manifestCases: Array<[string, () => unknown, RegExp]> = [
    ['unknown format version', () => edit((m) => (m.formatVersion = 3)), /format version 3 is not supported/],
    ['format version 0', () => edit((m) => (m.formatVersion = 0)), /format version 0 is not supported/],
    ['format version as a string', () => edit((m) => (m.formatVersion = '2')), /format version 2 is not supported/],
    ['missing format version', () => edit((m) => delete m.formatVersion), /format version undefined is not supported/],
    [
      'wrong layout version',
      () => edit((m) => (m.layoutVersion = LAYOUT_VERSION + 1)),
      /audio layout version \d+ does not match/,
    ],
    ['wrong format magic', () => edit((m) => (m.format = 'keras')), /manifest format is not "stegavox-weights"/],
    ['wrong sample rate', () => edit((m) => (m.sampleRate = 16000)), /sample rate 16000/],
    ['unknown dtype', () => edit((m) => (m.dtype = 'int8')), /dtype int8/],
    ['bad version string', () => edit((m) => (m.version = '../../etc')), /version is missing or invalid/],
    ['malformed sha256', () => edit((m) => (m.sha256 = 'abc')), /sha256 is missing or invalid/],
    ['tensor missing', () => edit((m) => m.tensors.pop()), /tensor list does not match its config/],
    [
      'tensor renamed',
      () => edit((m) => (m.tensors[2].name = 'prepare/0/k7/w')),
      /tensor 2 \(prepare\/0\/k7\/w\) does not match the config/,
    ],
    [
      'tensor reshaped',
      () => edit((m) => (m.tensors[0].shape = [3, 3, 48, 5])),
      /tensor 0 .* does not match the config/,
    ],
    ['tensor offset moved', () => edit((m) => (m.tensors[1].offset += 1)), /tensor 1 .* does not match the config/],
    ['tensors swapped', () => edit((m) => m.tensors.reverse()), /does not match the config/],
    ['tensor entry null', () => edit((m) => (m.tensors[3] = null)), /tensor 3 .* does not match the config/],
    ['tensor entry a string', () => edit((m) => (m.tensors[0] = 'w')), /tensor 0 .* does not match the config/],
    ['config with another width', () => edit((m) => (m.config.reveal.filters = 6)), /does not match the config/],
    ['config missing', () => edit((m) => delete m.config), /config is invalid/],
    ['config kernels empty', () => edit((m) => (m.config.kernels = [])), /config is invalid/],
    ['config kernel too large', () => edit((m) => (m.config.kernels = [3, 99])), /config is invalid/],
    ['config layers not a number', () => edit((m) => (m.config.hiding.layers = '2')), /config is invalid/],
    ['config net null', () => edit((m) => (m.config.prepare = null)), /config is invalid/],
    ['byteLength wrong', () => edit((m) => (m.byteLength += 2)), /byteLength does not match/],
    ['tensors not an array', () => edit((m) => (m.tensors = {})), /tensors or byteLength missing/],
    ['null', () => null, /not a JSON object/],
    ['a string', () => 'manifest', /not a JSON object/],
    ['an array', () => [1, 2, 3], /manifest format is not/],
    ['an empty object', () => ({}), /manifest format is not/],
  ];
  for (const [what, make, message] of manifestCases) {
    it(`manifest: ${what}`, async () => {
      const err = await stegErrorOf(() => loadWeights(make(), good.bin));
      expect(err.code).toBe('bad_weights');
      expect(err.message).toMatch(message);
    });
  }

  it('any JSON value put anywhere in the manifest gives a model or bad_weights, never another error (fast-check)', async () => {
    /** Every path (keys and indices) into a JSON value. */
    const paths = (v: unknown, prefix: Array<string | number> = []): Array<Array<string | number>> =>
      v !== null && typeof v === 'object'
        ? [prefix, ...Object.entries(v).flatMap(([k, c]) => paths(c, [...prefix, Array.isArray(v) ? Number(k) : k]))]
        : [prefix];
    const all = paths(good.manifest).filter((p) => p.length > 0);
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: all.length - 1 }), fc.jsonValue({ maxDepth: 2 }), async (which, value) => {
        const m = JSON.parse(JSON.stringify(good.manifest)) as Record<string, any>;
        const p = all[which]!;
        let parent: any = m;
        for (const k of p.slice(0, -1)) parent = parent[k];
        parent[p.at(-1)!] = value;
        try {
          disposeModel(await loadWeights(m, good.bin));
          accepted++;
        } catch (e) {
          if (!isStegError(e) || e.code !== 'bad_weights') throw e;
        }
      }),
      { numRuns: 3000, seed: 5 },
    );
    // Free-form fields (training, eval) are not validated, and a value can land on what was there.
    expect(accepted).toBeLessThan(300);
  });

  it('binary: wrong sha256 (one bit flipped)', async () => {
    const bin = good.bin.slice();
    bin[100]! ^= 0x04;
    const err = await stegErrorOf(() => loadWeights(good.manifest, bin));
    expect(err.code).toBe('bad_weights');
    expect(err.message).toMatch(/sha256 [0-9a-f]{64} does not match the manifest's [0-9a-f]{64}/);
  });

  it('binary: sha256 in the manifest of other weights', async () => {
    const other = await serializeWeights(values(CONFIG, 5), CONFIG, { version: 'other', dtype: 'float16' });
    const err = await stegErrorOf(() => loadWeights({ ...good.manifest, sha256: other.manifest.sha256 }, good.bin));
    expect(err).toMatchObject({ code: 'bad_weights', message: expect.stringMatching(/does not match the manifest/) });
  });

  it('binary: truncated, extended or empty', async () => {
    for (const bin of [
      good.bin.subarray(0, good.bin.length - 2),
      new Uint8Array([...good.bin, 0, 0]),
      new Uint8Array(0),
    ]) {
      const err = await stegErrorOf(() => loadWeights(good.manifest, bin));
      expect(err.code).toBe('bad_weights');
      expect(err.message).toMatch(
        new RegExp(`weights binary is ${bin.length} bytes, manifest says ${good.bin.length}`),
      );
    }
  });

  it('binary: float32 data under a float16 manifest', async () => {
    const f32 = await serializeWeights(values(CONFIG, 4), CONFIG, { version: 'test-good', dtype: 'float32' });
    const err = await stegErrorOf(() => loadWeights(good.manifest, f32.bin));
    expect(err.code).toBe('bad_weights');
  });

  it('leaves no tensors behind after a refusal', async () => {
    const before = tf.memory().numTensors;
    const bin = good.bin.slice();
    bin[0]! ^= 1;
    await stegErrorOf(() => loadWeights(good.manifest, bin));
    await stegErrorOf(() =>
      loadWeights(
        edit((m) => (m.layoutVersion = 99)),
        good.bin,
      ),
    );
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('export → loadModelFromDir', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'stegavox-weights-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** A fixed 64×32 cover and audio in block layout ([1, 8, 16, 48]). */
  function inputs(): { cover: tf.Tensor4D; audio: tf.Tensor4D } {
    const n = 8 * 16 * BLOCK_CHANNELS;
    const cover = Float32Array.from({ length: n }, (_, i) => 0.5 + 0.4 * Math.sin(i * 0.013) * Math.cos(i * 0.0007));
    const audio = Float32Array.from({ length: n }, (_, i) => 0.8 * Math.sin(i * 0.21) * Math.sin(i * 0.0011));
    return {
      cover: tf.tensor4d(cover, [1, 8, 16, BLOCK_CHANNELS]),
      audio: tf.tensor4d(audio, [1, 8, 16, BLOCK_CHANNELS]),
    };
  }

  async function outputs(
    weights: WeightMap,
    config: ModelConfig,
  ): Promise<{ container: Float32Array; revealed: Float32Array }> {
    const [c, r] = tf.tidy(() => {
      const { cover, audio } = inputs();
      const container = embed(weights, config, cover, audio);
      return [container, reveal(weights, config, container)];
    });
    const out = { container: Float32Array.from(await c!.data()), revealed: Float32Array.from(await r!.data()) };
    tf.dispose([c!, r!]);
    return out;
  }

  for (const dtype of ['float32', 'float16'] as const) {
    it(`${dtype}: the loaded model gives the same container and revealed audio as the in-memory weights`, async () => {
      const memory = initWeights(CONFIG, 11);
      const out = path.join(dir, dtype);
      const manifest = await exportWeights(out, memory, CONFIG, {
        version: `export-${dtype}`,
        dtype,
        training: { steps: 0 },
      });
      expect(JSON.parse(await readFile(path.join(out, MANIFEST_FILE), 'utf8'))).toEqual(manifest);
      expect((await readFile(path.join(out, BINARY_FILE))).length).toBe(manifest.byteLength);

      // float16 stores each weight as its nearest half: compare against the in-memory weights rounded the same way.
      const reference: WeightMap = {};
      for (const [name, t] of Object.entries(memory)) {
        const data = Float32Array.from(await t.data());
        if (dtype === 'float16') for (let i = 0; i < data.length; i++) data[i] = fromHalf(toHalf(data[i]!));
        reference[name] = tf.tensor(data, t.shape);
      }
      const loaded = await loadModelFromDir(out);
      try {
        expect(loaded.version).toBe(`export-${dtype}`);
        expect(loaded.manifest.training).toEqual({ steps: 0 });
        const a = await outputs(reference, CONFIG);
        const b = await outputs(loaded.weights, loaded.config);
        expect(b.container).toEqual(a.container);
        expect(b.revealed).toEqual(a.revealed);
        // The outputs depend on the weights: another seed gives another reveal.
        const other = initWeights(CONFIG, 12);
        const c = await outputs(other, CONFIG);
        expect(c.revealed).not.toEqual(a.revealed);
        tf.dispose(Object.values(other));
      } finally {
        disposeModel(loaded);
        tf.dispose(Object.values(reference));
        tf.dispose(Object.values(memory));
      }
    });
  }

  it('refuses a missing folder with no_weights and unparsable JSON with bad_weights', async () => {
    const missing = await stegErrorOf(() => loadModelFromDir(path.join(dir, 'nope')));
    expect(missing.code).toBe('no_weights');
    expect(missing.message).toMatch(/cannot read weights from .*nope/);
    const broken = path.join(dir, 'broken');
    const w = initWeights(CONFIG, 13);
    await exportWeights(broken, w, CONFIG, { version: 'broken', dtype: 'float16' });
    tf.dispose(Object.values(w));
    await writeFile(path.join(broken, MANIFEST_FILE), '{"format": "stegavox-weights",');
    const bad = await stegErrorOf(() => loadModelFromDir(broken));
    expect(bad.code).toBe('bad_weights');
    expect(bad.message).toMatch(/manifest\.json is not valid JSON/);
  });
});
