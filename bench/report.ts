/** Bench report: the collected figures as markdown tables (and the shape of the JSON written next to them). */
import type { CeilingRow } from './ceiling.js';
import {
  FULL_DENSITY,
  label,
  type ColdStart,
  type LatencyResult,
  type StatusCounts,
  type Throughput,
} from './http-workloads.js';
import type { CpuComparison, ModelFigures, StageBreakdown } from './node-stages.js';
import type { OnnxComparison } from './onnx/bench.js';
import { STEPS } from './profile.js';
import type { BundleSize } from './server.js';

/** Rows of the step tables that are not pipeline steps: collector time, and samples under no step at all. */
const NOT_A_STEP = new Set(['GC', 'other']);

/** Everything one bench run measured; sections that were skipped or failed are absent (failures in `errors`). */
export interface BenchResult {
  meta: {
    date: string;
    command: string;
    quick: boolean;
    node: string;
    wrangler: string;
    tfjs: string;
    cpu: string;
    cores: number;
    loadAverage: { start: number[]; end: number[] };
    wasmSimdInNode?: boolean;
    durationS: number;
  };
  bundle?: BundleSize;
  cold?: ColdStart;
  latency?: LatencyResult[];
  throughput?: Throughput;
  model?: ModelFigures;
  stages?: StageBreakdown[];
  cpuBackend?: CpuComparison;
  onnx?: OnnxComparison;
  ceiling?: CeilingRow[];
  errors: Record<string, string>;
}

const f0 = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? '–' : x.toFixed(0));
const f1 = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? '–' : x.toFixed(1));
const kib = (bytes: number) => (bytes / 1024).toFixed(1);
const statuses = (s: StatusCounts | undefined) =>
  s
    ? Object.entries(s)
        .map(([k, v]) => `${v}×${k}`)
        .join(', ')
    : '–';

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

function coldSection(c: ColdStart): string {
  return [
    '### Cold start (fresh `wrangler dev` isolate, weights from local R2)',
    '',
    table(
      ['first request of a fresh isolate', 'first, median ms', 'same request next, median ms', 'restarts'],
      [
        [
          'GET /api/capacity (no model: the isolate itself)',
          f0(c.capacityFirst.p50),
          f0(c.capacitySecond.p50),
          String(c.capacityFirst.n),
        ],
        [
          'GET /api/health (+ wasm init, R2 read, sha256, weights decode)',
          f0(c.healthFirst.p50),
          f0(c.healthSecond.p50),
          String(c.healthFirst.n),
        ],
        [
          'POST /api/embed 256×256, 10 s (+ the first inference)',
          f0(c.embedFirst.p50),
          f0(c.embedSecond.p50),
          String(c.embedFirst.n),
        ],
      ],
    ),
    '',
    `Weights served from: ${c.weightsSource}. Embed statuses: ${statuses(c.embedStatuses)}. ` +
      `wrangler dev itself took ${f1(c.wranglerStart.p50 / 1000)} s (median) from spawn to serving (bundling + workerd start; not counted above).`,
  ].join('\n');
}

function latencySection(rows: LatencyResult[]): string {
  const body = rows.map((r) => {
    const size = `${kib(r.requestBytes.png)} + ${kib(r.requestBytes.wav)}`;
    if (r.refused) return [label(r.case), size, `refused: ${r.refused.status} ${r.refused.detail}`, '', '', '', '', ''];
    return [
      label(r.case),
      size,
      f0(r.embed?.p50),
      f0(r.embed?.p95),
      f0(r.reveal?.p50),
      f0(r.reveal?.p95),
      `${r.embed?.n}/${r.reveal?.n}${r.capped ? ' (time cap)' : ''}`,
      `${statuses(r.embedStatuses)} / ${statuses(r.revealStatuses)}`,
    ];
  });
  const notes = rows.filter((r) => r.revealDetail).map((r) => `- ${label(r.case)} reveal: ${r.revealDetail}`);
  return [
    '### Latency through `wrangler dev` (ms, sequential requests after a warm-up)',
    '',
    table(
      [
        'photo, audio',
        'request KiB (PNG + WAV)',
        'embed p50',
        'embed p95',
        'reveal p50',
        'reveal p95',
        'n embed/reveal',
        'status embed / reveal',
      ],
      body,
    ),
    '',
    `Audio: synthetic voiced speech-like signal (not a recording), 16-bit mono 16 kHz (the worker resamples to 8 kHz); "full" = ${FULL_DENSITY * 100} % of the photo's capacity. ` +
      'Photos: generated photo-like PNGs (gradients, soft objects, texture, grain). Times are request sent → whole response received, over loopback. ' +
      'Percentiles are nearest-rank (with 15 samples p95 is the slowest).',
    ...(notes.length
      ? ['', 'Reveal refusals (the nets ran in full; the fingerprint check refused the audio):', ...notes]
      : []),
  ].join('\n');
}

