/** Fetches data sets into the data folder: sha256-checked, resumable (HTTP Range), mirrors and archives. */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { StegError } from '../../src/util/errors.js';
import { CIFAR_CLASSES } from '../cifar.js';
import type { DataFile, DataManifest, DataSet, GeneratedRecipe } from './manifest.js';
import { readTarGz } from './tar.js';

/** Options for {@link downloadSets}. */
export interface DownloadOptions {
  /** The data folder; each set goes to `dir/<set.folder>/`. */
  dir: string;
  manifest: DataManifest;
  /** Names of the sets to fetch (default all, in manifest order). */
  sets?: string[];
  /** A mirror laid out like the data folder: file `p` of a set is `baseUrl/<folder>/<p>`. Default: each set's home. */
  baseUrl?: string;
  /** Parallel transfers (default 8). */
  jobs?: number;
  /** Tries per file, counting the first (default 4): a dropped connection resumes from the bytes already kept. */
  tries?: number;
  /** Pause before a retry, milliseconds times the try number (default 250). */
  retryDelayMs?: number;
  /** A transfer that receives nothing for this long is dropped and retried from where it stopped (default 60 s). */
  stallMs?: number;
  onProgress?: (event: ProgressEvent) => void;
}

/** Progress of one set, reported after every file. */
export interface ProgressEvent {
  set: string;
  /** Files done (verified, fetched or failed) of `total`. */
  done: number;
  total: number;
  /** Bytes received from the network so far in this set. */
  received: number;
}

/** What happened to one set. */
export interface SetReport {
  name: string;
  folder: string;
  total: number;
  /** Files that were already in place with the right sha256 (skipped). */
  verified: number;
  /** Files fetched (or generated) and checked now. */
  fetched: number;
  /** Bytes received from the network. */
  received: number;
  /** One line per file that could not be had: 404, checksum mismatch, network failure. */
  failures: string[];
}

/** A failure that retrying will not cure (404, 403, a refused redirect): reported at once. */
class PermanentError extends Error {}

/** The sha256 of a file on disk, streamed so big files do not sit in memory. */
export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Joins a base URL and a relative path, escaping each path segment (file names may hold spaces or `#`). */
export function joinUrl(base: string, relative: string): string {
  const escaped = relative.split('/').map(encodeURIComponent).join('/');
  return base.endsWith('/') || base === '' ? `${base}${escaped}` : `${base}/${escaped}`;
}

/** Bytes of a generated file (see DataSet.generated). */
function generate(recipe: GeneratedRecipe, set: DataSet): Uint8Array {
  if (recipe === 'cifar-labels') {
    // The subset's labels.csv: one row per image, in the class order of CIFAR-10's label indices.
    const rows = set.files
      .map((f) => f.path)
      .filter((p) => /^[a-z]+\/\d+\.jpg$/.test(p))
      .sort()
      .map((p) => {
        const cls = p.split('/')[0]!;
        return { p, label: (CIFAR_CLASSES as readonly string[]).indexOf(cls), cls };
      })
      .filter((r) => r.label >= 0)
      .sort((a, b) => a.label - b.label || (a.p < b.p ? -1 : 1));
    return new TextEncoder().encode(
      ['path,label,class_name', ...rows.map((r) => `${r.p},${r.label},${r.cls}`)].join('\n') + '\n',
    );
  }
  throw new Error(`unknown recipe ${String(recipe)}`);
}

/**
 * Fetches `url` into `dest`, resuming `dest.part` with a Range request when one is left from an earlier try, and
 * moves it into place only when its sha256 is `expected`. A mismatch deletes the partial file (a resumed transfer
 * may have joined two versions) and tries again from the start; after the last try the failure is thrown.
 */
