/** Bench workloads through HTTP against `wrangler dev`: cold start, embed/reveal latency per case, throughput at 2 concurrent. */
import { photoPng, speechWav } from './inputs.js';
import { startDev, type DevServer } from './server.js';
import { summarise, type Summary } from './stats.js';

/** One timed HTTP exchange (request sent → whole response body received). */
interface Exchange {
  ms: number;
  status: number;
  body: Uint8Array;
  headers: Headers;
}

async function exchange(url: string, init?: RequestInit): Promise<Exchange> {
  const t0 = performance.now();
  const res = await fetch(url, init);
  const body = new Uint8Array(await res.arrayBuffer());
  return { ms: performance.now() - t0, status: res.status, body, headers: res.headers };
}

function form(fields: Record<string, { bytes: Uint8Array; type: string; name: string }>): FormData {
  const fd = new FormData();
  for (const [key, f] of Object.entries(fields))
    fd.append(key, new Blob([f.bytes as Uint8Array<ArrayBuffer>], { type: f.type }), f.name);
  return fd;
}

/** POST /api/embed with a PNG cover and a WAV clip (and `quality` and `scheme` fields when given). */
export function postEmbed(
  base: string,
  png: Uint8Array,
  wav: Uint8Array,
  quality?: 'high',
  scheme?: 'coded',
): Promise<Exchange> {
  const body = form({
    image: { bytes: png, type: 'image/png', name: 'cover.png' },
    audio: { bytes: wav, type: 'audio/wav', name: 'clip.wav' },
  });
  if (quality) body.append('quality', quality);
  if (scheme) body.append('scheme', scheme);
  return exchange(`${base}/api/embed`, { method: 'POST', body });
}

/** POST /api/reveal with a container PNG. */
export function postReveal(base: string, png: Uint8Array): Promise<Exchange> {
  return exchange(`${base}/api/reveal`, {
    method: 'POST',
    body: form({ image: { bytes: png, type: 'image/png', name: 'container.png' } }),
  });
}

/** Status code → count, e.g. `{ "200": 15 }`. */
export type StatusCounts = Record<string, number>;

function count(statuses: number[]): StatusCounts {
  const out: StatusCounts = {};
  for (const s of statuses) out[s] = (out[s] ?? 0) + 1;
  return out;
}

function problemDetail(x: Exchange): string {
  try {
    const p = JSON.parse(new TextDecoder().decode(x.body)) as { detail?: string; title?: string };
    return p.detail ?? p.title ?? '';
  } catch {
    return new TextDecoder().decode(x.body.subarray(0, 200));
  }
}

/** Cold start: the first requests a fresh isolate serves (script start, backend init, weights from R2, first inference). */
export interface ColdStart {
  /** Medians over restarts of the first request in a fresh isolate and of the same request right after it. */
  capacityFirst: Summary;
  capacitySecond: Summary;
  healthFirst: Summary;
  healthSecond: Summary;
  embedFirst: Summary;
  embedSecond: Summary;
  /** wrangler dev from spawn to serving the static page (bundling + workerd start; not part of a request). */
  wranglerStart: Summary;
  /** Where the weights came from, as /api/health said. */
  weightsSource: string;
  embedStatuses: StatusCounts;
}

/**
 * Restarts wrangler `restarts` times for each kind of first request: GET /api/capacity (no model: what the isolate
 * itself costs), GET /api/health (+ wasm backend and weights from R2), POST /api/embed 256×256 with 10 s (+ the
 * first inference). Each restart times its first request and the identical request right after.
 */
export async function coldStart(stateDir: string, restarts: number, log: (s: string) => void): Promise<ColdStart> {
  const png = photoPng(256, 256);
  const wav = speechWav(10);
  const kinds = {
    capacity: (url: string) => exchange(`${url}/api/capacity?width=256&height=256`),
    health: (url: string) => exchange(`${url}/api/health`),
    embed: (url: string) => postEmbed(url, png, wav),
  };
  const first: Record<string, number[]> = { capacity: [], health: [], embed: [] };
  const second: Record<string, number[]> = { capacity: [], health: [], embed: [] };
  const starts: number[] = [];
  const statuses: number[] = [];
  let source = 'unknown';
  for (let i = 0; i < restarts; i++) {
    for (const [kind, request] of Object.entries(kinds)) {
      const server = await startDev(stateDir);
      try {
        starts.push(server.startMs);
        const a = await request(server.url);
        const b = await request(server.url);
        first[kind]!.push(a.ms);
        second[kind]!.push(b.ms);
        if (kind === 'embed') statuses.push(a.status, b.status);
        if (kind === 'health') {
          const parsed = JSON.parse(new TextDecoder().decode(a.body)) as {
            model?: { source?: string; version?: string };
          };
          source = `${parsed.model?.source ?? '?'} (${parsed.model?.version ?? '?'})`;
        }
        log(`  cold ${kind} #${i + 1}: first ${a.ms.toFixed(0)} ms (${a.status}), next ${b.ms.toFixed(0)} ms`);
      } finally {
        await server.stop();
      }
    }
  }
  return {
    capacityFirst: summarise(first.capacity!),
    capacitySecond: summarise(second.capacity!),
    healthFirst: summarise(first.health!),
    healthSecond: summarise(second.health!),
    embedFirst: summarise(first.embed!),
    embedSecond: summarise(second.embed!),
    wranglerStart: summarise(starts),
    weightsSource: source,
    embedStatuses: count(statuses),
  };
}

