/** `npm run bench`: measures the worker through `wrangler dev` and the model in Node, prints a markdown report (stdout) and optionally JSON. Measures only. */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { ceiling } from './ceiling.js';
import { coldStart, FULL_DENSITY, latencyCase, throughput, type LatencyCase } from './http-workloads.js';
import { cpuComparison, initWasm, modelFigures, stageBreakdown } from './node-stages.js';
import { onnxComparison } from './onnx/bench.js';
import { toMarkdown, type BenchResult } from './report.js';
import { bundleSize, killAll, makeStateDir, removeState, ROOT, startDev, uploadWeights } from './server.js';
import { capacity } from '../src/pipeline/index.js';

const SECTIONS = ['bundle', 'latency', 'rps', 'cold', 'stages', 'ceiling', 'cpu', 'onnx'] as const;
type Section = (typeof SECTIONS)[number];

const usage = `usage: npm run bench -- [--quick] [--json <file>] [--only ${SECTIONS.join(',')}]
  --quick  ~1 minute: fewer repetitions, 256 and 512 only, shorter throughput run
  --json   also write every figure as JSON to <file>
  --only   run just these sections (comma-separated)
Progress goes to stderr, the report to stdout.`;

function parseArgs(argv: string[]): { quick: boolean; json: string | null; only: Set<Section> } {
  let quick = false;
  let json: string | null = null;
  let only = new Set<Section>(SECTIONS);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--quick') quick = true;
    else if (a === '--json') json = argv[++i] ?? null;
    else if (a === '--only') {
      const names = (argv[++i] ?? '').split(',').filter(Boolean);
      const unknown = names.filter((n) => !(SECTIONS as readonly string[]).includes(n));
      if (unknown.length || !names.length) {
        console.error(`unknown section(s) ${unknown.join(', ') || '(none given)'}\n${usage}`);
        process.exit(2);
      }
      only = new Set(names as Section[]);
    } else {
      console.error(usage);
      process.exit(a === '--help' || a === '-h' ? 0 : 2);
    }
  }
  if (json === '') json = null;
  return { quick, json, only };
}

/** How much each section does; the default run stays around 5 minutes on an idle 2-core machine. */
function plan(quick: boolean) {
  return quick
    ? {
        sizes: [256, 512],
        reps: 5,
        capMs: 4_000,
        rpsSeconds: 5,
        restarts: 1,
        stageReps: 3,
        stageSizes: [512],
        ceilingReps: 3,
        cpuReps: 1,
        onnxReps: 5,
      }
    : {
        sizes: [256, 512, 1024],
        reps: 15,
        capMs: 15_000,
        rpsSeconds: 20,
        restarts: 3,
        stageReps: 5,
        stageSizes: [256, 512, 1024],
        ceilingReps: 5,
        cpuReps: 2,
        onnxReps: 9,
      };
}

function cases(sizes: number[]): LatencyCase[] {
  return sizes.flatMap((side) => [
    { width: side, height: side, audio: { kind: 'speech10' as const, seconds: 10 as const } },
    // Rounded down to whole milliseconds so the clip stays under the fraction of the capacity.
    {
      width: side,
      height: side,
      audio: { kind: 'full' as const, seconds: Math.floor(capacity(side, side).seconds * FULL_DENSITY * 1000) / 1000 },
    },
    // What the opt-in feedback pass and rounding search cost on the product's case.
    ...(side === 512
      ? [
          {
            width: side,
            height: side,
            audio: { kind: 'speech10' as const, seconds: 10 as const },
            quality: 'high' as const,
          },
        ]
      : []),
    // The coded scheme (no nets) on the product's case and at full density.
    ...(side === 512
      ? [
          {
            width: side,
            height: side,
            audio: { kind: 'speech10' as const, seconds: 10 as const },
            scheme: 'coded' as const,
          },
          {
            width: side,
            height: side,
            audio: {
              kind: 'full' as const,
              seconds: Math.floor(capacity(side, side).seconds * FULL_DENSITY * 1000) / 1000,
            },
            scheme: 'coded' as const,
          },
        ]
      : []),
  ]);
}

const log = (s: string) => console.error(s);
/** The private wrangler state folder in use, removed on Ctrl-C too. */
let liveStateDir: string | null = null;

