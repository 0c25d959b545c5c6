/** Bench statistics: nearest-rank percentiles of timings, and a CPU-time clock for in-process measurements. */
import v8 from 'node:v8';
import vm from 'node:vm';

/** Summary of timings in milliseconds. */
export interface Summary {
  n: number;
  p50: number;
  p95: number;
  min: number;
  max: number;
  mean: number;
}

/** Nearest-rank percentile (p in (0, 100]) of sorted values: with 15 samples p95 is the largest. */
function rank(sorted: number[], p: number): number {
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

/** p50/p95/min/max/mean of `ms`; NaN everywhere for no samples. */
export function summarise(ms: number[]): Summary {
  const sorted = [...ms].sort((a, b) => a - b);
  return {
    n: sorted.length,
    p50: rank(sorted, 50),
    p95: rank(sorted, 95),
    min: sorted[0] ?? NaN,
    max: sorted[sorted.length - 1] ?? NaN,
    mean: sorted.length ? sorted.reduce((a, b) => a + b, 0) / sorted.length : NaN,
  };
}

/** A full V8 collection, so garbage left by one timed call is not charged to the next. */
const collectGarbage: () => void = (() => {
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
})();

/**
 * CPU time (user + system, ms) this process spends in `fn`, after a full GC. On an idle machine it equals the wall
 * time of single-threaded work; unlike wall time it barely moves when other processes compete for the cores, and it
 * is what Workers bill.
 */
export async function cpuMs(fn: () => unknown): Promise<number> {
  collectGarbage();
  const start = process.cpuUsage();
  await fn();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

/** {@link cpuMs} of `fn` `reps` times after `warmup` untimed runs. */
export async function cpuRepeated(fn: () => unknown, reps: number, warmup = 1): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn();
  const out: number[] = [];
  for (let i = 0; i < reps; i++) out.push(await cpuMs(fn));
  return out;
}
