#!/usr/bin/env node
// `npm start`: the worker locally at http://localhost:8787 with `wrangler dev --local` on the bundled weights
// (or whatever `npm run weights:upload` put into local R2): no Cloudflare account, no network, no telemetry.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const wrangler = join(root, 'node_modules', '.bin', 'wrangler');
if (!existsSync(wrangler)) {
  console.error('wrangler is not installed: run `npm install` first.');
  process.exit(1);
}

const extra = process.argv.slice(2);
const args = [
  'dev',
  '--local',
  ...(extra.some((a) => a === '--port' || a.startsWith('--port=')) ? [] : ['--port', '8787']),
  ...extra,
];
const child = spawn(wrangler, args, {
  cwd: root,
  stdio: 'inherit',
  env: {
    ...process.env,
    WRANGLER_SEND_METRICS: 'false',
    // Do not download request.cf data from workers.cloudflare.com; miniflare uses a built-in placeholder.
    CLOUDFLARE_CF_FETCH_ENABLED: 'false',
  },
});

for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