const version = (pkg: string) =>
  (JSON.parse(readFileSync(`${ROOT}/node_modules/${pkg}/package.json`, 'utf8')) as { version: string }).version;

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const p = plan(args.quick);
  const t0 = performance.now();
  const result: BenchResult = {
    meta: {
      date: new Date().toISOString(),
      command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
      quick: args.quick,
      node: process.versions.node,
      wrangler: version('wrangler'),
      tfjs: version('@tensorflow/tfjs-backend-wasm'),
      cpu: cpus()[0]?.model ?? 'unknown CPU',
      cores: cpus().length,
      loadAverage: { start: loadavg(), end: [] },
      durationS: 0,
    },
    errors: {},
  };
  // One failing section must not lose the others' figures.
  const section = async (name: string, fn: () => Promise<void>) => {
    log(`[${((performance.now() - t0) / 1000).toFixed(0)} s] ${name}`);
    try {
      await fn();
    } catch (e) {
      result.errors[name] = e instanceof Error ? e.message.split('\n').slice(0, 5).join(' ') : String(e);
      log(`  failed: ${result.errors[name]}`);
    }
  };

  if (args.only.has('bundle')) await section('bundle', async () => void (result.bundle = await bundleSize()));

  const needServer = args.only.has('latency') || args.only.has('rps') || args.only.has('cold');
  if (needServer) {
    const stateDir = await makeStateDir();
    liveStateDir = stateDir;
    try {
      await section('weights into local R2', () => uploadWeights(stateDir));
      if (args.only.has('latency') || args.only.has('rps')) {
        await section('wrangler dev', async () => {
          const server = await startDev(stateDir);
          try {
            if (args.only.has('latency')) {
              result.latency = [];
              for (const c of cases(p.sizes)) result.latency.push(await latencyCase(server, c, p.reps, p.capMs, log));
            }
            if (args.only.has('rps')) result.throughput = await throughput(server, 2, p.rpsSeconds);
          } finally {
            await server.stop();
          }
        });
      }
      if (args.only.has('cold'))
        await section('cold start', async () => void (result.cold = await coldStart(stateDir, p.restarts, log)));
    } finally {
      await removeState(stateDir);
      liveStateDir = null;
    }
  }

  // Node measurements run with wrangler stopped, so the two never compete for the cores.
  if (args.only.has('stages') || args.only.has('ceiling') || args.only.has('cpu') || args.only.has('onnx')) {
    await section('node: tfjs-wasm', async () => {
      const { model, simd } = await initWasm();
      result.meta.wasmSimdInNode = simd;
      result.model = modelFigures(model);
      if (args.only.has('stages')) {
        result.stages = [];
        // Stages profile the neural pipeline; the coded cases are timed in the latency section only.
        for (const c of cases(p.stageSizes).filter((x) => !x.quality && !x.scheme)) {
          log(`  stages ${c.width}×${c.height} ${c.audio.kind}`);
          result.stages.push(await stageBreakdown(model, c, c.width >= 1024 ? Math.min(2, p.stageReps) : p.stageReps));
        }
      }
      if (args.only.has('ceiling'))
        await section('ceiling', async () => void (result.ceiling = await ceiling(p.ceilingReps)));
      // Before the cpu comparison, which moves tfjs off wasm and back.
      if (args.only.has('onnx'))
        await section('onnxruntime-web', async () => void (result.onnx = await onnxComparison(model, p.onnxReps)));
      if (args.only.has('cpu'))
        await section('cpu backend', async () => void (result.cpuBackend = await cpuComparison(model, p.cpuReps)));
    });
  }

  result.meta.loadAverage.end = loadavg();
  result.meta.durationS = (performance.now() - t0) / 1000;
  process.stdout.write(toMarkdown(result));
  if (args.json) {
    writeFileSync(args.json, JSON.stringify(result, null, 2) + '\n');
    log(`JSON written to ${args.json}`);
  }
}

for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.on(signal, () => {
    killAll();
    if (liveStateDir) rmSync(liveStateDir, { recursive: true, force: true });
    process.exit(130);
  });

main().catch((e) => {
  killAll();
  console.error(e);
  process.exit(1);
});