function throughputSection(t: Throughput): string {
  return [
    `### Throughput at ${t.concurrency} concurrent clients (512×512, 10 s; each client alternates embed and reveal)`,
    '',
    table(
      ['requests/s', 'completed', 'seconds', 'embed p50 / p95 ms', 'reveal p50 / p95 ms', 'statuses'],
      [
        [
          t.rps.toFixed(2),
          String(t.completed),
          f1(t.seconds),
          `${f0(t.embed.p50)} / ${f0(t.embed.p95)}`,
          `${f0(t.reveal.p50)} / ${f0(t.reveal.p95)}`,
          statuses(t.statuses),
        ],
      ],
    ),
    '',
    'One workerd isolate runs one request at a time on one thread, so the second client mostly queues.',
  ].join('\n');
}

function bundleSection(b: BundleSize): string {
  return [
    '### Deployable bundle (`wrangler deploy --dry-run --outdir`), gzip -9',
    '',
    table(
      ['file', 'KiB', 'gzip KiB'],
      [
        ...b.files.map((f) => [f.file.replace(/^[0-9a-f]{40}-/, ''), kib(f.bytes), kib(f.gzipBytes)]),
        ['**worker total**', kib(b.totalBytes), `**${kib(b.totalGzipBytes)}**`],
      ],
    ),
    '',
    `wrangler says: ${b.wranglerSays ?? '–'}. Static assets (worker/public, uploaded apart from the script): ${kib(b.assetsBytes)} KiB, ${kib(b.assetsGzipBytes)} KiB gzipped. ` +
      '`model.bin` is the bundled fallback copy of the weights (the R2 copy is what serves).',
  ].join('\n');
}

function modelSection(
  m: ModelFigures,
  stages: StageBreakdown[] | undefined,
  ceilingRows: CeilingRow[] | undefined,
): string {
  const best = ceilingRows?.reduce((a, r) => Math.max(a, r.bestGflops), 0);
  const rows = (stages ?? []).flatMap((s) =>
    (['embed', 'reveal'] as const).map((which) => [
      s.label,
      which,
      String(s.netPixels),
      f1(s[which].netsAloneMs),
      f1(s[which].gflops),
      f1(s[which].bestGflops),
      best ? `${f0((100 * s[which].bestGflops) / best)} %` : '–',
    ]),
  );
  return [
    `### Model cost (${m.version}; kernels ${m.config.kernels.join('/')}, filters ${m.config.prepare.filters}/${m.config.hiding.filters}/${m.config.reveal.filters})`,
    '',
    table(
      ['', 'MACs/pixel (macsPerPosition / 16)', 'FLOPs/pixel incl. DCT transform'],
      [
        ['embed (Prepare + Hiding)', f0(m.macsPerPixel.embed), f0(m.flopsPerPixel.embed)],
        ['reveal', f0(m.macsPerPixel.reveal), f0(m.flopsPerPixel.reveal)],
      ],
    ),
    '',
    ...(rows.length
      ? [
          'Achieved by the nets alone (Node, tfjs-wasm, one thread; tensor upload + forward + download; CPU time), on the region that carries the (spread) clip:',
          '',
          table(
            [
              'case',
              'net',
              'pixels processed',
              'CPU ms (median)',
              'GFLOP/s (median)',
              'GFLOP/s (best)',
              'best / ceiling',
            ],
            rows,
          ),
          '',
          best
            ? `Ceiling = the best throughput of any single op in the ceiling table below: ${f1(best)} GFLOP/s; compared best run with best run, the statistic least moved by other load.`
            : '',
        ]
      : []),
  ].join('\n');
}

