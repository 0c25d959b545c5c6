// bench/train-throughput.ts: arguments, the cores report's rows and sums, the child protocol; no timed assertions.
import { describe, expect, it } from 'vitest';
import {
  coresReport,
  overlap,
  parseArgs,
  parseChildLine,
  runCase,
  type CaseOutcome,
  type CoresResult,
  type ProcessRun,
  type Row,
} from '../../bench/train-throughput.js';
import { isStegError } from '../../src/util/errors.js';

function run(samplesPerS: number, window: [number, number], threads = 1, loss = 5.9): ProcessRun {
  const row: Row = {
    backend: 'wasm',
    crop: 32,
    batch: 32,
    warmup: 1,
    steps: 3,
    note: '',
    medianS: 32 / samplesPerS,
    samplesPerS,
    rssMiB: 270,
    tensorGrowth: 0,
    loss: [loss, loss - 0.01],
    wallS: (window[1] - window[0]) / 1000,
    cpuS: ((threads * (window[1] - window[0])) / 1000) * 0.9,
    window,
  };
  return { threads, row };
}

function result(threads: CaseOutcome, load = [0.2, 0.3, 0.4]): CoresResult {
  return {
    crop: 32,
    batch: 32,
    steps: 3,
    machine: { cpuModel: 'Test CPU 9000', logicalCpus: 2, loadStart: load, loadEnd: [0.5, 0.6, 0.7], node: 'v20.0.0' },
    single: { ok: true, runs: [run(40, [0, 2400])] },
    threads,
    parallel: { ok: true, runs: [run(36, [1000, 3700]), run(30, [1000, 4200])] },
  };
}

function expectBadRequest(argv: string[]): void {
  let caught: unknown;
  try {
    parseArgs(argv);
  } catch (e) {
    caught = e;
  }
  expect(isStegError(caught), `parseArgs(${argv.join(' ')}) should throw a StegError`).toBe(true);
  expect((caught as { code: string }).code).toBe('bad_request');
}

describe('parseArgs', () => {
  it('defaults to every backend, both sections, 3 timed steps, batch 32', () => {
    const o = parseArgs([]);
    expect(o.backends).toEqual(['wasm', 'cpu', 'tensorflow', 'webgpu']);
    expect([...o.only]).toEqual(['backends', 'cores']);
    expect(o).toMatchObject({ steps: 3, batch: 32, cpuFull: false, help: false });
  });

  it('keeps the existing flags and reads the new ones', () => {
    const o = parseArgs(['--backends', 'wasm,cpu', '--steps', '5', '--cpu-full', '--only', 'cores', '--batch', '8']);
    expect(o.backends).toEqual(['wasm', 'cpu']);
    expect([...o.only]).toEqual(['cores']);
    expect(o).toMatchObject({ steps: 5, batch: 8, cpuFull: true });
    expect(parseArgs(['-h']).help).toBe(true);
  });

  it('refuses unknown flags, sections, backends and counts that are not positive integers', () => {
    expectBadRequest(['--cpu']);
    expectBadRequest(['--only', 'gpu']);
    expectBadRequest(['--only']);
    expectBadRequest(['--backends', 'webgl']);
    expectBadRequest(['--steps', '0']);
    expectBadRequest(['--steps', '2.5']);
    expectBadRequest(['--batch', 'x']);
    expectBadRequest(['--steps']);
  });
});

describe('coresReport', () => {
  it('has the machine line and the three rows, with totals, ratios to case 1 and per-process slowdowns', () => {
    const text = coresReport(result({ ok: true, runs: [run(52, [0, 1900], 2)] }));
    expect(text).toContain('Test CPU 9000, 2 logical CPU(s)');
    expect(text).toContain('0.20 / 0.30 / 0.40 at start, 0.50 / 0.60 / 0.70 at end');
    expect(text).not.toContain('Busy machine');
    const rows = text.split('\n').filter((l) => /^\| \d\. /.test(l));
    expect(rows).toHaveLength(3);
    expect(rows[0]).toMatch(/^\| 1\. one process, one thread \| 1 × 1 \| 40\.0 \| 40\.0 \| 1\.00× \|/);
    expect(rows[1]).toMatch(/^\| 2\. one process, two wasm threads \| 1 × 2 \| 52\.0 \| 52\.0 \| 1\.30× \|/);
    // 36 + 30 = 66 = 1.65× case 1; each process 10 % and 25 % below 40.
    expect(rows[2]).toMatch(
      /^\| 3\. two processes in parallel \| 2 × 1 \| 36\.0 \/ 30\.0 \| 66\.0 \| 1\.65× total; each process 10\.0 % \/ 25\.0 % slower/,
    );
    // Windows [1000, 3700] and [1000, 4200]: 2700 of the longer 3200 ms together.
    expect(text).toContain('overlapped 84.4 %');
  });

  it('prints the reason instead of a number when the threaded build is unavailable, and flags a busy machine', () => {
    const text = coresReport(result({ ok: false, reason: 'threads | refused\nby Node' }, [1.5, 1, 1]));
    const row = text.split('\n').find((l) => l.startsWith('| 2. '));
    expect(row).toBe(
      '| 2. one process, two wasm threads | 1 × 2 | not available: threads \\| refused by Node | – | – | – |',
    );
    expect(text).toContain('**Busy machine**');
  });
});

describe('child protocol', () => {
  it('reads only marked lines', () => {
    expect(parseChildLine('some warning from tfjs')).toBeNull();
    expect(parseChildLine('@@train-throughput {"type":"ready"}')).toEqual({ type: 'ready' });
  });

  it('overlap is the shared part of the longest window', () => {
    expect(overlap([run(1, [0, 100]), run(1, [50, 150])])).toBeCloseTo(0.5);
    expect(overlap([run(1, [0, 100]), run(1, [200, 300])])).toBe(0);
  });

  // Real child processes (tsx + tfjs-wasm), smallest size; only the single-process cases, to stay light.
  it('runs one process single-threaded and one with two wasm threads, training the same step', async () => {
    const single = await runCase(1, 1, 32, 2, 1);
    const threaded = await runCase(1, 2, 32, 2, 1);
    if (!single.ok) throw new Error(single.reason);
    if (!threaded.ok) throw new Error(`threaded wasm in Node: ${threaded.reason}`);
    expect(single.runs).toHaveLength(1);
    expect(threaded.runs[0]!.threads).toBe(2);
    for (const { row } of [...single.runs, ...threaded.runs]) {
      expect(row).toMatchObject({ backend: 'wasm', crop: 32, batch: 2, steps: 1, tensorGrowth: 0 });
      expect(row.samplesPerS).toBeGreaterThan(0);
      expect(Number.isFinite(row.loss[0])).toBe(true);
    }
    expect(threaded.runs[0]!.row.loss[0]).toBeCloseTo(single.runs[0]!.row.loss[0], 5);
  });
});
