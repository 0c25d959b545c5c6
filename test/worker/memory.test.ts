/** No tensor leaks: tf.memory() is flat across many embed/reveal requests, failing ones included. */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { call, makePng, makeWav, multipart, withTransparentWeights } from './helpers.js';

describe('tensor memory', () => {
  it('stays flat across 20 embed/reveal requests and 6 failing ones', async () => {
    // Transparent test weights, so reveal runs to the end (the untrained placeholder stops at the fingerprint check).
    const overrides = { WEIGHTS_PREFIX: await withTransparentWeights('memory') };
    const cover = makePng(128, 64, 31);
    const audio = makeWav(1.5, 22050, 32);
    // Warm-up: backend and weights load, container made once.
    const first = await call(multipart('/api/embed', { image: cover, audio }), overrides);
    expect(first.status).toBe(200);
    const container = new Uint8Array(await first.arrayBuffer());
    expect((await call(multipart('/api/reveal', { image: container }), overrides)).status).toBe(200);
    const before = tf.memory();
    expect(before.numTensors).toBeGreaterThan(0); // the weights are resident

    const damaged = container.slice();
    for (let i = 0; i < 10; i++) {
      const embedded = await call(multipart('/api/embed', { image: cover, audio, key: `k${i}` }), overrides);
      expect(embedded.status).toBe(200);
      await embedded.arrayBuffer();
      const revealed = await call(multipart('/api/reveal', { image: container }), overrides);
      expect(revealed.status).toBe(200);
      await revealed.arrayBuffer();
    }
    // Failures after the nets ran or mid-pipeline: too long, nothing hidden, unsupported audio.
    for (let i = 0; i < 2; i++) {
      expect((await call(multipart('/api/embed', { image: cover, audio: makeWav(5) }), overrides)).status).toBe(422);
      expect((await call(multipart('/api/reveal', { image: cover }), overrides)).status).toBe(422);
      expect((await call(multipart('/api/embed', { image: cover, audio: damaged }), overrides)).status).toBe(415);
    }
    const after = tf.memory();
    expect(after.numTensors).toBe(before.numTensors);
    expect(after.numBytes).toBe(before.numBytes);
  });

  it('stays flat across 1,000 requests (500 embed + 500 reveal of a one-tile photo)', async () => {
    const overrides = { WEIGHTS_PREFIX: await withTransparentWeights('memory-1000') };
    const cover = makePng(32, 32, 33);
    const audio = makeWav(0.25, 8000, 34);
    const first = await call(multipart('/api/embed', { image: cover, audio }), overrides);
    expect(first.status).toBe(200);
    const container = new Uint8Array(await first.arrayBuffer());
    const before = tf.memory();
    const statuses = new Map<number, number>();
    for (let i = 0; i < 500; i++) {
      for (const request of [
        multipart('/api/embed', { image: cover, audio }),
        multipart('/api/reveal', { image: container }),
      ]) {
        const response = await call(request, overrides);
        await response.arrayBuffer();
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      }
    }
    expect(Object.fromEntries(statuses)).toEqual({ 200: 1000 });
    expect(tf.memory().numTensors).toBe(before.numTensors);
    expect(tf.memory().numBytes).toBe(before.numBytes);
  });
});