function stagesSection(stages: StageBreakdown[]): string {
  const part = (which: 'embed' | 'reveal') => {
    const names = STEPS.filter((name) =>
      stages.some((s) => s[which].stages.some((st) => st.name === name && st.share >= 0.005)),
    );
    const rows = names.map((name) => [
      name,
      ...stages.map((s) => {
        const st = s[which].stages.find((x) => x.name === name);
        return st ? `${f1(st.ms)} (${f0(100 * st.share)} %)` : '–';
      }),
    ]);
    rows.push([`**${which} total**`, ...stages.map((s) => `**${f1(s[which].totalMs)}**`)]);
    return table(
      [
        `${which} step: CPU ms (share)`,
        ...stages.map((s) => `${s.label}${s.spreadRate > 8000 ? `, spread to ${s.spreadRate / 1000} kHz` : ''}`),
      ],
      rows,
    );
  };
  return [
    `### Where the time goes (Node, tfjs-wasm, the real \`embedAudio\` / \`revealAudio\`; median of ${stages[0]!.reps})`,
    '',
    part('embed'),
    '',
    part('reveal'),
    '',
    'Totals: median CPU time of the bench process per call (`process.cpuUsage`, after a full GC; equal to wall time for this single-threaded work on an idle machine, and far less disturbed by other processes). ' +
      'Shares: a V8 CPU profile (200 µs sampling) of further calls, each sample charged to the nearest pipeline step on its stack (tensor upload/download counts for the nets; the PNG inflate runs on the platform zlib through a DecompressionStream, on the Node thread pool, so the idle samples of the main thread while it waits, and the stream callbacks, count for decode image). Steps under 0.5 % are left out.',
  ].join('\n');
}

function cpuSection(c: CpuComparison): string {
  return [
    `### tfjs backends on the same weights (Node, nets only, ${c.width}×${c.height} full-image region, CPU ms, median of ${c.reps})`,
    '',
    table(
      ['backend', 'embed ms', 'reveal ms'],
      [
        ['wasm (SIMD, 1 thread)', f0(c.wasmMs.embed), f0(c.wasmMs.reveal)],
        ['cpu (plain JS)', f0(c.cpuMs.embed), f0(c.cpuMs.reveal)],
        ['cpu / wasm', `${f1(c.cpuMs.embed / c.wasmMs.embed)}×`, `${f1(c.cpuMs.reveal / c.wasmMs.reveal)}×`],
      ],
    ),
  ].join('\n');
}

type Pair = { embed: number; reveal: number };

/** One table row: each net's median / fastest figure. */
function row(name: string, median: Pair, fastest: Pair, fmt: (x: number) => string): string[] {
  return [name, ...(['embed', 'reveal'] as const).map((w) => `${fmt(median[w])} / ${fmt(fastest[w])}`)];
}

const over = (a: Pair, b: Pair): Pair => ({ embed: a.embed / b.embed, reveal: a.reveal / b.reveal });
const times = (x: number) => `${x.toFixed(2)}×`;