async function fetchFile(
  url: string,
  dest: string,
  expected: string | undefined,
  options: Required<Pick<DownloadOptions, 'tries' | 'retryDelayMs' | 'stallMs'>>,
  onBytes: (n: number) => void,
): Promise<void> {
  const part = `${dest}.part`;
  let lastError: Error = new Error('no tries');
  let retryAfterMs = 0;
  for (let attempt = 1; attempt <= options.tries; attempt++) {
    if (attempt > 1) {
      const wait = Math.max(options.retryDelayMs * (attempt - 1), retryAfterMs);
      retryAfterMs = 0;
      await new Promise((r) => setTimeout(r, wait));
    }
    // A stalled connection never errors by itself: abort it when no byte arrives for `stallMs`, and resume.
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(
        () => controller.abort(new Error(`no data for ${options.stallMs / 1000} s from ${url}`)),
        options.stallMs,
      );
    };
    try {
      const have = existsSync(part) ? (await stat(part)).size : 0;
      arm();
      const res = await fetch(url, {
        headers: have > 0 ? { Range: `bytes=${have}-` } : {},
        redirect: 'follow',
        signal: controller.signal,
      });
      if (res.status === 416) {
        // The partial file is already whole (or longer than the file): let the checksum decide.
        await res.body?.cancel();
      } else if (!res.ok) {
        await res.body?.cancel();
        const why = `HTTP ${res.status} ${res.statusText}`.trim();
        if (res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429)
          throw new PermanentError(`${why} for ${url}`);
        // Rate limits (429, 503) say when to come back; honour it, up to a minute.
        const after = Number(res.headers.get('retry-after'));
        if (Number.isFinite(after) && after > 0) retryAfterMs = Math.min(after, 60) * 1000;
        throw new Error(`${why} for ${url}`);
      } else {
        // 206 continues the partial file; 200 (a server that ignores Range) starts it again.
        const resumed = res.status === 206 && contentRangeStart(res.headers.get('content-range')) === have;
        if (res.status === 206 && !resumed) {
          await res.body?.cancel();
          await rm(part, { force: true });
          throw new Error(`${url} answered a range that does not continue the partial file`);
        }
        const handle = await open(part, resumed ? 'a' : 'w');
        try {
          if (res.body)
            for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
              arm();
              await handle.write(chunk);
              onBytes(chunk.length);
            }
        } finally {
          await handle.close();
        }
      }
      if (!existsSync(part)) throw new Error(`${url}: empty answer`);
      const got = await sha256File(part);
      if (expected === undefined || got === expected) {
        await rename(part, dest);
        return;
      }
      await rm(part, { force: true });
      lastError = new Error(`sha256 mismatch for ${url}: expected ${expected.slice(0, 12)}…, got ${got.slice(0, 12)}…`);
    } catch (e) {
      if (e instanceof PermanentError) throw e;
      lastError = controller.signal.aborted ? (controller.signal.reason as Error) : (e as Error);
      // Node's fetch wraps socket errors as "fetch failed" with the reason in `cause`.
      const cause = (e as { cause?: { message?: string } }).cause?.message;
      if (cause && !controller.signal.aborted) lastError = new Error(`${(e as Error).message} (${cause}) for ${url}`);
    } finally {
      clearTimeout(timer);
    }
  }
  throw lastError;
}

/** The first byte position of a `Content-Range: bytes a-b/n` header, or -1. */
function contentRangeStart(header: string | null): number {
  const m = /^bytes (\d+)-/.exec(header ?? '');
  return m ? Number(m[1]) : -1;
}

/** Runs `work` over `items` with at most `jobs` at a time. */
async function pool<T>(items: T[], jobs: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(jobs, items.length)) }, worker));
}

/** Whether `file` is present with the right sha256; a present file with the wrong one is deleted (it is replaced). */
async function inPlace(file: string, expected: string): Promise<boolean> {
  if (!existsSync(file)) return false;
  if ((await sha256File(file)) === expected) return true;
  await rm(file, { force: true });
  return false;
}

/**
 * Downloads the chosen sets into `options.dir`, one folder each, every file checked against its sha256. Files
 * already in place and correct are skipped, so running it again finishes an interrupted download; failures are
 * collected per set rather than stopping the others. Also writes each folder's `SHA256SUMS` and `SOURCE.md`.
 */
