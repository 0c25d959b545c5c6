/**
 * `npx tsx evaluation/stealth-eval.ts`: the stealth scheme at its product size on held-out data: 8 Kodak photos
 * (top-left 512×512), 10 s of FSDD test speech each, keyed; PSNR, SSIM, STOI of the revealed voice, and embed and
 * reveal times.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { dataRoot } from '../datasets/presets.js';
import { decodeWav, encodeWav16 } from '../src/formats/wav.js';
import { encodePng, decodeImage } from '../src/formats/image.js';
import { embedAudio, revealAudio } from '../src/pipeline/index.js';
import { stoi } from '../src/metrics/stoi.js';
import { psnr, mse, ssim } from '../src/metrics/quality.js';
const dir = join(dataRoot(), 'fsdd', 'recordings') + '/';
const kodakDir = join(dataRoot(), 'kodak24') + '/';
const files = readdirSync(dir)
  .filter((f) => /_[0-4]\.wav$/.test(f))
  .sort();
const parts = files.map((f) => decodeWav(new Uint8Array(readFileSync(dir + f))).samples);
const all = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
let at = 0;
for (const p of parts) {
  all.set(p, at);
  at += p.length;
}
const kodak = readdirSync(kodakDir)
  .filter((f) => f.endsWith('.png'))
  .sort();
const rows: number[][] = [];
for (let k = 0; k < 8; k++) {
  const img = await decodeImage(new Uint8Array(readFileSync(kodakDir + kodak[k * 3]!)));
  const w = 512,
    h = 512;
  const crop = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) crop.set(img.data.subarray(y * img.width * 3, (y * img.width + w) * 3), y * w * 3);
  const clip = all.subarray(k * 80000, k * 80000 + 80000);
  const png = encodePng({ width: w, height: h, data: crop });
  const t0 = performance.now();
  const e = await embedAudio(null, png, encodeWav16(clip, 8000), { scheme: 'stealth', key: 'k' });
  const t1 = performance.now();
  const r = await revealAudio(null, e.container, { key: 'k' });
  const t2 = performance.now();
  const c = await decodeImage(e.container);
  rows.push([psnr(mse(c.data, crop)), ssim(c.data, crop, w, h), stoi(clip, r.samples, 8000), t1 - t0, t2 - t1]);
  console.log(
    kodak[k * 3],
    rows
      .at(-1)!
      .map((v) => v.toFixed(4))
      .join(' '),
  );
}
const mean = (i: number) => rows.reduce((s, r) => s + r[i]!, 0) / rows.length;
const min = (i: number) => Math.min(...rows.map((r) => r[i]!));
console.log(
  `mean PSNR ${mean(0).toFixed(2)} SSIM ${mean(1).toFixed(4)} STOI ${mean(2).toFixed(3)} (min ${min(2).toFixed(3)}); ` +
    `embed ${mean(3).toFixed(0)} ms, reveal ${mean(4).toFixed(0)} ms (means, wall, Node)`,
);