function onnxSection(o: OnnxComparison): string {
  return [
    `### onnxruntime-web on the same weights (Node, nets only, ${o.width}×${o.height} full-image region, CPU ms: median of ${o.reps} / fastest)`,
    '',
    table(
      ['runtime', 'embed ms', 'reveal ms'],
      [
        row('tfjs-wasm (SIMD, 1 thread)', o.tfjsWasmMs, o.fastestMs.tfjsWasm, f1),
        row(`onnxruntime-web ${o.ortVersion} wasm (SIMD, 1 thread), NHWC in/out`, o.ortMs, o.fastestMs.ort, f1),
        row('onnxruntime-web, NCHW in/out (no boundary transposes)', o.ortNchwMs, o.fastestMs.ortNchw, f1),
        row(
          '**onnxruntime-web (NHWC) / tfjs-wasm**',
          over(o.ortMs, o.tfjsWasmMs),
          over(o.fastestMs.ort, o.fastestMs.tfjsWasm),
          times,
        ),
        row(
          'onnxruntime-web (NCHW) / tfjs-wasm',
          over(o.ortNchwMs, o.tfjsWasmMs),
          over(o.fastestMs.ortNchw, o.fastestMs.tfjsWasm),
          times,
        ),
      ],
    ),
    '',
    'Same nets, same weights, same inputs: `bench/onnx/export.ts` writes the embed (Prepare + Hiding + 8-bit rounding) and Reveal nets as ONNX ' +
      '(opset 13, NCHW inside) op for op; a ratio above 1 means tfjs-wasm is faster. Each time covers input upload, forward pass and output download; ' +
      'the runtimes take turns within every repetition. onnxruntime-web: wasm execution provider, `numThreads = 1`, graph optimisation `all`. ' +
      `Largest output difference on these inputs: reveal ${o.maxAbsDiff.reveal.toExponential(1)}; embed ${o.maxAbsDiff.embed.toExponential(1)}, ` +
      `${o.embedFlips.differing} of ${o.embedFlips.of} container values differing (by 1/255: a value at a rounding tie going the other way).`,
    '',
    table(
      ['wasm binary', 'KiB', 'gzip -9 KiB'],
      [o.ortWasm, o.tfjsWasm].map((w) => [w.file, kib(w.bytes), kib(w.gzipBytes)]),
    ),
  ].join('\n');
}

function ceilingSection(rows: CeilingRow[]): string {
  return [
    '### Ceiling: single ops on tfjs-wasm (Node, one thread)',
    '',
    table(
      ['op', 'GFLOP', 'best CPU ms', 'best GFLOP/s', 'median GFLOP/s', ''],
      rows.map((r) => [
        r.op,
        r.gflop.toFixed(2),
        f1(r.bestMs),
        f1(r.bestGflops),
        f1(r.medianGflops),
        r.modelShape ? "model's shape" : 'ceiling shape',
      ]),
    ),
  ].join('\n');
}

