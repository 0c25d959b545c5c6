/** Child process of wasm-threads.test.ts: starts wasm with `argv[2]` threads, runs one Adam step, prints JSON. */
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { initBackend } from '../../src/node/backend.js';
import { syntheticTrainingStep } from '../../training/synthetic-step.js';

const threads = Number(process.argv[2]);
const backend = await initBackend('wasm', { threads });
const { step } = syntheticTrainingStep(2, 32, 't');
// Two steps: the second one's loss depends on the gradients of the first.
const losses = [step(), step()];
console.log(JSON.stringify({ backend, threads: getThreadsCount(), losses }));
