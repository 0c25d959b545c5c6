/** stegavox's own schemes as steganalysis cases: containers made through the real pipeline, and ±1 LSB matching at the same change rate. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeImage, encodePng } from '../../src/formats/image.js';
import { decodeWav, encodeWav16 } from '../../src/formats/wav.js';
import { capacity, embedAudio, type ModelAccess } from '../../src/pipeline/index.js';
import type { SchemeName } from '../../src/schemes/registry.js';
import { lsbMatching, type BenchCase, type Cover } from './bench.js';

/** One scheme case: a scheme and the share of its own capacity the clip fills. */
export interface SchemeCase {
  scheme: SchemeName;
  density: number;
  key?: string;
}

/** The cases of docs/steganalysis.md: both densities of the coded and neural schemes, stealth at its capacity. */
export const SCHEME_CASES: SchemeCase[] = [
  { scheme: 'coded', density: 0.1 },
  { scheme: 'coded', density: 0.9 },
  { scheme: 'neural', density: 0.1 },
  { scheme: 'neural', density: 0.9 },
  { scheme: 'stealth', density: 1 },
  { scheme: 'stealth', density: 1, key: 'correct horse' },
];

/** FSDD's test split (recordings 0–4 of every speaker and digit), concatenated in name order, at 8 kHz. */
export function testSpeech(fsddDir: string): Float32Array {
  const names = readdirSync(fsddDir)
    .filter((f) => /_[0-4]\.wav$/.test(f))
    .sort();
  const parts = names.map((f) => decodeWav(new Uint8Array(readFileSync(join(fsddDir, f)))).samples);
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * Embeds a clip into every cover through `embedAudio` (clips cut one after another from `speech`) and returns the
 * case as an embedder that hands back those containers, plus ±1 LSB matching at the same measured change rate
 * (the rate that matters to a detector of ±1 noise; the schemes' bit rates are not comparable with each other).
 */
export async function schemeCase(
  c: SchemeCase,
  covers: Cover[],
  speech: Float32Array,
  models: ModelAccess,
): Promise<BenchCase[]> {
  const containers = new Map<Uint8Array, Uint8Array>();
  let offset = 0;
  let [changed, total] = [0, 0];
  for (const cover of covers) {
    const room = capacity(cover.width, cover.height, c.scheme).samples;
    const length = Math.max(1, Math.floor(room * c.density));
    if (offset + length > speech.length) offset = 0;
    const clip = encodeWav16(speech.subarray(offset, offset + length), 8000);
    offset += length;
    const png = encodePng({ width: cover.width, height: cover.height, data: cover.data });
    const made = await embedAudio(models, png, clip, {
      scheme: c.scheme,
      key: c.key,
      limits: { maxPixels: 1 << 24, maxAudioSeconds: 3600 },
    });
    const stego = (await decodeImage(made.png)).data;
    for (let i = 0; i < stego.length; i++) if (stego[i] !== cover.data[i]) changed++;
    total += stego.length;
    containers.set(cover.data, stego);
  }
  const label = `stegavox ${c.scheme}${c.key ? ', keyed' : ''}`;
  const payload = c.scheme === 'stealth' ? 'its capacity' : `${Math.round(c.density * 100)} % of capacity`;
  const rate = changed / total;
  return [
    {
      name: label,
      payload,
      embed: (rgb) => {
        const stego = containers.get(rgb);
        if (!stego) throw new Error(`${label}: no container for this cover`);
        return stego;
      },
    },
    // ±1 LSB matching changes at most half the values (at 1 bit per value); past that it is capped there.
    {
      name: `±1 LSB matching, ${rate > 0.5 ? 'capped at 1 bpc' : 'same change rate'} (vs ${label}, ${payload})`,
      payload: `${Math.min(1, 2 * rate).toFixed(4)} bpc`,
      embed: lsbMatching(Math.min(1, 2 * rate)),
    },
  ];
}
