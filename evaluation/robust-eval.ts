/** Figures for the robust scheme: container quality and voice recovery (STOI, frames lost) over messenger-like channels. */
// Run: npx tsx evaluation/robust-eval.ts [--set kodak24,cbsd68] [--n 8] [--sizes 1280x960,1600x1200] [--step 1.3] [--coefs 12]
import { readFileSync, readdirSync } from 'node:fs';
import sharp from 'sharp';
import jpeg from 'jpeg-js';
import { decodeWav } from '../src/formats/wav.js';
import { psnr, mse, ssim } from '../src/metrics/quality.js';
import { stoi } from '../src/metrics/stoi.js';
import {
  DEFAULT_COEFFICIENTS,
  DEFAULT_STEP_SCALE,
  embedRobust,
  revealRobust,
  type Rgb,
} from '../src/schemes/robust/robust.js';
import { CLIP_RATE, DEFAULT_CODEC, decodeSpeech, encodeSpeech } from '../src/speech/envelope-codec.js';

const DATA = '/work/shared/data';
const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : fallback;
};
const sets = arg('set', 'kodak24,cbsd68').split(',');
const perSet = Number(arg('n', '4'));
const sizes = arg('sizes', '1280x960,1600x1200')
  .split(',')
  .map((s) => s.split('x').map(Number) as [number, number]);
const stepScale = Number(arg('step', String(DEFAULT_STEP_SCALE)));
const coefficients = Number(arg('coefs', String(DEFAULT_COEFFICIENTS)));
const seconds = Number(arg('seconds', '10'));
const only = arg('channels', '');
const levels = Number(arg('levels', String(DEFAULT_CODEC.levels)));
const rate = Number(arg('rate', String(DEFAULT_CODEC.rate)));
const codec = { ...DEFAULT_CODEC, levels, rate };
if (sets.includes('bsds500') && sets.length > 1)
  throw new Error('bsds500 is for tuning: do not mix it with evaluation sets');

/** Evenly spaced photos of a set (deterministic), as paths. */
function photos(set: string): string[] {
  const dir = set === 'bsds500' ? `${DATA}/bsds500/train` : `${DATA}/${set}`;
  const files = readdirSync(dir)
    .filter((f) => /\.(png|jpe?g)$/i.test(f))
    .sort();
  return Array.from(
    { length: Math.min(perSet, files.length) },
    (_, i) => `${dir}/${files[Math.floor((i * files.length) / perSet)]!}`,
  );
}

/** `seconds` of FSDD speech: test-split recordings (indexes 0–4) for evaluation, 5–49 for bsds500 tuning runs. */
function speech(seed: number, tuning: boolean): Float32Array {
  const dir = `${DATA}/fsdd/recordings`;
  const files = readdirSync(dir)
    .filter((f) => {
      const idx = Number(f.replace('.wav', '').split('_')[2]);
      return tuning ? idx >= 5 : idx <= 4;
    })
    .sort();
  const out = new Float32Array(seconds * CLIP_RATE);
  let o = 0;
  for (let k = 0; o < out.length; k++) {
    const f = files[(seed * 7919 + k * 104729) % files.length]!;
    const s = decodeWav(new Uint8Array(readFileSync(`${dir}/${f}`))).samples;
    out.set(s.subarray(0, Math.min(s.length, out.length - o)), o);
    o += s.length;
  }
  return out;
}

async function toRgb(img: sharp.Sharp): Promise<Rgb> {
  const { data, info } = await img.removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}
const raw = (r: Rgb) => sharp(Buffer.from(r.data), { raw: { width: r.width, height: r.height, channels: 3 } });
const viaJpeg = async (r: Rgb, quality: number, sub: '4:2:0' | '4:4:4'): Promise<Rgb> =>
  toRgb(sharp(await raw(r).jpeg({ quality, chromaSubsampling: sub }).toBuffer()));
const fitJpeg = async (
  r: Rgb,
  long: number,
  quality: number,
  kernel: 'lanczos3' | 'linear' = 'lanczos3',
): Promise<Rgb> =>
  toRgb(
    sharp(
      await raw(r)
        .resize(long, long, { fit: 'inside', withoutEnlargement: true, kernel })
        .jpeg({ quality, chromaSubsampling: '4:2:0' })
        .toBuffer(),
    ),
  );