export async function downloadSets(options: DownloadOptions): Promise<SetReport[]> {
  const byName = new Map(options.manifest.sets.map((s) => [s.name, s]));
  const names = options.sets ?? options.manifest.sets.map((s) => s.name);
  const unknown = names.filter((n) => !byName.has(n));
  if (unknown.length > 0)
    throw new StegError(
      'bad_request',
      `unknown data set ${unknown.map((n) => `"${n}"`).join(', ')} (known: ${[...byName.keys()].join(', ')})`,
    );
  const settings = {
    tries: options.tries ?? 4,
    retryDelayMs: options.retryDelayMs ?? 250,
    stallMs: options.stallMs ?? 60_000,
  };
  const reports: SetReport[] = [];
  for (const name of names) {
    const set = byName.get(name)!;
    const folder = path.join(options.dir, set.folder);
    const report: SetReport = {
      name,
      folder,
      total: set.files.length,
      verified: 0,
      fetched: 0,
      received: 0,
      failures: [],
    };
    reports.push(report);
    let done = 0;
    const progress = () => options.onProgress?.({ set: name, done, total: report.total, received: report.received });
    const generated = set.generated ?? {};
    const fetched = set.files.filter((f) => !(f.path in generated));
    const useArchive = set.archive !== undefined && options.baseUrl === undefined;

    // First pass: what is already here needs no network.
    const missing: DataFile[] = [];
    for (const f of fetched) {
      if (await inPlace(path.join(folder, f.path), f.sha256)) {
        report.verified++;
        done++;
      } else missing.push(f);
    }
    progress();

    if (useArchive && missing.length > 0) {
      await fromArchive(set, folder, missing, options.dir, settings, report, (n) => {
        report.received += n;
        progress();
      });
      done += missing.length;
      progress();
    } else {
      await pool(missing, options.jobs ?? 8, async (f) => {
        const dest = path.join(folder, f.path);
        const url = options.baseUrl
          ? joinUrl(joinUrl(options.baseUrl, set.folder), f.path)
          : joinUrl(set.baseUrl, f.path);
        try {
          await mkdir(path.dirname(dest), { recursive: true });
          await fetchFile(url, dest, f.sha256, settings, (n) => (report.received += n));
          report.fetched++;
        } catch (e) {
          report.failures.push(`${set.folder}/${f.path}: ${(e as Error).message}`);
        }
        done++;
        progress();
      });
    }

    for (const [file, recipe] of Object.entries(generated)) {
      const expected = set.files.find((f) => f.path === file)?.sha256;
      const dest = path.join(folder, file);
      if (expected && (await inPlace(dest, expected))) report.verified++;
      else {
        const bytes = generate(recipe, set);
        if (expected && sha256(bytes) !== expected)
          report.failures.push(`${set.folder}/${file}: the generated file does not match its sha256`);
        else {
          await mkdir(path.dirname(dest), { recursive: true });
          await writeFile(dest, bytes);
          report.fetched++;
        }
      }
      done++;
      progress();
    }

    // The folder describes itself, as the sets in ../shared/data do: `sha256sum -c SHA256SUMS` rechecks it. A
    // SOURCE.md already there (a curated one, with the full provenance) is kept.
    await mkdir(folder, { recursive: true });
    await writeFile(path.join(folder, 'SHA256SUMS'), set.files.map((f) => `${f.sha256}  ${f.path}\n`).join(''));
    const source = path.join(folder, 'SOURCE.md');
    if (!existsSync(source))
      await writeFile(
        source,
        `# ${set.title}\n\n- **Source:** ${set.source}\n- **Licence / terms:** ${set.licence}\n` +
          `- **Fetched by:** \`stegavox data\` from ${options.baseUrl ? `the mirror ${options.baseUrl}` : 'the source above'}; ` +
          `every file matches \`SHA256SUMS\`.\n`,
      );
  }
  return reports;
}

/**
 * Fetches a set's archive into `dir/.downloads/` (resumable like any file) and extracts the `missing` files from
 * it, each checked against its sha256. The archive is deleted afterwards (the extracted files are what is kept).
 */
async function fromArchive(
  set: DataSet,
  folder: string,
  missing: DataFile[],
  dir: string,
  settings: Required<Pick<DownloadOptions, 'tries' | 'retryDelayMs' | 'stallMs'>>,
  report: SetReport,
  onBytes: (n: number) => void,
): Promise<void> {
  const archive = set.archive!;
  const downloads = path.join(dir, '.downloads');
  await mkdir(downloads, { recursive: true });
  const file = path.join(downloads, `${set.name}.tar.gz`);
  try {
    if (!(archive.sha256 && (await inPlace(file, archive.sha256))))
      await fetchFile(archive.url, file, archive.sha256, settings, onBytes);
  } catch (e) {
    report.failures.push(`${set.name} archive: ${(e as Error).message}`);
    return;
  }
  let entries;
  try {
    entries = await readTarGz(new Uint8Array(await readFile(file)));
  } catch (e) {
    await rm(file, { force: true }); // a damaged archive is fetched again next time
    report.failures.push(`${set.name} archive ${archive.url}: ${(e as Error).message}`);
    return;
  }
  const members = new Map(entries.map((e) => [e.path, e.data]));
  for (const f of missing) {
    const data = members.get(archive.prefix + f.path);
    if (!data) {
      report.failures.push(`${set.folder}/${f.path}: not in the archive ${archive.url}`);
      continue;
    }
    if (sha256(data) !== f.sha256) {
      report.failures.push(`${set.folder}/${f.path}: sha256 mismatch in the archive ${archive.url}`);
      continue;
    }
    const dest = path.join(folder, f.path);
    await mkdir(path.dirname(dest), { recursive: true });
    // Written beside and moved into place, so an interruption never leaves a short file with the right name.
    await writeFile(`${dest}.part`, data);
    await rename(`${dest}.part`, dest);
    report.fetched++;
  }
  // Done with it either way: members that were missing or wrong will not fix themselves, so a rerun fetches afresh.
  await rm(file, { force: true });
}