/** One latency case: a photo size and how much audio goes in. */
export interface LatencyCase {
  width: number;
  height: number;
  /** Clip length in seconds; `full` fills {@link FULL_DENSITY} of the capacity. */
  audio: { kind: 'speech10'; seconds: 10 } | { kind: 'full'; seconds: number };
  /** Sent as the embed's `quality` field; absent = the default (standard). */
  quality?: 'high';
  /** Sent as the embed's `scheme` field; absent = the default (neural). */
  scheme?: 'coded';
}

/** Share of the capacity the full-density clip fills. */
export const FULL_DENSITY = 0.9;

/** Result of one latency case; `refused` when the worker rejected the embed (limits), with its status and detail. */
export interface LatencyResult {
  case: LatencyCase;
  requestBytes: { png: number; wav: number };
  refused?: { status: number; detail: string };
  embed?: Summary;
  reveal?: Summary;
  embedStatuses?: StatusCounts;
  /** 422 here means the reveal ran fully but its fingerprint check refused the audio (untrained weights). */
  revealStatuses?: StatusCounts;
  revealDetail?: string;
  /** True when the per-case time cap cut the repetitions short. */
  capped: boolean;
}

/**
 * Warm-up, then up to `reps` embeds and `reps` reveals of the embed's own container, sequentially. Stops an
 * operation early once it has used `capMs` (so the 1024×1024 full-density case cannot run away with the budget).
 */
export async function latencyCase(
  server: DevServer,
  c: LatencyCase,
  reps: number,
  capMs: number,
  log: (s: string) => void,
): Promise<LatencyResult> {
  const png = photoPng(c.width, c.height);
  const wav = speechWav(c.audio.seconds);
  const result: LatencyResult = { case: c, requestBytes: { png: png.length, wav: wav.length }, capped: false };
  const warm = await postEmbed(server.url, png, wav, c.quality, c.scheme);
  if (warm.status !== 200) {
    result.refused = { status: warm.status, detail: problemDetail(warm) };
    log(`  ${label(c)}: refused by the worker, ${warm.status} ${result.refused.detail}`);
    return result;
  }
  const container = warm.body;
  const timed = async (op: () => Promise<Exchange>) => {
    const ms: number[] = [];
    const statuses: number[] = [];
    let last: Exchange | null = null;
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) {
      if (i >= 3 && performance.now() - t0 > capMs) {
        result.capped = true;
        break;
      }
      last = await op();
      ms.push(last.ms);
      statuses.push(last.status);
    }
    return { summary: summarise(ms), statuses: count(statuses), last };
  };
  const e = await timed(() => postEmbed(server.url, png, wav, c.quality, c.scheme));
  await postReveal(server.url, container); // warm-up for this shape
  const r = await timed(() => postReveal(server.url, container));
  result.embed = e.summary;
  result.embedStatuses = e.statuses;
  result.reveal = r.summary;
  result.revealStatuses = r.statuses;
  if (r.last && r.last.status !== 200) result.revealDetail = problemDetail(r.last);
  log(
    `  ${label(c)}: embed p50 ${e.summary.p50.toFixed(0)} ms, reveal p50 ${r.summary.p50.toFixed(0)} ms (n=${e.summary.n}/${r.summary.n})`,
  );
  return result;
}

/** Human label of a case, e.g. "512×512, 10 s". */
export function label(c: LatencyCase): string {
  return `${c.width}×${c.height}, ${c.audio.kind === 'full' ? `full ${c.audio.seconds.toFixed(1)} s` : '10 s'}${c.quality ? `, quality ${c.quality}` : ''}${c.scheme ? `, ${c.scheme}` : ''}`;
}

/** Throughput with `concurrency` clients each alternating embed and reveal (starting staggered) for `seconds`. */
export interface Throughput {
  concurrency: number;
  seconds: number;
  completed: number;
  rps: number;
  embed: Summary;
  reveal: Summary;
  statuses: StatusCounts;
}

/** Requests per second at `concurrency` clients, mixed embed/reveal, 512×512 photo with 10 s of speech. */
export async function throughput(server: DevServer, concurrency: number, seconds: number): Promise<Throughput> {
  const png = photoPng(512, 512);
  const wav = speechWav(10);
  const warm = await postEmbed(server.url, png, wav);
  const container = warm.body;
  const embedMs: number[] = [];
  const revealMs: number[] = [];
  const statuses: number[] = [];
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  const client = async (offset: number) => {
    for (let i = offset; performance.now() < end; i++) {
      const isEmbed = i % 2 === 0;
      const x = isEmbed ? await postEmbed(server.url, png, wav) : await postReveal(server.url, container);
      (isEmbed ? embedMs : revealMs).push(x.ms);
      statuses.push(x.status);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_, k) => client(k)));
  const elapsed = (performance.now() - t0) / 1000;
  return {
    concurrency,
    seconds: elapsed,
    completed: statuses.length,
    rps: statuses.length / elapsed,
    embed: summarise(embedMs),
    reveal: summarise(revealMs),
    statuses: count(statuses),
  };
}