type Channel = (r: Rgb) => Promise<Rgb>;
const channels: Array<[string, Channel]> = [['none', async (r) => r]];
for (const q of [95, 85, 75, 70, 60, 50]) channels.push([`jpeg q${q} 4:2:0`, (r) => viaJpeg(r, q, '4:2:0')]);
for (const q of [95, 85, 75, 70, 60, 50]) channels.push([`jpeg q${q} 4:4:4`, (r) => viaJpeg(r, q, '4:4:4')]);
channels.push(['q85 then q70', async (r) => viaJpeg(await viaJpeg(r, 85, '4:2:0'), 70, '4:2:0')]);
channels.push([
  'jpeg-js q70',
  async (r) => {
    const rgba = new Uint8Array(r.width * r.height * 4);
    for (let i = 0; i < r.width * r.height; i++) {
      rgba.set(r.data.subarray(3 * i, 3 * i + 3), 4 * i);
      rgba[4 * i + 3] = 255;
    }
    const enc = jpeg.encode({ data: rgba, width: r.width, height: r.height }, 70).data;
    return toRgb(sharp(enc));
  },
]);
channels.push(['webp q80', async (r) => toRgb(sharp(await raw(r).webp({ quality: 80 }).toBuffer()))]);
channels.push(['signal-like (fit 1600, q70)', (r) => fitJpeg(r, 1600, 70)]);
channels.push(['whatsapp-like (fit 1600, q65)', (r) => fitJpeg(r, 1600, 65)]);
channels.push(['telegram-like (fit 1280, q82)', (r) => fitJpeg(r, 1280, 82)]);
channels.push(['1600→1280 lanczos3 + q80', (r) => fitJpeg(r, 1280, 80, 'lanczos3')]);
channels.push(['1600→1280 linear + q80', (r) => fitJpeg(r, 1280, 80, 'linear')]);
const active = channels.filter(([name]) => !only || only.split(',').some((o) => name.includes(o)));

interface Row {
  stoi: number[];
  lost: number[];
  refused: number;
  n: number;
  revealMs: number[];
}
const rows = new Map<string, Row>();
const quality: Array<{ size: string; psnr: number; ssim: number; embedMs: number; codecStoi: number }> = [];
const tuning = sets.includes('bsds500');
let seed = 0;
for (const [w, h] of sizes) {
  for (const set of sets) {
    for (const path of photos(set)) {
      seed++;
      const cover = await toRgb(sharp(path).resize(w, h, { fit: 'cover', kernel: 'lanczos3' }));
      const clip = speech(seed, tuning);
      const t0 = performance.now();
      const { rgb } = await embedRobust(cover, clip, { stepScale, coefficients, codec });
      const embedMs = performance.now() - t0;
      const codecOnly = decodeSpeech(
        encodeSpeech(
          clip.map((v) => v),
          codec,
        ),
        codec,
        clip.length,
      );
      quality.push({
        size: `${w}x${h}`,
        psnr: psnr(mse(cover.data, rgb.data)),
        ssim: ssim(cover.data, rgb.data, w, h),
        embedMs,
        codecStoi: stoi(clip, codecOnly, CLIP_RATE),
      });
      for (const [name, ch] of active) {
        if (name.startsWith('1600→1280') && w !== 1600) continue;
        const key = `${name} @${w}x${h}`;
        const row = rows.get(key) ?? { stoi: [], lost: [], refused: 0, n: 0, revealMs: [] };
        rows.set(key, row);
        row.n++;
        const received = await ch(rgb);
        const t1 = performance.now();
        try {
          const out = await revealRobust(received);
          row.revealMs.push(performance.now() - t1);
          row.stoi.push(stoi(clip, out.samples, CLIP_RATE));
          row.lost.push(out.framesLost / out.framesTotal);
        } catch (e) {
          row.refused++;
        }
      }
      process.stderr.write(
        `${path.split('/').slice(-2).join('/')} ${w}x${h} psnr ${quality.at(-1)!.psnr.toFixed(2)}\n`,
      );
    }
  }
}
const mean = (a: number[]) => (a.length ? a.reduce((s, v) => s + v, 0) / a.length : NaN);
const f = (v: number, d = 3) => (Number.isFinite(v) ? v.toFixed(d) : '—');
console.log(
  `robust scheme: sets ${sets.join('+')}, ${perSet} photos per set per size, ${seconds} s speech, step ${stepScale}, coefficients 1…${coefficients}, codec ${codec.rate} Hz/${codec.levels} levels`,
);
for (const size of new Set(quality.map((q) => q.size))) {
  const qs = quality.filter((q) => q.size === size);
  console.log(
    `container ${size}: PSNR mean ${f(mean(qs.map((q) => q.psnr)), 2)} min ${f(Math.min(...qs.map((q) => q.psnr)), 2)} dB, SSIM mean ${f(mean(qs.map((q) => q.ssim)), 4)} min ${f(Math.min(...qs.map((q) => q.ssim)), 4)}, embed ${f(mean(qs.map((q) => q.embedMs)), 0)} ms, codec-only STOI ${f(mean(qs.map((q) => q.codecStoi)))}`,
  );
}
console.log('| channel | photos | revealed | STOI mean | STOI min | STOI ≥ 0.80 | frames lost (mean) | reveal ms |');
console.log('|---|---|---|---|---|---|---|---|');
for (const [key, r] of rows) {
  const good = r.stoi.filter((s) => s >= 0.8).length;
  console.log(
    `| ${key} | ${r.n} | ${r.n - r.refused} | ${f(mean(r.stoi))} | ${f(Math.min(...r.stoi))} | ${((100 * good) / r.n).toFixed(0)} % | ${f(100 * mean(r.lost), 1)} % | ${f(mean(r.revealMs), 0)} |`,
  );
}
