/** Gradients of the ops Reveal and the rounding search's error use, for runtimes that load tfjs-core without them (the worker). */
import { registerGradient } from '@tensorflow/tfjs-core';
import { addGradConfig } from '@tensorflow/tfjs-core/dist/gradients/Add_grad.js';
import { concatGradConfig } from '@tensorflow/tfjs-core/dist/gradients/Concat_grad.js';
import { conv2DGradConfig } from '@tensorflow/tfjs-core/dist/gradients/Conv2D_grad.js';
import { multiplyGradConfig } from '@tensorflow/tfjs-core/dist/gradients/Multiply_grad.js';
import { reluGradConfig } from '@tensorflow/tfjs-core/dist/gradients/Relu_grad.js';
import { squaredDifferenceGradConfig } from '@tensorflow/tfjs-core/dist/gradients/SquaredDifference_grad.js';
import { subGradConfig } from '@tensorflow/tfjs-core/dist/gradients/Sub_grad.js';
import { sumGradConfig } from '@tensorflow/tfjs-core/dist/gradients/Sum_grad.js';

/**
 * Registers the gradients `searchRounding` (src/schemes/neural/round-search.ts) needs (Reveal's conv, bias, ReLU, concat and DCT, and the squared
 * error): a dozen kilobytes instead of all of tfjs's gradients in the worker bundle. Safe to call again.
 */
export function registerRevealGradients(): void {
  for (const config of [
    addGradConfig,
    concatGradConfig,
    conv2DGradConfig,
    multiplyGradConfig,
    reluGradConfig,
    squaredDifferenceGradConfig,
    subGradConfig,
    sumGradConfig,
  ])
    registerGradient(config);
}
