// Runs the worker under `wrangler dev --local` for the browser test: free ports, a private state folder, kill by process group.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

/** How long wrangler may take to build and answer /api/health on a busy machine: a startup budget, not a measurement. */
const START_BUDGET_MS = 240_000;

/** A TCP port nobody listens on right now. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts `wrangler dev --local` on a free port with its state in `stateDir`, and waits until /api/health answers 200.
 * @param {{ root: string, stateDir: string, log: (line: string) => void }} options
 * @returns {Promise<{ url: string, health: unknown, pid: number, inspectorPort: number, stop: () => Promise<void> }>}
 *   `pid` is wrangler's, which leads the process group its workerd processes run in; `inspectorPort` serves the
 *   DevTools protocol for the worker.
 */
export async function startWorker({ root, stateDir, log }) {
  const port = await freePort();
  const inspectorPort = await freePort();
  const args = [
    'dev',
    '--local',
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--inspector-port',
    String(inspectorPort),
    '--persist-to',
    stateDir,
    '--show-interactive-dev-session=false',
    '--log-level',
    'warn',
  ];
  // Its own process group (detached), so stopping it also stops the workerd processes it starts.
  const child = spawn(join(root, 'node_modules/.bin/wrangler'), args, {
    cwd: root,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      WRANGLER_SEND_METRICS: 'false',
      CLOUDFLARE_CF_FETCH_ENABLED: 'false',
      CI: 'true',
      FORCE_COLOR: '0',
      NO_COLOR: '1',
    },
  });
  let output = '';
  const keep = (chunk) => {
    output = (output + String(chunk).replace(/\x1b\[[0-9;]*m/g, '')).slice(-8000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let exited = null;
  const exit = new Promise((resolve) =>
    child.on('exit', (code, signal) => {
      exited = { code, signal };
      resolve(exited);
    }),
  );

  const killGroup = (signal) => {
    if (exited) return;
    try {
      process.kill(-child.pid, signal);
    } catch {
      /* already gone */
    }
  };
  const onProcessExit = () => killGroup('SIGKILL');
  process.on('exit', onProcessExit);

  async function stop() {
    process.off('exit', onProcessExit);
    if (exited) return;
    killGroup('SIGTERM');
    const timer = setTimeout(() => killGroup('SIGKILL'), 5000);
    await exit;
    clearTimeout(timer);
    // The group may outlive its leader (workerd children): make sure nothing of it is left.
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      /* none left */
    }
  }

  const url = `http://127.0.0.1:${port}`;
  log(`starting wrangler dev on ${url} (pid ${child.pid})`);
  const deadline = Date.now() + START_BUDGET_MS;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (exited)
      throw new Error(`wrangler dev exited (${JSON.stringify(exited)}) before /api/health answered:\n${output}`);
    // wrangler keeps watching after a failed build; nothing will change in a test run, so stop now.
    if (/Build failed/.test(output)) {
      await stop();
      throw new Error(`wrangler dev could not build the worker:\n${output}`);
    }
    try {
      const res = await fetch(`${url}/api/health`);
      if (res.ok) return { url, health: await res.json(), pid: child.pid, inspectorPort, stop };
      last = `${res.status}: ${(await res.text()).slice(0, 500)}`;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  await stop();
  throw new Error(
    `wrangler dev did not answer /api/health within ${START_BUDGET_MS / 1000} s (last: ${last}):\n${output}`,
  );
}
