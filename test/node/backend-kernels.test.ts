// Every kernel a training step runs (forward and gradients, recorded on cpu) is registered for wasm (with our
// gradient kernels) and for webgpu. Loading tfjs-backend-webgpu registers its kernels without a GPU, so this runs
// anywhere; it checks coverage, not numerics (bench/gpu-train.ts compares losses with cpu where a GPU exists).
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { initBackend } from '../../src/node/backend.js';
import { registerWasmGradKernels } from '../../src/schemes/neural/wasm-grad-kernels.js';
import { syntheticTrainingStep } from '../../training/synthetic-step.js';

async function kernelsOfATrainingStep(): Promise<string[]> {
  await initBackend('cpu');
  const run = syntheticTrainingStep(2, 32, 'kernels');
  try {
    const info = await tf.profile(() => {
      run.step();
    });
    // tf.customGrad records its forward function as 'forward', which is not a kernel of any backend.
    return [...new Set(info.kernelNames)].filter((name) => tf.getKernel(name, 'cpu')).sort();
  } finally {
    run.dispose();
  }
}

describe('kernels training needs', () => {
  it('are all registered for wasm (ours included) and webgpu; wasm without ours lacks the conv gradients', async () => {
    const needed = await kernelsOfATrainingStep();
    expect(needed).toEqual(expect.arrayContaining(['Conv2D', 'Conv2DBackpropFilter', 'Conv2DBackpropInput', 'Relu']));
    await import('@tensorflow/tfjs-backend-webgpu');
    await import('@tensorflow/tfjs-backend-wasm');
    const missing = (backend: string) => needed.filter((name) => !tf.getKernel(name, backend));
    expect(missing('webgpu')).toEqual([]);
    // The check can fail: stock tfjs-wasm has no Conv2DBackpropFilter, which is why src/schemes/neural/wasm-grad-kernels.ts exists.
    const ours = ['Conv2DBackpropFilter', 'Conv2DBackpropInput'].filter((name) => tf.getKernel(name, 'wasm'));
    for (const name of ours) tf.unregisterKernel(name, 'wasm');
    expect(missing('wasm')).toContain('Conv2DBackpropFilter');
    registerWasmGradKernels();
    expect(missing('wasm')).toEqual([]);
  });
});
