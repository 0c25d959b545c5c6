#!/usr/bin/env node
// `npm run weights:upload [-- --remote] [--dir weights] [--prefix stegavox/default/]`: puts a weights folder
// (manifest.json + model.bin) into the R2 bucket the worker reads, after checking the binary's sha256 locally.
// Local R2 (what `npm start` uses) by default; --remote writes to Cloudflare (needs `wrangler login`).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const BUCKET = 'stegavox-weights';

function usage(message) {
  if (message) console.error(message);
  console.error(
    'usage: npm run weights:upload -- [--remote] [--dir <weights folder>] [--prefix <R2 key prefix>] [--persist-to <local state>]',
  );
  process.exit(2);
}

const args = process.argv.slice(2);
let remote = false;
let dir = join(root, 'weights');
let prefix = null;
/** Local R2 state folder (as `wrangler dev --persist-to`); default: wrangler's own (.wrangler/state). */
let persistTo = null;
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === '--remote') remote = true;
  else if (a === '--local') remote = false;
  else if (a === '--dir') dir = resolve(args[++i] ?? usage('--dir needs a folder'));
  else if (a === '--prefix') prefix = args[++i] ?? usage('--prefix needs a value');
  else if (a === '--persist-to') persistTo = resolve(args[++i] ?? usage('--persist-to needs a folder'));
  else if (a === '--help' || a === '-h') usage();
  else usage(`unknown argument ${a}`);
}
// Same default as the worker: the WEIGHTS_PREFIX var of wrangler.toml.
prefix ??=
  /^\s*WEIGHTS_PREFIX\s*=\s*"([^"]*)"/m.exec(readFileSync(join(root, 'wrangler.toml'), 'utf8'))?.[1] ??
  'stegavox/default/';

const manifestPath = join(dir, 'manifest.json');
const binaryPath = join(dir, 'model.bin');
for (const p of [manifestPath, binaryPath]) if (!existsSync(p)) usage(`missing ${p}`);
const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
const binary = readFileSync(binaryPath);
const digest = createHash('sha256').update(binary).digest('hex');
if (manifest.sha256 !== digest || manifest.byteLength !== binary.length) {
  console.error(
    `refusing to upload: ${binaryPath} (sha256 ${digest}, ${binary.length} bytes) does not match ${manifestPath}`,
  );
  process.exit(1);
}

const wrangler = join(root, 'node_modules', '.bin', 'wrangler');
// Binary first: a worker that sees the new manifest must find its binary already there.
for (const [file, key, type] of [
  [binaryPath, 'model.bin', 'application/octet-stream'],
  [manifestPath, 'manifest.json', 'application/json'],
]) {
  const target = `${BUCKET}/${prefix}${key}`;
  console.log(`${remote ? 'remote' : 'local'} R2: ${target} ← ${file}`);
  const result = spawnSync(
    wrangler,
    [
      'r2',
      'object',
      'put',
      target,
      '--file',
      file,
      '--content-type',
      type,
      remote ? '--remote' : '--local',
      ...(persistTo && !remote ? ['--persist-to', persistTo] : []),
    ],
    {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false' },
    },
  );
  if (result.status !== 0) process.exit(result.status ?? 1);
}
console.log(`uploaded ${manifest.version} (sha256 ${digest.slice(0, 12)}…) under ${prefix}`);
