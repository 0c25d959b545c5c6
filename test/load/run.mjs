// Load test: 8 concurrent mixed embed/reveal requests against `wrangler dev --local` for LOAD_SECONDS; asserts 0 errors, honest bodies, flat live memory and bounded RSS.
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';
import { startWorker } from '../browser/dev-server.mjs';
import { connectInspector } from './inspector.mjs';

// The inputs are made, and the answers checked, with the project's own TypeScript codecs.
register();
const { makePng, makeWav } = await import('../worker/fixtures.ts');
const { decodeWav } = await import('../../src/formats/wav.ts');
const { sniffImage } = await import('../../src/formats/image.ts');

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** Seconds of load (the issue asks for 60); the whole run is bounded to this plus {@link OVERHEAD_BUDGET_S}. */
const LOAD_SECONDS = Number(process.env.LOAD_SECONDS ?? 60);
/** Start-up, set-up, drain and shutdown together may take this long: with 60 s of load, 90 s in all. */
const OVERHEAD_BUDGET_S = 30;
const CONCURRENCY = 8;
/** The first seconds of the load warm up (model, WASM heap, JIT); memory is measured after them and at the end. */
const WARMUP_SECONDS = Math.min(10, LOAD_SECONDS / 6);
/** A request that takes longer than this counts as a timeout (an error); generous for 8 queued requests on 2 busy cores. */
const REQUEST_TIMEOUT_MS = 30_000;
/**
 * Largest growth of the isolate's live memory (JS heap and ArrayBuffers after a full GC) from after warm-up to the
 * end: a leak of 4 KiB per request shows within the ~1,000 requests of a 60 s run.
 */
const LIVE_GROWTH_LIMIT_BYTES = 4 * 1024 * 1024;
/**
 * Largest growth of the serving workerd process's RSS from after warm-up to the end. RSS is a coarse gauge: the
 * allocator keeps freed request buffers, so it climbs towards a plateau while live memory stays flat (on the 2-core
 * dev machine ~205 MiB after warm-up and ~320 MiB at 60 s; both workerd processes together kept climbing slowly, to
 * ~450 MiB, in a 200 s run whose live memory stayed at ~25 MiB). This bound catches gross leaks only.
 */
const RSS_GROWTH_LIMIT = 1.0;
const PHOTO = { width: 256, height: 256 };
const CLIP_SECONDS = 2;
const SAMPLE_RATE = 8000;

const log = (line) => console.log(`[load] ${line}`);
const started = Date.now();
const elapsed = () => ((Date.now() - started) / 1000).toFixed(1);

/**
 * Resident memory (kB) of the workerd processes in the process group wrangler leads: `serving` is the one running
 * the worker isolate (started with an inspector address), `others` wrangler's proxy workerd.
 */
