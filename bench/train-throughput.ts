/** Training throughput (samples/s) of one Adam step of the default model: per backend, and wasm on one and two cores. Measures only. */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import os from 'node:os';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { BLOCK, BLOCK_CHANNELS } from '../src/container/layout.js';
import { StegError } from '../src/util/errors.js';
import { BackendUnavailableError, initBackend, TRAINING_BACKENDS, type TrainingBackend } from '../src/node/backend.js';
import { checkWasmThreads, enableNodeWasmThreads } from '../src/node/wasm-threads.js';
import { syntheticTrainingStep } from '../training/synthetic-step.js';

// ───────────────────────────── arguments ─────────────────────────────

/** Sections of the report: the per-backend table, and wasm on one and two cores. */
export const SECTIONS = ['backends', 'cores'] as const;
export type Section = (typeof SECTIONS)[number];

/** What one run of the script measures. */
export interface Options {
  backends: TrainingBackend[];
  /** Timed steps per case (one warm-up step is always run first and excluded). */
  steps: number;
  cpuFull: boolean;
  only: Set<Section>;
  /** Batch of the cores cases (the backends table always uses 32). */
  batch: number;
  help: boolean;
}

export const usage = `usage: npm run bench:train -- [--backends wasm,cpu,tensorflow,webgpu] [--steps N] [--cpu-full] [--only backends,cores] [--batch N]
  --backends  which to try (default: all; tensorflow and webgpu only where installed and a device exists); the cores section runs only with wasm
  --steps     timed steps per wasm/tensorflow case and per cores case (default 3; one warm-up step is always excluded)
  --cpu-full  also run cpu at batch 32 and 64x64 (very slow: minutes per step)
  --only      sections: backends (each backend, 32x32 and 64x64, in this process) and cores (wasm, 32x32: one process
              with one thread, one process with two wasm threads, two processes in parallel; each case in child processes)
  --batch     batch of the cores cases (default 32, the training default)`;

function positiveInt(flag: string, value: string | undefined): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new StegError('bad_request', `${flag} needs a positive integer (got '${value ?? ''}')\n${usage}`);
  return n;
}

/**
 * Parses the command line (without node and the script).
 * @throws StegError `bad_request` for an unknown flag, section or backend, or a count that is not a positive integer.
 */
export function parseArgs(argv: string[]): Options {
  const opts: Options = {
    backends: [...TRAINING_BACKENDS],
    steps: 3,
    cpuFull: false,
    only: new Set(SECTIONS),
    batch: 32,
    help: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--backends') {
      const names = (argv[++i] ?? '').split(',').filter(Boolean);
      const unknown = names.filter((n) => !(TRAINING_BACKENDS as readonly string[]).includes(n));
      if (names.length === 0 || unknown.length) {
        throw new StegError('bad_request', `unknown backend(s) ${unknown.join(', ') || '(none given)'}\n${usage}`);
      }
      opts.backends = names as TrainingBackend[];
    } else if (a === '--steps') opts.steps = positiveInt(a, argv[++i]);
    else if (a === '--batch') opts.batch = positiveInt(a, argv[++i]);
    else if (a === '--cpu-full') opts.cpuFull = true;
    else if (a === '--only') {
      const names = (argv[++i] ?? '').split(',').filter(Boolean);
      const unknown = names.filter((n) => !(SECTIONS as readonly string[]).includes(n));
      if (names.length === 0 || unknown.length) {
        throw new StegError('bad_request', `unknown section(s) ${unknown.join(', ') || '(none given)'}\n${usage}`);
      }
      opts.only = new Set(names as Section[]);
    } else if (a === '--help' || a === '-h') opts.help = true;
    else throw new StegError('bad_request', `unknown argument '${a}'\n${usage}`);
  }
  return opts;
}

// ───────────────────────────── one measurement ─────────────────────────────

interface Plan {
  backend: TrainingBackend;
  crop: number;
  batch: number;
  warmup: number;
  steps: number;
  note: string;
}

