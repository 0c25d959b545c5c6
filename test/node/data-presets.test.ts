// Data presets: paths, splits, errors; loads the real data only when ../shared/data is present.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeBatch } from '../../datasets/batch.js';
import { dataRoot, evalSets, getPreset, loadPreset, repoRoot } from '../../datasets/presets.js';
import { createRng } from '../../src/util/rng.js';

describe('presets', () => {
  it('resolve the data root next to the repo by default and honour an explicit one', () => {
    expect(existsSync(join(repoRoot(), 'package.json'))).toBe(true);
    const saved = process.env.STEGAVOX_DATA;
    delete process.env.STEGAVOX_DATA;
    try {
      expect(dataRoot()).toBe(resolve(repoRoot(), '..', 'shared', 'data'));
      expect(dataRoot('/tmp/x')).toBe('/tmp/x');
      process.env.STEGAVOX_DATA = '/tmp/y';
      expect(dataRoot()).toBe('/tmp/y');
    } finally {
      if (saved === undefined) delete process.env.STEGAVOX_DATA;
      else process.env.STEGAVOX_DATA = saved;
    }
  });

  it('reference: CIFAR + sines, 100 pairs, 5 epochs', () => {
    const p = getPreset('reference', { dataRoot: '/d' });
    expect(p.covers).toEqual({ kind: 'cifar-subset', dir: '/d/cifar10_test_subset', flip: false });
    expect(p.mix).toEqual({ sines: 1, speech: 0 });
    expect([p.pairs, p.epochs, p.crop, p.speech]).toEqual([100, 5, 32, null]);
    expect(getPreset('reference', { cifarBinaryDir: '/bin' }).covers.kind).toBe('cifar-binary');
  });

  it('real: all of bsds500, FSDD recordings 5–49 only, sines mixed in', () => {
    const p = getPreset('real', { dataRoot: '/d' });
    expect(p.covers).toEqual({ kind: 'folder', dirs: ['/d/bsds500'], flip: true });
    expect(p.speech!.dir).toBe('/d/fsdd/recordings');
    expect(p.speech!.filter('3_theo_5.wav')).toBe(true);
    expect(p.speech!.filter('3_theo_4.wav')).toBe(false);
    expect(p.mix.sines / (p.mix.sines + p.mix.speech)).toBeCloseTo(0.2, 6);
    expect(evalSets('/d').fsddTest.filter('3_theo_4.wav')).toBe(true);
    expect(evalSets('/d').kodak24).toBe('/d/kodak24');
  });

  it('refuse unknown names and missing folders', async () => {
    expect(() => getPreset('imagenet')).toThrow(/Unknown data preset/);
    await expect(loadPreset(getPreset('real', { dataRoot: '/nonexistent-stegavox' }))).rejects.toThrow(
      /does not exist/,
    );
  });

  it.skipIf(!existsSync(join(dataRoot(), 'bsds500')))('loads a slice of the real data and batches it', async () => {
    const data = await loadPreset(getPreset('real'), { images: 3, clips: 20 });
    expect(data.images.images).toHaveLength(3);
    expect(data.speech!.names.every((n) => !/_[0-4]\.wav$/.test(n))).toBe(true);
    const b = makeBatch({
      images: data.images,
      audio: data.speech,
      batch: 2,
      crop: 64,
      mix: getPreset('real').mix,
      rng: createRng(1),
    });
    expect(b.shape).toEqual([2, 16, 16, 48]);
  });
});
