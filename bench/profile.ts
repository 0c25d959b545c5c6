/** Bench profiling: a V8 CPU profile of real pipeline calls, each sample charged to the nearest pipeline step on its stack. */
import { Session } from 'node:inspector/promises';

/** Step names the report shows, in pipeline order. */
export const STEPS = [
  'decode image',
  'decode audio',
  'resample (input to 8 kHz, spreading)',
  'normalise / denormalise clip',
  'header + fingerprint',
  'layout (pixels/audio ↔ blocks)',
  'nets (tfjs-wasm, incl. tensor upload/download)',
  'post-filter (reveal)',
  'encode PNG',
  'encode WAV',
  'glue (layout, averaging, buffers)',
  'GC',
  'other',
] as const;
export type Step = (typeof STEPS)[number];

const BY_NAME: Record<string, Step> = {
  sniffImage: 'decode image',
  decodeImage: 'decode image',
  decodePngRgb: 'decode image',
  decodeJpegRgb: 'decode image',
  sniffWav: 'decode audio',
  decodeWav: 'decode audio',
  resample: 'resample (input to 8 kHz, spreading)',
  resampleFast: 'resample (input to 8 kHz, spreading)',
  normaliseClip: 'normalise / denormalise clip',
  denormaliseClip: 'normalise / denormalise clip',
  sealHeader: 'header + fingerprint',
  openHeader: 'header + fingerprint',
  writeHeaderBits: 'header + fingerprint',
  readHeaderBits: 'header + fingerprint',
  loudnessEnvelope: 'header + fingerprint',
  envelopeDistanceDb: 'header + fingerprint',
  rgbToBlocks: 'layout (pixels/audio ↔ blocks)',
  audioToBlocks: 'layout (pixels/audio ↔ blocks)',
  blocksToRgb: 'layout (pixels/audio ↔ blocks)',
  blocksToAudio: 'layout (pixels/audio ↔ blocks)',
  denoiseRevealed: 'post-filter (reveal)',
  denoiseInPlace: 'post-filter (reveal)',
  noiseLevel: 'post-filter (reveal)',
  encodePng: 'encode PNG',
  encodeWav16: 'encode WAV',
};

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}

/** Steps that run tfjs themselves: everything beneath them is theirs, not the nets'. */
const OWNERS: Record<string, Step> = { resampleFast: 'resample (input to 8 kHz, spreading)' };

function frameStep(frame: ProfileNode['callFrame']): Step | null {
  const named = BY_NAME[frame.functionName];
  if (named) return named;
  const { url, functionName } = frame;
  if (
    url.startsWith('wasm://') ||
    url.includes('@tensorflow') ||
    url.includes('/src/schemes/neural/model.ts') ||
    url.includes('/src/schemes/neural/quantize.ts')
  )
    return 'nets (tfjs-wasm, incl. tensor upload/download)';
  if (
    url.includes('/src/pipeline/') ||
    url.includes('/src/schemes/neural/spreading.ts') ||
    url.includes('/src/schemes/neural/region.ts') ||
    url.includes('/src/schemes/neural/key-scramble.ts')
  )
    return 'glue (layout, averaging, buffers)';
  // The PNG inflate runs on the platform's zlib through a DecompressionStream, whose stream callbacks run from the
  // microtask queue, not under decodePngRgb; nothing else in the pipeline uses web streams or zlib.
  if (url.startsWith('node:internal/webstreams') || url === 'node:zlib') return 'decode image';
  if (functionName === '(garbage collector)') return 'GC';
  return null;
}

/**
 * Runs `fn` `reps` times under the V8 sampling profiler and returns each step's share of the sampled time (0..1).
 * A sample goes to the first pipeline step found walking its stack from the leaf up, so time inside a codec counts
 * for the codec that called it, except under a step that runs tfjs itself (resampleFast), which owns everything
 * beneath it; idle samples (awaiting work handed off, e.g. zlib on the thread pool) go to the step that was running when
 * the wait began.
 */
export async function profileShares(fn: () => Promise<unknown>, reps: number): Promise<Record<Step, number>> {
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 200 });
    await session.post('Profiler.start');
    for (let i = 0; i < reps; i++) await fn();
    const { profile } = (await session.post('Profiler.stop')) as {
      profile: { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };
    };
    const parent = new Map<number, ProfileNode>();
    const byId = new Map<number, ProfileNode>();
    for (const node of profile.nodes) {
      byId.set(node.id, node);
      for (const child of node.children ?? []) parent.set(child, node);
    }
    const ownerOf = new Map<number, Step | null>();
    const owner = (id: number): Step | null => {
      if (ownerOf.has(id)) return ownerOf.get(id)!;
      const up = parent.get(id);
      const step = OWNERS[byId.get(id)!.callFrame.functionName] ?? (up ? owner(up.id) : null);
      ownerOf.set(id, step);
      return step;
    };
    const stepOf = new Map<number, Step>();
    const resolve = (id: number): Step => {
      if (stepOf.has(id)) return stepOf.get(id)!;
      const node = byId.get(id)!;
      const up = parent.get(id);
      const step = owner(id) ?? frameStep(node.callFrame) ?? (up ? resolve(up.id) : 'other');
      stepOf.set(id, step);
      return step;
    };
    const totals = Object.fromEntries(STEPS.map((s) => [s, 0])) as Record<Step, number>;
    let all = 0;
    // An idle sample is the main thread waiting for work it handed off (zlib's inflate on the libuv thread pool):
    // charged to the step that was running when the wait began. Idle before any step ran is left out.
    let last: Step | null = null;
    profile.samples.forEach((id, i) => {
      const idle = byId.get(id)!.callFrame.functionName === '(idle)';
      const step = idle ? last : resolve(id);
      // timeDeltas[i] is the time since the previous sample: the interval the sample stands for.
      const dt = profile.timeDeltas[i] ?? 0;
      if (step === null) return;
      if (!idle) last = step;
      totals[step] += dt;
      all += dt;
    });
    for (const s of STEPS) totals[s] = all > 0 ? totals[s] / all : 0;
    return totals;
  } finally {
    await session.post('Profiler.disable').catch(() => undefined);
    session.disconnect();
  }
}