/** One measured case: medians and the timed window, as a child process reports it too. */
export interface Row extends Plan {
  medianS: number;
  samplesPerS: number;
  rssMiB: number;
  tensorGrowth: number;
  /** Loss of the first and last timed step: a decrease shows the gradients reach the weights. */
  loss: [number, number];
  /** Wall time of all timed steps together, and the process's CPU time (every thread) over them. */
  wallS: number;
  cpuS: number;
  /** Start and end of the timed steps, ms since the Unix epoch (to check that parallel runs overlapped). */
  window: [number, number];
}

function plans(backend: TrainingBackend, steps: number, cpuFull: boolean): Plan[] {
  if (backend === 'cpu' && !cpuFull) {
    // The cpu backend is ~40× slower per sample than wasm here: one small case shows the order of magnitude.
    return [
      {
        backend,
        crop: 32,
        batch: 4,
        warmup: 1,
        steps: 1,
        note: 'cpu: batch 4, 32x32 only, 1 timed step (slow; --cpu-full for batch 32)',
      },
    ];
  }
  return [32, 64].map((crop) => ({ backend, crop, batch: 32, warmup: 1, steps, note: '' }));
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const epochMs = (): number => performance.timeOrigin + performance.now();

/**
 * One Adam step = embed (with 8-bit rounding) → reveal, loss mse(container, cover) + mse(revealed, audio).
 * `beforeTimed` runs after the warm-up (the cores cases wait there until every process is ready).
 */
async function runPlan(plan: Plan, beforeTimed?: () => Promise<void>): Promise<Row> {
  const { step, dispose } = syntheticTrainingStep(plan.batch, plan.crop, 'bench');

  for (let i = 0; i < plan.warmup; i++) step();
  if (beforeTimed) await beforeTimed();
  const tensorsAfterWarmup = tf.memory().numTensors;
  const times: number[] = [];
  const losses: number[] = [];
  const start = epochMs();
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < plan.steps; i++) {
    const t0 = performance.now();
    losses.push(step());
    times.push((performance.now() - t0) / 1000);
  }
  const cpu = process.cpuUsage(cpu0);
  const end = epochMs();
  const row: Row = {
    ...plan,
    medianS: median(times),
    samplesPerS: plan.batch / median(times),
    rssMiB: process.memoryUsage().rss / 2 ** 20,
    tensorGrowth: tf.memory().numTensors - tensorsAfterWarmup,
    loss: [losses[0]!, losses[losses.length - 1]!],
    wallS: (end - start) / 1000,
    cpuS: (cpu.user + cpu.system) / 1e6,
    window: [start, end],
  };
  dispose();
  return row;
}

