/**
 * `npm run steganalysis`: SPAM + FLD ensemble against stegavox's schemes (through the real pipeline), the reference
 * embedders (±1 LSB matching, LSB replacement, HILL + STC) and ±1 LSB matching at each scheme's change rate.
 */
import { join } from 'node:path';
import { initBackend } from '../../src/node/backend.js';
import { lazyModel } from '../../src/node/load-model.js';
import { dataRoot } from '../../datasets/presets.js';
import { formatTable, hillStc, loadBsdsCovers, runBenchmark, standardCases, type BenchCase } from './bench.js';
import { SCHEME_CASES, schemeCase, testSpeech } from './schemes.js';

function arg(name: string, fallback: string): string {
  const hit = process.argv.find((a) => a.startsWith(`--${name}=`));
  return hit ? hit.slice(name.length + 3) : fallback;
}

const started = performance.now();
const data = arg('data', dataRoot());
const count = Number(arg('covers', '200'));
const splits = Number(arg('splits', '10'));
await initBackend('wasm');
const model = lazyModel();
const covers = await loadBsdsCovers(join(data, 'bsds500'), count, 160, 1);
const speech = testSpeech(join(data, 'fsdd', 'recordings'));
console.error(`${covers.length} covers, ${(speech.length / 8000).toFixed(0)} s of test speech`);
const cases: BenchCase[] = [...standardCases()];
// The stealth scheme's embedding at the rate it fills a photo at capacity (10.24 s in 512×512: 0.0834 bits per value);
// a 160×160 crop holds one codec frame, 0.043 bits per value, in the scheme rows below.
cases.push({ name: 'HILL + STC (h=7)', payload: '0.0834 bpc', embed: hillStc(0.0834) });
for (const c of SCHEME_CASES) {
  const t = performance.now();
  cases.push(...(await schemeCase(c, covers, speech, model.access)));
  console.error(
    `${c.scheme} ${c.density}${c.key ? ' keyed' : ''}: containers in ${((performance.now() - t) / 1000).toFixed(1)} s`,
  );
}
const results = runBenchmark({ covers, cases, splits, seed: 1, log: (line) => console.error(line) });
model.dispose();
console.log(formatTable(results));
console.log(
  `\n${covers.length} BSDS500 covers (box-averaged 2×2, 160×160 crops), ${splits} splits by cover, SPAM-686 averaged ` +
    `over RGB, FLD ensemble L = 51, λ = 1e-2; FSDD test speech; ${((performance.now() - started) / 1000).toFixed(0)} s.`,
);
