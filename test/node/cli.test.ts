// The `stegavox` CLI as a user runs it (`node bin/stegavox.mjs …` in a child process) with the transparent test weights:
// embed → reveal round trip, capacity, and one-line errors with exit status 1 (2 for usage) for bad files.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RdRow } from '../../cli/commands/rd.js';
import { decodeImage, encodePng } from '../../src/formats/image.js';
import { decodeWav, encodeWav16, sniffWav } from '../../src/formats/wav.js';
import { SAMPLE_RATE } from '../../src/container/layout.js';
import { pcc } from '../../src/metrics/quality.js';
import { initBackend } from '../../src/node/backend.js';
import { pattern } from '../fixtures/pattern.js';
import { speechLike } from '../helpers/signals.js';
import { writeTransparentWeights } from '../helpers/weights.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = path.join(ROOT, 'bin', 'stegavox.mjs');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `node bin/stegavox.mjs ...args` from the repository root. */
function stegavox(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: ROOT, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** A failed run: the given exit status, a first stderr line naming the command, and no stack trace anywhere. */
function expectCleanFailure(run: Run, code: number, command: string, message: RegExp): void {
  expect(run.code, run.stderr).toBe(code);
  const lines = run.stderr.trimEnd().split('\n');
  expect(lines[0]).toMatch(new RegExp(`^stegavox ${command}: `));
  expect(lines[0]).toMatch(message);
  expect(run.stderr).not.toMatch(/^\s{4}at /m);
  expect(run.stdout).not.toMatch(/^\s{4}at /m);
  // Bad files (status 1) get exactly one line; usage mistakes (status 2) are followed by the command's usage text.
  if (code === 1) expect(lines).toHaveLength(1);
  else expect(run.stderr).toMatch(new RegExp(`usage: stegavox ${command} `));
}

let dir: string;
let weights: string;
const p = (name: string) => path.join(dir, name);
const clip = speechLike(4000, SAMPLE_RATE, 11, 0.5); // 0.5 s

beforeAll(async () => {
  await initBackend('wasm');
  dir = await mkdtemp(path.join(tmpdir(), 'stegavox-cli-'));
  weights = p('weights');
  await writeTransparentWeights(weights);
  await writeFile(p('cover.png'), encodePng({ width: 96, height: 64, data: pattern(96, 64) }));
  await writeFile(p('clip.wav'), encodeWav16(clip, SAMPLE_RATE));
  await writeFile(p('long.wav'), encodeWav16(speechLike(24_000, SAMPLE_RATE, 12), SAMPLE_RATE)); // 3 s
  await writeFile(p('empty.png'), new Uint8Array(0));
  await writeFile(p('notes.txt'), 'these are my notes, not audio\n');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('stegavox embed → reveal', () => {
  it('round trips a 0.5 s clip through a 96×64 PNG: 16-bit mono 8 kHz WAV of the same duration', async () => {
    const embedded = await stegavox(
      'embed',
      '--image',
      p('cover.png'),
      '--audio',
      p('clip.wav'),
      '--out',
      p('container.png'),
      '--weights',
      weights,
    );
    expect(embedded.code, embedded.stderr).toBe(0);
    expect(embedded.stdout).toMatch(
      /container\.png: 96×64, 0\.50 s of audio \(capacity 2\.30 s\), model test-transparent/,
    );
    const container = await decodeImage(new Uint8Array(await readFile(p('container.png'))));
    expect([container.width, container.height]).toEqual([96, 64]);

    const revealed = await stegavox(
      'reveal',
      '--image',
      p('container.png'),
      '--out',
      p('revealed.wav'),
      '--weights',
      weights,
    );
    expect(revealed.code, revealed.stderr).toBe(0);
    expect(revealed.stdout).toMatch(/revealed\.wav: 0\.50 s, 8000 Hz, 16-bit mono/);
    const bytes = new Uint8Array(await readFile(p('revealed.wav')));
    expect(sniffWav(bytes)).toMatchObject({
      sampleRate: 8000,
      channels: 1,
      bitsPerSample: 16,
      encoding: 'pcm',
      frames: 4000,
    });
    expect(bytes.length).toBe(44 + 4000 * 2);
    expect(pcc(clip, decodeWav(bytes).samples)).toBeGreaterThan(0.99);
  });

  it('with --key: the same key reveals the clip; no key or a wrong one finds nothing (exit 1)', async () => {
    const embedded = await stegavox(
      'embed',
      '--image',
      p('cover.png'),
      '--audio',
      p('clip.wav'),
      '--out',
      p('keyed.png'),
      '--key',
      's3cret',
      '--weights',
      weights,
    );
    expect(embedded.code, embedded.stderr).toBe(0);
    expect(embedded.stdout).toMatch(/, keyed,/);
    const right = await stegavox(
      'reveal',
      '--image',
      p('keyed.png'),
      '--out',
      p('right.wav'),
      '--key',
      's3cret',
      '--weights',
      weights,
    );
    expect(right.code, right.stderr).toBe(0);
    expect(right.stdout).toMatch(/\(keyed payload\)/);
    expect(pcc(clip, decodeWav(new Uint8Array(await readFile(p('right.wav')))).samples)).toBeGreaterThan(0.99);
    const none = await stegavox('reveal', '--image', p('keyed.png'), '--out', p('none.wav'), '--weights', weights);
    expectCleanFailure(none, 1, 'reveal', /nothing found: .*without a key/);
    const wrong = await stegavox(
      'reveal',
      '--image',
      p('keyed.png'),
      '--out',
      p('w.wav'),
      '--key',
      'S3cret',
      '--weights',
      weights,
    );
    expectCleanFailure(wrong, 1, 'reveal', /nothing found for this key/);
  });
});

describe('stegavox capacity', () => {
  it('prints the capacity in seconds and samples, or as JSON', async () => {
    const run = await stegavox('capacity', '--image', p('cover.png'));
    expect(run.code, run.stderr).toBe(0);
    // The default scheme, then every other one (more may be registered after coded).
    expect(run.stdout.trim()).toMatch(
      /^96×64: 2\.30 s \(18432 samples at 8000 Hz\); coded scheme 2\.20 s(; [a-z]+ scheme \d+\.\d\d s)*$/,
    );
    const json = await stegavox('capacity', '--image', p('cover.png'), '--json');
    expect(JSON.parse(json.stdout)).toMatchObject({
      width: 96,
      height: 64,
      samples: 18432,
      seconds: 2.304,
      sampleRate: 8000,
      coded: { samples: 17568, seconds: 2.196 },
    });
  });
});

describe('bad input: one line, no stack trace, exit status 1 (2 for usage)', () => {
  it('a zero-byte image', async () => {
    const run = await stegavox(
      'embed',
      '--image',
      p('empty.png'),
      '--audio',
      p('clip.wav'),
      '--out',
      p('x.png'),
      '--weights',
      weights,
    );
    expectCleanFailure(run, 1, 'embed', /image file is empty/);
    expect(existsSync(p('x.png'))).toBe(false);
  });

  it('a text file as audio', async () => {
    const run = await stegavox(
      'embed',
      '--image',
      p('cover.png'),
      '--audio',
      p('notes.txt'),
      '--out',
      p('x.png'),
      '--weights',
      weights,
    );
    expectCleanFailure(run, 1, 'embed', /Not a WAV file/);
    expect(existsSync(p('x.png'))).toBe(false);
  });

  it('a text file as the image to capacity or reveal', async () => {
    expectCleanFailure(await stegavox('capacity', '--image', p('notes.txt')), 1, 'capacity', /Not a PNG or JPEG/);
    expectCleanFailure(
      await stegavox('reveal', '--image', p('notes.txt'), '--out', p('x.wav'), '--weights', weights),
      1,
      'reveal',
      /Not a PNG or JPEG/,
    );
  });

  it('a clip longer than the image holds: the capacity in seconds', async () => {
    const run = await stegavox(
      'embed',
      '--image',
      p('cover.png'),
      '--audio',
      p('long.wav'),
      '--out',
      p('x.png'),
      '--weights',
      weights,
    );
    expectCleanFailure(run, 1, 'embed', /audio is 3\.00 s but this image holds at most 2\.30 s/);
  });

  it('a PNG with nothing hidden', async () => {
    const run = await stegavox('reveal', '--image', p('cover.png'), '--out', p('x.wav'), '--weights', weights);
    expectCleanFailure(run, 1, 'reveal', /nothing found: this photo holds no stegavox audio/);
    expect(existsSync(p('x.wav'))).toBe(false);
  });

  it('a missing file and a missing weights folder (fatal only for a scheme that runs the nets)', async () => {
    expectCleanFailure(await stegavox('capacity', '--image', p('nope.png')), 1, 'capacity', /ENOENT|no such file/);
    const run = await stegavox(
      'embed',
      '--image',
      p('cover.png'),
      '--audio',
      p('clip.wav'),
      '--out',
      p('x.png'),
      '--weights',
      p('no-weights'),
    );
    expectCleanFailure(run, 1, 'embed', /cannot read weights from/);
    // The weights load only for a scheme that runs the nets: the coded scheme works without them.
    const coded = await stegavox(
      'embed',
      '--image',
      p('cover.png'),
      '--audio',
      p('clip.wav'),
      '--out',
      p('c.png'),
      '--scheme',
      'coded',
      '--weights',
      p('no-weights'),
    );
    expect(coded.code, coded.stderr).toBe(0);
    const back = await stegavox('reveal', '--image', p('c.png'), '--out', p('c.wav'), '--weights', p('no-weights'));
    expect(back.code, back.stderr).toBe(0);
    expect(back.stdout).toMatch(/coded scheme/);
  });

  it('usage mistakes: missing --out, an unknown option, an unknown command, no command', async () => {
    expectCleanFailure(
      await stegavox('embed', '--image', p('cover.png'), '--audio', p('clip.wav')),
      2,
      'embed',
      /--out is required/,
    );
    expectCleanFailure(
      await stegavox('capacity', '--image', p('cover.png'), '--colour', 'red'),
      2,
      'capacity',
      /colour/,
    );
    const quality = await stegavox(
      'embed',
      '--image',
      p('cover.png'),
      '--audio',
      p('clip.wav'),
      '--out',
      p('q.png'),
      '--quality',
      'best',
    );
    expectCleanFailure(quality, 2, 'embed', /--quality must be one of standard, high/);
    const denoise = await stegavox('reveal', '--image', p('cover.png'), '--out', p('d.wav'), '--denoise', 'yes');
    expectCleanFailure(denoise, 2, 'reveal', /--denoise must be one of on, off/);
    const unknown = await stegavox('hide');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.split('\n')[0]).toBe('stegavox: unknown command "hide"');
    const none = await stegavox();
    expect(none.code).toBe(2);
    expect(none.stdout).toMatch(/usage: stegavox <command>/);
  });
});

describe('stegavox rd', () => {
  beforeAll(async () => {
    await mkdir(p('rd-images'));
    await mkdir(p('rd-speech'));
    await writeFile(p('rd-images/a.png'), encodePng({ width: 96, height: 64, data: pattern(96, 64) }));
    await writeFile(p('rd-images/b.png'), encodePng({ width: 64, height: 64, data: pattern(64, 64) }));
    await writeFile(p('rd-speech/one.wav'), encodeWav16(speechLike(6000, SAMPLE_RATE, 3, 0.5), SAMPLE_RATE));
    await writeFile(p('rd-speech/two.wav'), encodeWav16(speechLike(9000, SAMPLE_RATE, 4, 0.7), SAMPLE_RATE));
  });

  it('measures stegavox and LSB k = 3, 4, 5 at densities 1, 1/4, 1/16 on the same clips: markdown and JSON', async () => {
    const out = p('rd-out');
    const run = await stegavox(
      'rd',
      '--weights',
      weights,
      '--images',
      p('rd-images'),
      '--speech',
      p('rd-speech'),
      '--out',
      out,
    );
    expect(run.code, run.stderr).toBe(0);
    const { rows } = JSON.parse(await readFile(path.join(out, 'rd.json'), 'utf8')) as { rows: RdRow[] };
    // Density 1: stegavox, coded, 3 plain LSB rows + the same through the post-filter; 1/4 and 1/16: also thin and spread LSB.
    expect(rows).toHaveLength(8 + 14 + 14);
    expect(rows.every((r) => r.pairs === 2 && Number.isFinite(r.psnr) && Number.isFinite(r.pcc))).toBe(true);
    const at = (method: RdRow['method'], density: number, bits: number | null = null) =>
      rows.find((r) => r.method === method && r.density === density && r.bits === bits)!;
    for (const d of [1, 1 / 4, 1 / 16]) {
      // The transparent weights give the clip back almost exactly; LSB trades PSNR for SI-SNR as k grows.
      expect(at('stegavox', d).pcc).toBeGreaterThan(0.99);
      expect(at('lsb', d, 3).psnr).toBeGreaterThan(at('lsb', d, 4).psnr);
      expect(at('lsb', d, 4).psnr).toBeGreaterThan(at('lsb', d, 5).psnr);
      expect(at('lsb', d, 5).siSnr).toBeGreaterThan(at('lsb', d, 3).siSnr);
      // Same clip length for every method at one density (the coded scheme's full density is 864 samples shorter).
      expect(
        new Set(rows.filter((r) => r.density === d && (d < 1 || r.method !== 'coded')).map((r) => r.seconds)).size,
      ).toBe(1);
      expect(at('coded', d).pcc).toBeGreaterThan(0.99);
    }
    // Spare room buys the coded scheme more values per sample: a smaller change and a more precise clip.
    expect(at('coded', 1, null).valuesPerSample).toBe(1);
    expect(at('coded', 1 / 16, null).valuesPerSample).toBe(5);
    expect(at('coded', 1 / 16).psnr).toBeGreaterThan(at('coded', 1).psnr + 5);
    expect(at('coded', 1 / 16).siSnr).toBeGreaterThan(at('coded', 1).siSnr + 5);
    expect(at('lsb', 1 / 16, 4).carrying).toBeCloseTo(1 / 16, 2);
    expect(at('lsb', 1 / 16, 4).psnr).toBeGreaterThan(at('lsb', 1, 4).psnr + 9);
    expect(at('lsb-thin', 1 / 4, 4).siSnr).toBe(at('lsb', 1 / 4, 4).siSnr);
    // The like-for-like rows hide the pre-emphasised clip (codes differ, the change per value hardly: PSNR within
    // 0.3 dB) and reveal it through the post-filter and de-emphasis (better SI-SNR).
    expect(Math.abs(at('lsb-filtered', 1, 3).psnr - at('lsb', 1, 3).psnr)).toBeLessThan(0.3);
    expect(at('lsb-filtered', 1, 3).siSnr).toBeGreaterThan(at('lsb', 1, 3).siSnr);
    const md = await readFile(path.join(out, 'rd.md'), 'utf8');
    expect(md.split('\n').filter((l) => /^\| (stegavox|LSB k = [345])/.test(l))).toHaveLength(36);
    expect(md).toContain('LSB k = 3 + pre-emphasis + post-filter');
    // --denoise off: no post-filter rows.
    const raw = await stegavox(
      'rd',
      '--weights',
      weights,
      '--images',
      p('rd-images'),
      '--speech',
      p('rd-speech'),
      '--out',
      p('rd-raw'),
      '--densities',
      '1',
      '--denoise',
      'off',
    );
    expect(raw.code, raw.stderr).toBe(0);
    expect(
      (JSON.parse(await readFile(path.join(p('rd-raw'), 'rd.json'), 'utf8')) as { rows: RdRow[] }).rows,
    ).toHaveLength(5);
    expect(run.stdout).toContain(md.split('\n')[0]!);
  });

  it('refuses a density outside (0, 1] and an image folder with no images', async () => {
    expectCleanFailure(await stegavox('rd', '--weights', weights, '--densities', '1,2'), 2, 'rd', /--densities/);
    expectCleanFailure(await stegavox('rd', '--weights', weights, '--bits', '9'), 2, 'rd', /--bits/);
    const run = await stegavox(
      'rd',
      '--weights',
      weights,
      '--images',
      p('rd-speech'),
      '--speech',
      p('rd-speech'),
      '--out',
      p('rd-none'),
    );
    expectCleanFailure(run, 1, 'rd', /no PNG or JPEG images/);
  });
});
