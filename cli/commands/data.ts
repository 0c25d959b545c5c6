/** `stegavox data`: downloads the training and evaluation sets into the folder train and eval read. */
import { readFile } from 'node:fs/promises';
import { dataRoot } from '../../datasets/presets.js';
import { builtInManifest, parseManifest, type DataManifest } from '../../datasets/download/manifest.js';
import { downloadSets, type ProgressEvent } from '../../datasets/download/download.js';
import { FileError, numberOption, parse, UsageError } from './args.js';

const MB = (n: number) => `${(n / 1e6).toFixed(1)} MB`;

/**
 * Progress on stderr: one line rewritten in place on a terminal; otherwise (a log, CI) a line at most every two
 * seconds and one when a set finishes, so logs stay short.
 */
function progressPrinter(): { update: (e: ProgressEvent) => void; end: () => void } {
  const tty = process.stderr.isTTY === true;
  let last = 0;
  let pending = '';
  return {
    update(e) {
      const line = `${e.set}: ${e.done}/${e.total} files, ${MB(e.received)} received`;
      const now = Date.now();
      if (tty) {
        if (now - last > 100 || e.done === e.total) process.stderr.write(`\r\x1b[2K${line}`);
      } else if (now - last > 2000 || e.done === e.total) {
        if (line !== pending) process.stderr.write(`${line}\n`);
        pending = line;
      } else return;
      last = now;
    },
    end() {
      if (tty) process.stderr.write('\n');
    },
  };
}

/** `data [--dir DIR] [--sets LIST] [--base-url URL] [--manifest FILE] [--jobs 8] [--list]`: see the usage text. */
export async function dataCommand(argv: string[]): Promise<void> {
  const v = parse(argv, {
    dir: { type: 'string' },
    sets: { type: 'string' },
    'base-url': { type: 'string' },
    manifest: { type: 'string' },
    jobs: { type: 'string' },
    list: { type: 'boolean', default: false },
  });
  const manifest: DataManifest = v.manifest
    ? parseManifest(await readFile(v.manifest, 'utf8'), v.manifest)
    : builtInManifest();
  const baseUrl = v['base-url'] ?? (process.env.STEGAVOX_DATA_URL || undefined);
  if (baseUrl !== undefined && !/^https?:\/\//.test(baseUrl))
    throw new UsageError(`--base-url must be an http(s) URL, got "${baseUrl}"`);
  const jobs = numberOption(v, 'jobs', 8);
  if (!Number.isInteger(jobs) || jobs < 1) throw new UsageError(`--jobs must be a whole number of at least 1`);
  const sets = v.sets
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const known = manifest.sets.map((s) => s.name);
  const unknown = (sets ?? []).filter((s) => !known.includes(s));
  if (unknown.length > 0) throw new UsageError(`--sets: unknown set "${unknown[0]}" (known: ${known.join(', ')})`);
  if (v.list) {
    for (const s of manifest.sets)
      console.log(
        `${s.name.padEnd(9)} ${s.folder}/ ${s.files.length} files${s.bytes ? `, ${MB(s.bytes)}` : ''}: ${s.title}\n` +
          `          from ${baseUrl ? `${baseUrl} (mirror)` : s.source}\n          ${s.licence}`,
      );
    return;
  }
  const dir = dataRoot(v.dir);
  process.stderr.write(`downloading ${(sets ?? known).join(', ')} into ${dir}${baseUrl ? ` from ${baseUrl}` : ''}\n`);
  const printer = progressPrinter();
  const reports = await downloadSets({ dir, manifest, sets, baseUrl, jobs, onProgress: printer.update });
  printer.end();
  for (const r of reports)
    console.log(
      `${r.name}: ${r.total - r.failures.length}/${r.total} files in ${r.folder} ` +
        `(${r.verified} already there, ${r.fetched} fetched, ${MB(r.received)})` +
        (r.failures.length ? `; ${r.failures.length} failed` : ''),
    );
  const failures = reports.flatMap((r) => r.failures);
  if (failures.length > 0) {
    // Every failure on stderr first (they are what to fix), then the one-line summary the CLI ends with.
    for (const f of failures.slice(0, 20)) process.stderr.write(`  ${f}\n`);
    if (failures.length > 20) process.stderr.write(`  … and ${failures.length - 20} more\n`);
    throw new FileError(
      `${failures.length} file${failures.length === 1 ? '' : 's'} could not be fetched or did not match their sha256; ` +
        'run the same command again to resume',
    );
  }
}
