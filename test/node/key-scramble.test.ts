// Keyed scramble (src/schemes/neural/key-scramble.ts): exact inverse for the right key, noise for a wrong one, determinism per key.
import { describe, expect, it } from 'vitest';
import { pcc } from '../../src/metrics/quality.js';
import { scramble, SCRAMBLE_FRAME, unscramble } from '../../src/schemes/neural/key-scramble.js';
import { speechLike } from '../helpers/signals.js';

const LENGTHS = [1, 2, 47, 48, 49, 95, 96, 97, 1000, 3072, 4001, 12_345];

function sameValues(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

describe('scramble / unscramble', () => {
  it('is an exact round trip for the same key at every length, padding to whole frames', async () => {
    for (const n of LENGTHS) {
      const x = Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37) * 0.8 + (i % 7) * 0.01);
      const s = await scramble(x, 'correct horse');
      expect(s.length, `length ${n}`).toBe(Math.ceil(n / SCRAMBLE_FRAME) * SCRAMBLE_FRAME);
      const back = await unscramble(s, 'correct horse', n);
      expect(sameValues(back, x), `length ${n}`).toBe(true);
    }
  });

  it('moves whole frames with a sign: each output frame is ± one input frame, all frames used once', async () => {
    const frames = 50;
    // Frame f holds the values f + 1 + k/100, so every frame is recognisable.
    const x = Float32Array.from(
      { length: frames * SCRAMBLE_FRAME },
      (_, i) => Math.floor(i / SCRAMBLE_FRAME) + 1 + (i % SCRAMBLE_FRAME) / 100,
    );
    const s = await scramble(x, 'k');
    const used = new Set<number>();
    let flipped = 0;
    let moved = 0;
    for (let f = 0; f < frames; f++) {
      const first = s[f * SCRAMBLE_FRAME]!;
      const src = Math.round(Math.abs(first)) - 1;
      used.add(src);
      if (first < 0) flipped++;
      if (src !== f) moved++;
      for (let k = 0; k < SCRAMBLE_FRAME; k++)
        expect(s[f * SCRAMBLE_FRAME + k]).toBeCloseTo(Math.sign(first) * (src + 1 + k / 100), 5);
    }
    expect(used.size).toBe(frames);
    expect(flipped).toBeGreaterThan(10);
    expect(flipped).toBeLessThan(40);
    expect(moved).toBeGreaterThan(40);
  });

  it('is deterministic per key and differs between keys (including the empty key and unicode keys)', async () => {
    const x = speechLike(4000);
    const keys = ['', 'a', 'b', 'A', 'a ', 'pässwörd 🔑', 'x'.repeat(1000)];
    const outs = await Promise.all(keys.map((k) => scramble(x, k)));
    for (const [i, k] of keys.entries()) {
      expect(sameValues(await scramble(x, k), outs[i]!), `key ${JSON.stringify(k)}`).toBe(true);
      expect(sameValues(await unscramble(outs[i]!, k, x.length), x)).toBe(true);
      for (let j = 0; j < i; j++)
        expect(sameValues(outs[i]!, outs[j]!), `${JSON.stringify(k)} vs ${JSON.stringify(keys[j])}`).toBe(false);
    }
  });

  it('uses the frame count of the clip: clips of different lengths each round trip with the same key', async () => {
    const long = speechLike(8000, 8000, 3);
    // Lengths in the same frame count share a plan: the scrambled prefix matches where both clips have samples.
    const a = await scramble(long.subarray(0, 100), 'key');
    const b = await scramble(long.subarray(0, 140), 'key');
    expect(a.length).toBe(b.length);
    for (const n of [100, 140, 1000, 7999, 8000]) {
      const clip = long.subarray(0, n);
      const s = await scramble(clip, 'key');
      expect(sameValues(await unscramble(s, 'key', n), clip), `length ${n}`).toBe(true);
    }
    // ...and the plan for a longer clip is not the shorter clip's plan extended: the order depends on the length.
    const short = await scramble(long.subarray(0, 4000), 'key');
    const full = await scramble(long, 'key');
    expect(sameValues(short, full.subarray(0, short.length))).toBe(false);
  });

  it('leaves a speech-like clip uncorrelated with the original for a wrong or missing key', async () => {
    const x = speechLike(16_000, 8000, 7); // 2 s
    const s = await scramble(x, 'the right key');
    const worst: number[] = [];
    expect(Math.abs(pcc(x, s.subarray(0, x.length)))).toBeLessThan(0.1);
    for (const wrong of ['the wrong key', 'the right key ', 'The right key', '', 'another']) {
      const y = await unscramble(s, wrong, x.length);
      const r = Math.abs(pcc(x, y));
      worst.push(r);
      expect(r, `key ${JSON.stringify(wrong)}`).toBeLessThan(0.1);
    }
    // For scale: the right key gives PCC 1.
    expect(pcc(x, await unscramble(s, 'the right key', x.length))).toBeCloseTo(1, 6);
    expect(Math.max(...worst)).toBeLessThan(0.1);
  });

  it('keeps the energy (a permutation with signs)', async () => {
    const x = speechLike(5000, 8000, 2);
    const s = await scramble(x, 'e');
    const energy = (v: Float32Array) => v.reduce((a, b) => a + b * b, 0);
    expect(energy(s)).toBeCloseTo(energy(x), 3);
  });
});
