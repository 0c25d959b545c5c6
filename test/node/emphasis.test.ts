// Pre-emphasis / de-emphasis (src/audio/emphasis.ts) and how the pipeline applies and records them.
import { beforeAll, describe, expect, it } from 'vitest';
import { deEmphasiseInPlace, MAX_EMPHASIS, PRE_EMPHASIS, preEmphasise } from '../../src/audio/emphasis.js';
import { despreadRevealed, preparePayload, spreadClip } from '../../src/schemes/neural/spreading.js';
import { normaliseClip } from '../../src/audio/normalise.js';
import { pcc } from '../../src/metrics/quality.js';
import { initBackend } from '../../src/node/backend.js';
import { speechLike } from '../helpers/signals.js';

beforeAll(async () => {
  await initBackend('wasm'); // the spreading resampler runs on tfjs
});

describe('pre-emphasis', () => {
  it('is the first difference x[n] − a·x[n−1] (impulse response 1, −a), and de-emphasis inverts it', () => {
    const impulse = Float32Array.of(1, 0, 0, 0);
    expect(Array.from(preEmphasise(impulse, 0.4))).toEqual([1, Math.fround(-0.4), 0, 0]);
    const x = speechLike(4000, 8000, 3);
    for (const a of [0, 0.4, MAX_EMPHASIS]) {
      const back = deEmphasiseInPlace(preEmphasise(x, a), a);
      let worst = 0;
      for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(back[i]! - x[i]!));
      expect(worst, `a = ${a}`).toBeLessThan(1e-5);
    }
  });

  it('tilts speech towards high frequencies: the emphasised clip differs from the clip (so forgetting to undo it shows)', () => {
    const x = speechLike(8000, 8000, 4);
    expect(pcc(x, preEmphasise(x, PRE_EMPHASIS))).toBeLessThan(0.99);
    // A zero coefficient (containers made before emphasis) leaves the clip as it is.
    expect(Array.from(deEmphasiseInPlace(Float32Array.from(x), 0))).toEqual(Array.from(x));
  });

  it('preparePayload emphasises, normalises and spreads; despreadRevealed undoes all but the gain', () => {
    const x = speechLike(6000, 8000, 5);
    const capacity = 10 * x.length; // room to spread
    const prepared = preparePayload(x, capacity);
    expect(prepared.emphasis).toBe(PRE_EMPHASIS);
    expect(prepared.spreadRate).toBeGreaterThan(8000);
    const { samples, gain } = normaliseClip(preEmphasise(x, PRE_EMPHASIS));
    expect(prepared.gain).toBe(gain);
    expect(Array.from(prepared.payload)).toEqual(Array.from(spreadClip(samples, prepared.spreadRate)));
    const back = despreadRevealed(prepared.payload, prepared.spreadRate, x.length, false, prepared.emphasis);
    expect(pcc(x, back)).toBeGreaterThan(0.999);
    // Without the de-emphasis the clip does not come back as well.
    expect(pcc(x, despreadRevealed(prepared.payload, prepared.spreadRate, x.length, false, 0))).toBeLessThan(0.99);
  });
});
