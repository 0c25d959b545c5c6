/** Vitest globalSetup (runs in Node): computes the Node pipeline's outputs for the parity test and provides them. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import type { NodeReference } from './node-reference.js';

declare module 'vitest' {
  export interface ProvidedContext {
    nodeReference: NodeReference;
  }
}

export default function setup(project: TestProject): void {
  // A separate plain Node process: the workers plugin resolves modules for workerd (browser fields, no fs), which is
  // not how the CLI loads tfjs in Node.
  const dir = mkdtempSync(join(tmpdir(), 'stegavox-parity-'));
  try {
    const file = join(dir, 'reference.json');
    execFileSync(process.execPath, ['--import', 'tsx', 'test/worker/node-reference.ts', file], {
      cwd: project.config.root,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    project.provide('nodeReference', JSON.parse(readFileSync(file, 'utf8')) as NodeReference);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
