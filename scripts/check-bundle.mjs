// Builds the worker as `wrangler deploy` would (--dry-run: no account, no upload) and fails when its gzipped size
// exceeds the budget. Run by `npm test`; works offline.
//
// Budget: 3 MiB gzipped, the Workers Free plan's script limit (Paid allows 10 MB). The worker needs Paid anyway for
// its CPU time (docs/deploying.md), but staying under the Free limit keeps headroom: the same build still uploads to
// a Free-plan account for the static page, /api/health and /api/capacity, and a small bundle keeps cold starts
// short (workerd parses and compiles every module of it when an isolate starts). Today it is about 1 MiB.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

/** The budget in bytes, gzipped. */
const BUDGET = 3 * 1024 * 1024;

const outdir = mkdtempSync(join(tmpdir(), 'stegavox-bundle-'));
try {
  const result = spawnSync('npx', ['wrangler', 'deploy', '--dry-run', '--outdir', outdir], {
    encoding: 'utf8',
    // No telemetry, and no browser or login prompt: nothing here needs the network.
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: 'true' },
  });
  if (result.status !== 0) {
    process.stderr.write(result.stdout + result.stderr);
    console.error(`check-bundle: wrangler deploy --dry-run failed (exit ${result.status})`);
    process.exit(1);
  }
  // What wrangler uploads: the modules it wrote (the script, the wasm, the bundled weights), not source maps.
  const files = readdirSync(outdir).filter((name) => !name.endsWith('.map') && name !== 'README.md');
  let raw = 0;
  let gzipped = 0;
  for (const name of files) {
    const bytes = readFileSync(join(outdir, name));
    const size = gzipSync(bytes).byteLength;
    raw += statSync(join(outdir, name)).size;
    gzipped += size;
    console.log(`  ${name.padEnd(72)} ${kib(bytes.byteLength).padStart(12)} ${kib(size).padStart(12)} gzipped`);
  }
  const verdict = gzipped <= BUDGET ? 'within' : 'OVER';
  console.log(
    `check-bundle: ${kib(raw)} raw, ${kib(gzipped)} gzipped: ${verdict} the ${kib(BUDGET)} budget (Workers Free plan limit)`,
  );
  if (gzipped > BUDGET) process.exit(1);
} finally {
  rmSync(outdir, { recursive: true, force: true });
}

function kib(bytes) {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}