function table(rows: Row[]): string {
  const head = [
    'backend',
    'crop',
    'block tensor',
    'steps',
    's/step (median)',
    'samples/s',
    'process RSS MiB',
    'tensor growth',
    'loss first→last',
  ];
  const body = rows.map((r) => [
    r.backend,
    `${r.crop}x${r.crop}`,
    `[${r.batch}, ${r.crop / BLOCK}, ${r.crop / BLOCK}, ${BLOCK_CHANNELS}]`,
    String(r.steps),
    r.medianS.toFixed(2),
    r.samplesPerS.toFixed(2),
    r.rssMiB.toFixed(0),
    String(r.tensorGrowth),
    `${r.loss[0].toFixed(4)}→${r.loss[1].toFixed(4)}`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

// ───────────────────────────── child process (one cores case) ─────────────────────────────

const MARK = '@@train-throughput ';

/** What a child prints on stdout, one JSON object per line after {@link MARK}. */
export type ChildMessage =
  { type: 'ready' } | { type: 'result'; row: Row; threads: number } | { type: 'unavailable'; reason: string };

/** The message in one line of a child's stdout, or null for any other output. */
export function parseChildLine(line: string): ChildMessage | null {
  if (!line.startsWith(MARK)) return null;
  return JSON.parse(line.slice(MARK.length)) as ChildMessage;
}

function send(msg: ChildMessage): void {
  process.stdout.write(`${MARK}${JSON.stringify(msg)}\n`);
}

/** Child mode: one wasm case; after the warm-up it says `ready` and waits for a line on stdin before the timed steps. */
async function childMain(argv: string[]): Promise<void> {
  const get = (flag: string): number => positiveInt(flag, argv[argv.indexOf(flag) + 1]);
  const threads = get('--threads');
  const plan: Plan = {
    backend: 'wasm',
    crop: get('--crop'),
    batch: get('--batch'),
    warmup: 1,
    steps: get('--steps'),
    note: '',
  };
  if (threads > 1) {
    let restore = (): void => {};
    try {
      restore = enableNodeWasmThreads(threads);
      await initBackend('wasm');
    } catch (e) {
      send({
        type: 'unavailable',
        reason: `the threaded wasm build did not start in Node ${process.version}: ${e instanceof Error ? e.message : String(e)}`,
      });
      return;
    } finally {
      restore();
    }
    const why = await checkWasmThreads(threads);
    if (why) {
      send({ type: 'unavailable', reason: why });
      return;
    }
  } else {
    await initBackend('wasm');
  }
  const stdin = createInterface({ input: process.stdin });
  const go = new Promise<void>((res) => stdin.once('line', () => res()));
  const row = await runPlan(plan, async () => {
    send({ type: 'ready' });
    await go;
  });
  stdin.close();
  send({ type: 'result', row, threads });
}

// ───────────────────────────── cores section (parent) ─────────────────────────────

/** One process of a cores case. */
export interface ProcessRun {
  threads: number;
  row: Row;
}

/** A cores case: its processes' runs, or why it could not run. */
export type CaseOutcome = { ok: true; runs: ProcessRun[] } | { ok: false; reason: string };

/** The machine the cores section ran on. */
export interface Machine {
  cpuModel: string;
  logicalCpus: number;
  /** os.loadavg() (1, 5, 15 min) before the first case and after the last. */
  loadStart: number[];
  loadEnd: number[];
  node: string;
}

export interface CoresResult {
  crop: number;
  batch: number;
  steps: number;
  machine: Machine;
  /** 1: one process, one thread; 2: one process, two wasm threads; 3: two processes in parallel. */
  single: CaseOutcome;
  threads: CaseOutcome;
  parallel: CaseOutcome;
}

const SCRIPT = fileURLToPath(import.meta.url);
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/**
 * Runs `processes` children at once (each `threads` wasm threads) and releases their timed steps together, once
 * all have warmed up. Children inherit this process's niceness.
 */
export async function runCase(
  processes: number,
  threads: number,
  crop: number,
  batch: number,
  steps: number,
): Promise<CaseOutcome> {
  const args = ['--threads', threads, '--crop', crop, '--batch', batch, '--steps', steps].map(String);
  const children = Array.from({ length: processes }, () =>
    spawn(process.execPath, ['--import', TSX_LOADER, SCRIPT, '--child', ...args], {
      stdio: ['pipe', 'pipe', 'inherit'],
    }),
  );
  let ready = 0;
  const outcomes = children.map(
    (child, i) =>
      new Promise<ProcessRun | { reason: string }>((res) => {
        let settled = false;
        const done = (v: ProcessRun | { reason: string }) => {
          if (settled) return;
          settled = true;
          res(v);
        };
        const lines = createInterface({ input: child.stdout! });
        lines.on('line', (line) => {
          let msg: ChildMessage | null;
          try {
            msg = parseChildLine(line);
          } catch {
            return;
          }
          if (!msg) return;
          if (msg.type === 'ready' && ++ready === processes) for (const c of children) c.stdin!.write('go\n');
          else if (msg.type === 'result') done({ threads: msg.threads, row: msg.row });
          else if (msg.type === 'unavailable') done({ reason: msg.reason });
        });
        child.on('error', (e) => done({ reason: `process ${i + 1} could not start: ${e.message}` }));
        child.on('exit', (code, signal) => {
          // A child that failed before `ready` would hold the others at the barrier: stop them too.
          if (!settled) for (const c of children) if (c !== child && c.exitCode === null) c.kill();
          done({ reason: `process ${i + 1} exited (${signal ?? `code ${code}`}) without a result` });
        });
      }),
  );
  const results = await Promise.all(outcomes);
  const failed = results.find((r): r is { reason: string } => 'reason' in r);
  return failed ? { ok: false, reason: failed.reason } : { ok: true, runs: results as ProcessRun[] };
}

function machineNow(): Omit<Machine, 'loadEnd'> {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    logicalCpus: cpus.length,
    loadStart: os.loadavg(),
    node: process.version,
  };
}

async function runCores(crop: number, batch: number, steps: number, log: (s: string) => void): Promise<CoresResult> {
  const start = machineNow();
  log(`cores 1/3: one process, one wasm thread (${crop}x${crop}, batch ${batch}, 1 warm-up + ${steps} timed steps)`);
  const single = await runCase(1, 1, crop, batch, steps);
  log('cores 2/3: one process, two wasm threads');
  const threads = await runCase(1, 2, crop, batch, steps);
  log('cores 3/3: two processes in parallel, one wasm thread each');
  const parallel = await runCase(2, 1, crop, batch, steps);
  return { crop, batch, steps, machine: { ...start, loadEnd: os.loadavg() }, single, threads, parallel };
}

const f2 = (x: number): string => x.toFixed(2);
const f1 = (x: number): string => x.toFixed(1);
const load = (l: number[]): string => l.map(f2).join(' / ');

/** Share of the longest timed window that all processes spent running at once (1 = fully parallel). */
export function overlap(runs: ProcessRun[]): number {
  const start = Math.max(...runs.map((r) => r.row.window[0]));
  const end = Math.min(...runs.map((r) => r.row.window[1]));
  const longest = Math.max(...runs.map((r) => r.row.window[1] - r.row.window[0]));
  return longest > 0 ? Math.max(0, end - start) / longest : 0;
}

/** The cores section as markdown: machine line, the three-row table, notes. Pure: formats `r`, measures nothing. */
export function coresReport(r: CoresResult): string {
  const m = r.machine;
  const out: string[] = [];
  out.push(
    `### wasm training throughput on one and two cores (DEFAULT_CONFIG, ${r.crop}×${r.crop}, batch ${r.batch})`,
    '',
  );
  out.push(
    `Machine: ${m.cpuModel}, ${m.logicalCpus} logical CPU(s) (os.cpus()), Node ${m.node}. ` +
      `Load average (1 / 5 / 15 min): ${load(m.loadStart)} at start, ${load(m.loadEnd)} at end.`,
  );
  const busy = Math.max(m.loadStart[0] ?? 0, m.loadEnd[0] ?? 0) > m.logicalCpus / 2;
  if (busy)
    out.push(
      `**Busy machine** (1-min load above ${m.logicalCpus / 2}): the figures below are lower than an idle machine gives, case 3 most.`,
    );
  out.push('');
  out.push(
    '| case | processes × wasm threads | samples/s per process | samples/s total | vs case 1 | CPU time / wall time per process |',
  );
  out.push('|---|---|---|---|---|---|');
  const base = r.single.ok ? r.single.runs[0]!.row.samplesPerS : null;
  const ratio = (x: number) => (base ? `${f2(x / base)}×` : '–');
  const cpuWall = (p: ProcessRun) => f2(p.row.cpuS / p.row.wallS);
  const row = (name: string, shape: string, c: CaseOutcome, extra: (runs: ProcessRun[], total: number) => string) => {
    if (!c.ok) {
      out.push(
        `| ${name} | ${shape} | not available: ${c.reason.replace(/\|/g, '\\|').replace(/\n/g, ' ')} | – | – | – |`,
      );
      return;
    }
    const total = c.runs.reduce((s, p) => s + p.row.samplesPerS, 0);
    const per = c.runs.map((p) => f1(p.row.samplesPerS)).join(' / ');
    out.push(
      `| ${name} | ${shape} | ${per} | ${f1(total)} | ${extra(c.runs, total)} | ${c.runs.map(cpuWall).join(' / ')} |`,
    );
  };
  row('1. one process, one thread', '1 × 1', r.single, (_, total) => ratio(total));
  row('2. one process, two wasm threads', '1 × 2', r.threads, (_, total) => ratio(total));
  row('3. two processes in parallel', '2 × 1', r.parallel, (runs, total) => {
    if (!base) return ratio(total);
    const slow = runs.map((p) => `${f1((1 - p.row.samplesPerS / base) * 100)} %`).join(' / ');
    return `${ratio(total)} total; each process ${slow} slower than case 1`;
  });
  out.push('');
  out.push(
    `samples/s = batch / median step time of ${r.steps} timed Adam step(s) after 1 warm-up step (embed with 8-bit rounding → reveal, ` +
      'the default model, tfjs-wasm SIMD); every case runs in its own fresh child process(es). CPU/wall above 1 means a second ' +
      'thread worked; 1.00 with a lower rate means the process waited for a core.',
  );
  const losses = (c: CaseOutcome) => (c.ok ? c.runs.map((p) => p.row.loss[0].toFixed(6)).join(' / ') : '–');
  out.push(
    `Loss of the first timed step, same weights and data in every case: ${losses(r.single)} (1), ${losses(r.threads)} (2), ` +
      `${losses(r.parallel)} (3); equal values show every case trains the same model the same way.`,
  );
  if (r.parallel.ok) {
    out.push(
      `Case 3: both processes warm up, then start their timed steps together; their timed windows overlapped ${f1(overlap(r.parallel.runs) * 100)} % ` +
        'of the longer one. Its total is what a 2-core machine gets from two independent runs (e.g. a hyperparameter sweep); ' +
        'the per-process slowdown against case 1 is the cost of sharing memory bandwidth and caches (and any other load).',
    );
  }
  out.push(
    'Case 2: stock tfjs-wasm 4.22 runs single-threaded in Node (it reports no thread support when IS_NODE, tensorflow/tfjs#3830); ' +
      'this case loads its threaded SIMD build through a small shim (src/node/wasm-threads.ts: pthread workers from a temp file ' +
      'instead of a blob: URL, and the pool cap of os.cpus()/2 lifted), the same one `stegavox train --threads N` uses. Only XNNPACK ops use the thread pool: ' +
      'Conv2D, and therefore our Conv2DBackpropInput/Conv2DBackpropFilter kernels (src/schemes/neural/wasm-grad-kernels.ts: ' +
      'each one XNNPACK Conv2D, or an XNNPACK BatchMatMul for 1×1 filters, between single-threaded Transpose/Reverse/Slice ' +
      'copies); element-wise ops, reductions and the Adam update stay on one thread.',
  );
  return out.join('\n');
}

// ───────────────────────────── main ─────────────────────────────

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv[0] === '--child') return childMain(argv.slice(1));
  let opts: Options;
  try {
    opts = parseArgs(argv);
  } catch (e) {
    if (!(e instanceof StegError)) throw e;
    console.error(e.message);
    process.exit(2);
  }
  if (opts.help) {
    console.log(usage);
    return;
  }
  if (opts.only.has('backends')) {
    const rows: Row[] = [];
    const skipped: string[] = [];
    for (const backend of opts.backends) {
      try {
        await initBackend(backend);
      } catch (e) {
        if (!(e instanceof BackendUnavailableError)) throw e;
        skipped.push(`${backend}: ${e.message}`);
        continue;
      }
      for (const plan of plans(backend, opts.steps, opts.cpuFull)) {
        console.error(
          `running ${backend} ${plan.crop}x${plan.crop} batch ${plan.batch}: ${plan.warmup} warm-up + ${plan.steps} timed steps`,
        );
        rows.push(await runPlan(plan));
      }
    }
    console.log(
      `\nOne Adam step of DEFAULT_CONFIG (embed with 8-bit rounding → reveal), warm-up excluded. Node ${process.version}.`,
    );
    console.log(table(rows));
    for (const r of rows) if (r.note) console.log(`note: ${r.note}`);
    for (const s of skipped) console.log(`skipped ${s}`);
  }
  if (opts.only.has('cores')) {
    if (!opts.backends.includes('wasm'))
      console.log('\ncores section skipped: it measures wasm, which --backends leaves out.');
    else {
      const result = await runCores(32, opts.batch, opts.steps, (s) => console.error(s));
      console.log(`\n${coresReport(result)}`);
    }
  }
}

if (process.argv[1] && resolve(process.argv[1]) === SCRIPT) {
  await main();
  // The threaded wasm build's idle workers would keep a child alive.
  if (process.argv[2] === '--child') process.exit(0);
}