function workerdRss(groupLeader) {
  let serving = null;
  const others = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // "pid (comm) state ppid pgrp ...": comm may hold spaces, so split after its closing parenthesis.
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const pgrp = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
      if (pgrp !== groupLeader || !comm.startsWith('workerd')) continue;
      const kb = Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${entry}/status`, 'utf8'))?.[1]);
      const found = { pid: Number(entry), kb };
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('--inspector-addr')) serving = found;
      else others.push(found);
    } catch {
      /* exited meanwhile */
    }
  }
  return { serving, others };
}

const mib = (kb) => `${(kb / 1024).toFixed(1)} MiB`;

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Posts a multipart form; returns status, headers and body bytes, or throws on network errors and timeouts. */
async function post(url, fields) {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) {
    if (typeof value === 'string') form.set(name, value);
    else form.set(name, value, `${name}.bin`);
  }
  const response = await fetch(url, { method: 'POST', body: form, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  return { status: response.status, headers: response.headers, body: new Uint8Array(await response.arrayBuffer()) };
}

/** What is wrong with an embed answer (null when it is a PNG of the cover's size). */
function checkEmbed(res) {
  if (res.status !== 200) return `status ${res.status}: ${new TextDecoder().decode(res.body.subarray(0, 300))}`;
  if (res.headers.get('content-type') !== 'image/png') return `content-type ${res.headers.get('content-type')}`;
  try {
    const { format, width, height } = sniffImage(res.body);
    if (format !== 'png' || width !== PHOTO.width || height !== PHOTO.height)
      return `got a ${width}×${height} ${format}`;
  } catch (error) {
    return `the container does not parse: ${error.message}`;
  }
  return null;
}

/** What is wrong with a reveal answer (null when it is a WAV that decodes to the embedded duration). */
function checkReveal(res) {
  if (res.status !== 200) return `status ${res.status}: ${new TextDecoder().decode(res.body.subarray(0, 300))}`;
  if (res.headers.get('content-type') !== 'audio/wav') return `content-type ${res.headers.get('content-type')}`;
  try {
    const { sampleRate, samples } = decodeWav(res.body);
    if (sampleRate !== SAMPLE_RATE || samples.length !== CLIP_SECONDS * SAMPLE_RATE)
      return `the WAV holds ${samples.length} samples at ${sampleRate} Hz, not ${CLIP_SECONDS} s at ${SAMPLE_RATE} Hz`;
  } catch (error) {
    return `the WAV does not decode: ${error.message}`;
  }
  return null;
}

/** Requests, latencies and failures of the whole load, both phases together. */
function newStats() {
  return { latencies: { embed: [], reveal: [] }, errors: [], statuses: new Map() };
}

/**
 * Runs {@link CONCURRENCY} clients against the worker for `seconds`, each alternating embed and reveal, until
 * every request in flight has answered.
 */
async function load(url, inputs, seconds, stats) {
  const end = Date.now() + seconds * 1000;
  async function client(index) {
    // Half the clients start with an embed, half with a reveal.
    let kind = index % 2 === 0 ? 'embed' : 'reveal';
    let embeds = 0;
    while (Date.now() < end) {
      // Every fourth embed carries a key, so the scrambler runs under load too.
      const fields =
        kind === 'embed'
          ? { image: inputs.photo, audio: inputs.clip, ...(embeds++ % 4 === 1 ? { key: `load-${index}` } : {}) }
          : { image: inputs.container };
      const t0 = performance.now();
      try {
        const res = await post(`${url}/api/${kind}`, fields);
        const ms = performance.now() - t0;
        stats.statuses.set(res.status, (stats.statuses.get(res.status) ?? 0) + 1);
        const problem = kind === 'embed' ? checkEmbed(res) : checkReveal(res);
        if (problem) stats.errors.push(`${kind}: ${problem}`);
        else stats.latencies[kind].push(ms);
      } catch (error) {
        stats.errors.push(
          `${kind}: ${error.name === 'TimeoutError' ? `timed out after ${REQUEST_TIMEOUT_MS} ms` : error.message}`,
        );
      }
      kind = kind === 'embed' ? 'reveal' : 'embed';
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, (_, i) => client(i)));
}

async function main() {
  const failures = [];
  const dir = await mkdtemp(join(tmpdir(), 'stegavox-load-'));
  let worker = null;
  let inspector = null;
  // Bounded run: past the budget, report and exit (dev-server.mjs kills wrangler's process group on exit).
  const budgetS = LOAD_SECONDS + OVERHEAD_BUDGET_S;
  const watchdog = setTimeout(() => {
    console.error(`[load] FAIL: the run passed its ${budgetS} s budget (at ${elapsed()} s)`);
    process.exit(1);
  }, budgetS * 1000);
  watchdog.unref();
  try {
    const photo = new Blob([makePng(PHOTO.width, PHOTO.height, 31)]);
    const clip = new Blob([makeWav(CLIP_SECONDS, SAMPLE_RATE, 32)]);

    worker = await startWorker({ root: ROOT, stateDir: join(dir, 'state'), log });
    log(`wrangler dev answered /api/health at ${elapsed()} s: ${JSON.stringify(worker.health)}`);
    const pid = worker.pid;
    if (!workerdRss(pid).serving)
      throw new Error(`no serving workerd process (one with --inspector-addr) in process group ${pid}`);
    inspector = await connectInspector(worker.inspectorPort);

    // The container every reveal under load reads, and a first check that the served weights can reveal it.
    const made = await post(`${worker.url}/api/embed`, { image: photo, audio: clip });
    const embedProblem = checkEmbed(made);
    if (embedProblem) throw new Error(`set-up embed failed: ${embedProblem}`);
    const container = new Blob([made.body]);
    const revealProblem = checkReveal(await post(`${worker.url}/api/reveal`, { image: container }));
    if (revealProblem)
      throw new Error(
        `set-up reveal of a fresh container failed (the served weights cannot carry this clip?): ${revealProblem}`,
      );
    log(
      `set-up done at ${elapsed()} s (model ${made.headers.get('x-stego-model')}); ${CONCURRENCY} clients for ${LOAD_SECONDS} s`,
    );

    const inputs = { photo, clip, container };
    const stats = newStats();
    const rssSeries = [];
    const loadStart = Date.now();
    let loadSeconds = 0;
    const sampler = setInterval(() => {
      const kb = workerdRss(pid).serving?.kb ?? 0;
      rssSeries.push(`${((Date.now() - loadStart) / 1000).toFixed(0)}s:${(kb / 1024).toFixed(0)}`);
    }, 5000);
    // Memory is measured while idle (no request in flight), after the warm-up and at the end.
    const measure = async () => ({ rss: workerdRss(pid), ...(await inspector.liveMemory()) });
    let t = Date.now();
    await load(worker.url, inputs, WARMUP_SECONDS, stats);
    loadSeconds += (Date.now() - t) / 1000;
    const warm = await measure();
    t = Date.now();
    await load(worker.url, inputs, LOAD_SECONDS - WARMUP_SECONDS, stats);
    loadSeconds += (Date.now() - t) / 1000;
    clearInterval(sampler);
    const end = await measure();
    const health = await fetch(`${worker.url}/api/health`);

    const { latencies, errors, statuses } = stats;
    const all = [...latencies.embed, ...latencies.reveal].sort((a, b) => a - b);
    const served = all.length;
    const non2xx = [...statuses].filter(([s]) => s < 200 || s > 299).reduce((n, [, c]) => n + c, 0);
    const rssWarm = warm.rss.serving?.kb ?? NaN;
    const rssEnd = end.rss.serving?.kb ?? NaN;
    const rssGrowth = (rssEnd - rssWarm) / rssWarm;
    const liveGrowth = end.liveBytes - warm.liveBytes;
    const ms = (v) => `${Math.round(v)} ms`;
    const sorted = (a) => [...a].sort((x, y) => x - y);
    const bytesMiB = (b) => `${(b / 2 ** 20).toFixed(2)} MiB`;
    const others = (m) => m.rss.others.map((p) => `${p.pid}: ${mib(p.kb)}`).join(', ') || 'none';
    log(
      `requests served: ${served} (embed ${latencies.embed.length}, reveal ${latencies.reveal.length}) in ${loadSeconds.toFixed(1)} s = ${(served / loadSeconds).toFixed(2)} req/s`,
    );
    log(
      `latency: p50 ${ms(percentile(all, 50))}, p97.5 ${ms(percentile(all, 97.5))}, max ${ms(all.at(-1) ?? NaN)}` +
        ` (embed p50 ${ms(percentile(sorted(latencies.embed), 50))}, reveal p50 ${ms(percentile(sorted(latencies.reveal), 50))})`,
    );
    log(
      `statuses: ${JSON.stringify(Object.fromEntries(statuses))}; non-2xx: ${non2xx}; errors (incl. timeouts and bad bodies): ${errors.length}`,
    );
    log(
      `live isolate memory after GC: ${bytesMiB(warm.liveBytes)} after ${WARMUP_SECONDS.toFixed(1)} s of warm-up, ${bytesMiB(end.liveBytes)} at the end` +
        ` (${liveGrowth >= 0 ? '+' : ''}${(liveGrowth / 1024).toFixed(0)} KiB; ArrayBuffers incl. the WASM heap ${bytesMiB(warm.arrayBufferBytes)} → ${bytesMiB(end.arrayBufferBytes)});` +
        ` tensors ${warm.tensors} → ${end.tensors}`,
    );
    log(
      `serving workerd RSS (pid ${end.rss.serving?.pid}): ${mib(rssWarm)} after warm-up, ${mib(rssEnd)} at the end (${(rssGrowth * 100).toFixed(1)} %);` +
        ` series (s:MiB) ${rssSeries.join(' ')}; wrangler's proxy workerd: ${others(warm)} → ${others(end)}`,
    );

    if (served === 0) failures.push('no request was served');
    if (non2xx > 0) failures.push(`${non2xx} non-2xx responses`);
    if (errors.length > 0)
      failures.push(`${errors.length} errors, first: ${[...new Set(errors)].slice(0, 5).join(' | ')}`);
    if (warm.tensors === null || end.tensors !== warm.tensors)
      failures.push(`tf tensors went from ${warm.tensors} to ${end.tensors}`);
    if (liveGrowth > LIVE_GROWTH_LIMIT_BYTES)
      failures.push(`live isolate memory grew ${bytesMiB(liveGrowth)} (limit ${bytesMiB(LIVE_GROWTH_LIMIT_BYTES)})`);
    if (!(rssGrowth <= RSS_GROWTH_LIMIT))
      failures.push(`serving workerd RSS grew ${(rssGrowth * 100).toFixed(1)} % (limit ${RSS_GROWTH_LIMIT * 100} %)`);
    if (health.status !== 200) failures.push(`/api/health answers ${health.status} after the load`);
  } catch (error) {
    failures.push(String(error?.stack || error));
  } finally {
    inspector?.close();
    await worker?.stop();
    await rm(dir, { recursive: true, force: true });
  }
  log(`finished in ${elapsed()} s`);
  if (failures.length > 0) {
    for (const f of failures) console.error(`[load] FAIL: ${f}`);
    process.exit(1);
  }
  log('ok');
  process.exit(0);
}

// Ctrl-C: exit through process.exit so dev-server.mjs's exit hook kills wrangler's process group.
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(130));
await main();