/** Issue 5's targets next to the measured figures (information, not a pass/fail gate). */
function targetsSection(r: BenchResult): string {
  const find = (w: number, kind: 'speech10' | 'full') =>
    r.latency?.find((l) => l.case.width === w && l.case.audio.kind === kind && !l.case.quality && !l.case.scheme);
  const rows: string[][] = [];
  const add = (what: string, measured: number | undefined, target: number, unit: string) =>
    rows.push([
      what,
      measured === undefined || Number.isNaN(measured) ? '–' : `${f0(measured)} ${unit}`,
      `≤ ${target} ${unit}`,
      measured === undefined || Number.isNaN(measured) ? '–' : measured <= target ? 'met' : 'not met',
    ]);
  add('embed 512×512, 10 s, p50', find(512, 'speech10')?.embed?.p50, 250, 'ms');
  add('reveal 512×512, 10 s, p50', find(512, 'speech10')?.reveal?.p50, 150, 'ms');
  add('embed 512×512, full density, p50', find(512, 'full')?.embed?.p50, 400, 'ms');
  add('cold start (first embed incl. weights), median', r.cold?.embedFirst.p50, 300, 'ms');
  add('bundle, gzipped', r.bundle ? r.bundle.totalGzipBytes / 1024 : undefined, 1024, 'KiB');
  const best = r.ceiling?.reduce((a, c) => Math.max(a, c.bestGflops), 0);
  const full512 = r.stages?.find((s) => s.label.startsWith('512×512, full'));
  if (best && full512) {
    const share = (100 * full512.embed.bestGflops) / best;
    rows.push([
      'model share of ceiling (512×512 full, embed nets)',
      `${f0(share)} %`,
      '≥ 70 %',
      share >= 70 ? 'met' : 'not met',
    ]);
    if (r.model) {
      // The wall under the full-density target: the nets' FLOPs at the best throughput tfjs-wasm reached on any op,
      // plus what the request's other steps took in this run (Node; workerd adds the HTTP and multipart work).
      const floorMs = (full512.netPixels * r.model.flopsPerPixel.embed) / (best * 1e6);
      const otherMs = full512.embed.stages.filter((st) => !st.name.startsWith('nets')).reduce((a, st) => a + st.ms, 0);
      rows.push([
        'wall under the full-density embed: its nets at 100 % of the ceiling + its other steps (Node)',
        `${f0(floorMs)} + ${f0(otherMs)} = ${f0(floorMs + otherMs)} ms`,
        '(information)',
        '',
      ]);
    }
  }
  if (r.onnx)
    for (const which of ['embed', 'reveal'] as const) {
      const ratio = r.onnx.ortMs[which] / r.onnx.tfjsWasmMs[which];
      rows.push([
        `tfjs-wasm vs onnxruntime-web, ${which} nets 256×256 (ORT ms / tfjs ms)`,
        `${ratio.toFixed(2)}×`,
        '≥ 1.3×',
        ratio >= 1.3 ? 'met' : 'not met',
      ]);
    }
  if (r.stages?.length) {
    let worst = { share: 0, what: '' };
    for (const s of r.stages)
      for (const which of ['embed', 'reveal'] as const)
        for (const st of s[which].stages)
          if (!NOT_A_STEP.has(st.name) && !st.name.startsWith('nets') && st.share > worst.share)
            worst = { share: st.share, what: `${st.name} (${which}, ${s.label})` };
    rows.push([
      'largest pre/post-processing step (GC and unattributed "other" time are not steps)',
      `${f0(100 * worst.share)} %: ${worst.what}`,
      '≤ 20 % of a request',
      worst.share <= 0.2 ? 'met' : 'not met',
    ]);
  }
  return ['### Issue 5 targets against these figures', '', table(['target', 'measured', 'target', ''], rows)].join(
    '\n',
  );
}

/** The whole report as markdown. */
export function toMarkdown(r: BenchResult): string {
  const m = r.meta;
  const out = [
    `## stegavox bench, ${m.date}`,
    '',
    `\`${m.command}\`${m.quick ? ' (quick: fewer repetitions and cases)' : ''} on ${m.cpu}, ${m.cores} cores, Node ${m.node}, wrangler ${m.wrangler}, tfjs ${m.tfjs}` +
      `${m.wasmSimdInNode === undefined ? '' : `, wasm SIMD in Node: ${m.wasmSimdInNode ? 'yes' : 'no'}`}; ` +
      `load average ${m.loadAverage.start.map((x) => x.toFixed(2)).join(' ')} at the start, ${m.loadAverage.end.map((x) => x.toFixed(2)).join(' ')} at the end; took ${f0(m.durationS)} s.` +
      (m.loadAverage.start[0]! > m.cores * 0.5 ? ' **The machine was busy: these timings are inflated.**' : ''),
  ];
  if (r.cold) out.push('', coldSection(r.cold));
  if (r.latency) out.push('', latencySection(r.latency));
  if (r.throughput) out.push('', throughputSection(r.throughput));
  if (r.bundle) out.push('', bundleSection(r.bundle));
  if (r.model) out.push('', modelSection(r.model, r.stages, r.ceiling));
  if (r.stages?.length) out.push('', stagesSection(r.stages));
  if (r.cpuBackend) out.push('', cpuSection(r.cpuBackend));
  if (r.onnx) out.push('', onnxSection(r.onnx));
  if (r.ceiling) out.push('', ceilingSection(r.ceiling));
  out.push('', targetsSection(r));
  for (const [section, error] of Object.entries(r.errors)) out.push('', `**${section} failed:** ${error}`);
  return out.join('\n') + '\n';
}
