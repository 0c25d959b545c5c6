/** Vitest globalSetup (runs in Node): reads the committed hostile-input corpus (test/corpus/) and provides it to workerd, which has no file system. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import type { Corpus } from '../corpus/types.js';

/** The corpus as the workerd test sees it: the cases, and every file they name as base64 (keyed by its path). */
export interface ProvidedCorpus {
  cases: Corpus['cases'];
  files: Record<string, string>;
}

declare module 'vitest' {
  export interface ProvidedContext {
    corpus: ProvidedCorpus;
  }
}

export default function setup(project: TestProject): void {
  const dir = join(project.config.root, 'test/corpus');
  const { cases } = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Corpus;
  const files: Record<string, string> = {};
  for (const c of cases) {
    const paths = [
      ...Object.values(c.files ?? {}),
      ...(c.body ? [c.body.file] : []),
      c.expect.sameAs,
      c.expect.unrelatedTo,
    ];
    for (const path of paths) if (path !== undefined) files[path] ??= readFileSync(join(dir, path)).toString('base64');
  }
  project.provide('corpus', { cases, files });
}
