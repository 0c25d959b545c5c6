// The CLI's manners, run as a user runs it (a child process): --help on every command, --version, "-" for stdin and
// stdout (binary-safe), no silent overwrite (--force) and no half-written output, and `stegavox info`.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContainerInfo } from '../../cli/commands/info.js';
import { COMMAND_USAGE } from '../../cli/usage.js';
import { SAMPLE_RATE } from '../../src/container/layout.js';
import { decodeImage, encodePng } from '../../src/formats/image.js';
import { decodeWav, encodeWav16, sniffWav } from '../../src/formats/wav.js';
import { pcc } from '../../src/metrics/quality.js';
import { readPayloadHeader } from '../../src/pipeline/index.js';
import { writeHeaderBits } from '../../src/schemes/registry.js';
import { initBackend } from '../../src/node/backend.js';
import { pattern } from '../fixtures/pattern.js';
import { speechLike } from '../helpers/signals.js';
import { writeTransparentWeights } from '../helpers/weights.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = path.join(ROOT, 'bin', 'stegavox.mjs');

interface Run {
  code: number;
  stdout: Buffer;
  stderr: string;
}

/** Runs `node bin/stegavox.mjs ...args` with `stdin` piped in; stdout comes back as bytes. */
function stegavox(args: string[], stdin?: Uint8Array): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({ code: code ?? -1, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8') }),
    );
    child.stdin.end(stdin ?? new Uint8Array(0));
  });
}

let dir: string;
let weights: string;
const p = (name: string) => path.join(dir, name);
const clip = speechLike(4000, SAMPLE_RATE, 11, 0.5); // 0.5 s
let coverBytes: Uint8Array;
let clipBytes: Uint8Array;

beforeAll(async () => {
  await initBackend('wasm');
  dir = await mkdtemp(path.join(tmpdir(), 'stegavox-cli-manners-'));
  weights = p('weights');
  await writeTransparentWeights(weights);
  coverBytes = encodePng({ width: 96, height: 64, data: pattern(96, 64) });
  clipBytes = encodeWav16(clip, SAMPLE_RATE);
  await writeFile(p('cover.png'), coverBytes);
  await writeFile(p('clip.wav'), clipBytes);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('help and version', () => {
  it('--help and -h on every command print its usage on stdout and exit 0', async () => {
    const names = Object.keys(COMMAND_USAGE);
    expect(names).toEqual(expect.arrayContaining(['embed', 'reveal', 'capacity', 'info', 'data', 'train', 'eval']));
    const runs = await Promise.all(names.map((name) => stegavox([name, '--help'])));
    runs.forEach((run, i) => {
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout.toString()).toMatch(new RegExp(`^usage: stegavox ${names[i]} `));
      expect(run.stderr).toBe('');
    });
    // -h anywhere among the options, even after options that would otherwise be refused.
    const short = await stegavox(['train', '--steps', '10', '-h']);
    expect(short.code).toBe(0);
    expect(short.stdout.toString()).toMatch(/^usage: stegavox train /);
  });

  it('stegavox --help, -h and help print the overview (exit 0); help CMD is CMD --help', async () => {
    for (const args of [['--help'], ['-h'], ['help']]) {
      const run = await stegavox(args);
      expect(run.code).toBe(0);
      expect(run.stdout.toString()).toMatch(/^usage: stegavox <command>/);
      expect(run.stdout.toString()).toMatch(/\n {2}info /);
    }
    const topic = await stegavox(['help', 'reveal']);
    expect(topic.stdout.toString()).toMatch(/^usage: stegavox reveal /);
  });

  it('--version and -V print the version in package.json', async () => {
    const { version } = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      const run = await stegavox([flag]);
      expect(run.code).toBe(0);
      expect(run.stdout.toString().trim()).toBe(`stegavox ${version}`);
    }
  });
});

describe('"-" is stdin for inputs and stdout for --out', () => {
  it('embed reads the cover from stdin and writes the PNG to stdout; reveal pipes the WAV back out', async () => {
    const embed = await stegavox(
      ['embed', '--image', '-', '--audio', p('clip.wav'), '--out', '-', '--weights', weights],
      coverBytes,
    );
    expect(embed.code, embed.stderr).toBe(0);
    // stdout holds only the file; the status line moved to stderr.
    const container = new Uint8Array(embed.stdout);
    const image = await decodeImage(container);
    expect([image.width, image.height]).toEqual([96, 64]);
    expect(embed.stderr).toMatch(/^stdout: 96×64, 0\.50 s of audio/);

    const reveal = await stegavox(['reveal', '--image', '-', '--out', '-', '--weights', weights], container);
    expect(reveal.code, reveal.stderr).toBe(0);
    const wav = new Uint8Array(reveal.stdout);
    expect(sniffWav(wav)).toMatchObject({ sampleRate: 8000, channels: 1, bitsPerSample: 16, frames: 4000 });
    expect(pcc(clip, decodeWav(wav).samples)).toBeGreaterThan(0.99);
    expect(reveal.stderr).toMatch(/^stdout: 0\.50 s, 8000 Hz/);
  });

  it('the audio from stdin (coded scheme), and capacity of an image on stdin', async () => {
    const embed = await stegavox(
      ['embed', '--image', p('cover.png'), '--audio', '-', '--out', p('coded.png'), '--scheme', 'coded'],
      clipBytes,
    );
    expect(embed.code, embed.stderr).toBe(0);
    expect(embed.stdout.toString()).toMatch(/coded\.png: 96×64, 0\.50 s of audio/);
    const cap = await stegavox(['capacity', '--image', '-', '--json'], coverBytes);
    expect(JSON.parse(cap.stdout.toString())).toMatchObject({ width: 96, height: 64, samples: 18432 });
  });

  it('two inputs cannot both be stdin (usage, exit 2)', async () => {
    const run = await stegavox(['embed', '--image', '-', '--audio', '-', '--out', p('two.png')]);
    expect(run.code).toBe(2);
    expect(run.stderr.split('\n')[0]).toMatch(/^stegavox embed: only one of --image, --audio can be "-"/);
  });
});

describe('no silent overwrite, no half-written output', () => {
  it('an existing --out is refused in one line (exit 1) and left alone; --force replaces it', async () => {
    await writeFile(p('taken.png'), 'keep me');
    const args = ['embed', '--image', p('cover.png'), '--audio', p('clip.wav'), '--out', p('taken.png')];
    const refused = await stegavox([...args, '--weights', weights]);
    expect(refused.code).toBe(1);
    expect(refused.stderr.trimEnd().split('\n')).toEqual([
      `stegavox embed: ${p('taken.png')} already exists (add --force to overwrite it)`,
    ]);
    expect(await readFile(p('taken.png'), 'utf8')).toBe('keep me');
    const forced = await stegavox([...args, '--weights', weights, '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    expect((await decodeImage(new Uint8Array(await readFile(p('taken.png'))))).width).toBe(96);
    // reveal too.
    await writeFile(p('taken.wav'), 'keep me');
    const reveal = await stegavox(['reveal', '--image', p('taken.png'), '--out', p('taken.wav'), '--weights', weights]);
    expect(reveal.code).toBe(1);
    expect(reveal.stderr).toMatch(/taken\.wav already exists/);
    expect(await readFile(p('taken.wav'), 'utf8')).toBe('keep me');
  });

  it('a failed run leaves neither the output nor a temporary file behind', async () => {
    const run = await stegavox(['reveal', '--image', p('cover.png'), '--out', p('nothing.wav'), '--weights', weights]);
    expect(run.code).toBe(1);
    expect(existsSync(p('nothing.wav'))).toBe(false);
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});

describe('stegavox info', () => {
  let neural: Uint8Array;

  beforeAll(async () => {
    const run = await stegavox([
      'embed',
      '--image',
      p('cover.png'),
      '--audio',
      p('clip.wav'),
      '--out',
      p('neural.png'),
      '--weights',
      weights,
    ]);
    expect(run.code, run.stderr).toBe(0);
    neural = new Uint8Array(await readFile(p('neural.png')));
    const keyed = await stegavox([
      'embed',
      '--image',
      p('cover.png'),
      '--audio',
      p('clip.wav'),
      '--out',
      p('keyed.png'),
      '--scheme',
      'coded',
      '--key',
      's3cret',
    ]);
    expect(keyed.code, keyed.stderr).toBe(0);
  });

  it('a keyless neural container: scheme, seconds, sealed header, no key, the model, size, spread rate', async () => {
    const run = await stegavox(['info', p('neural.png')]);
    expect(run.code, run.stderr).toBe(0);
    const text = run.stdout.toString();
    expect(text).toMatch(/neural\.png: neural scheme, 0\.50 s \(4000 samples at 8000 Hz\)/);
    expect(text).toMatch(/image: +96×64\n/);
    expect(text).toMatch(/header: +sealed, opened without a key/);
    expect(text).toMatch(/key: +not needed/);
    expect(text).toMatch(/model: +needed/);
    expect(text).toMatch(/spread: +/);
    const json = await stegavox(['info', '--json', p('neural.png')]);
    const info = JSON.parse(json.stdout.toString()) as ContainerInfo;
    expect(info).toMatchObject({
      scheme: 'neural',
      seconds: 0.5,
      samples: 4000,
      width: 96,
      height: 64,
      keyNeeded: false,
      frame: 'sealed',
      opened: 'keyless',
      modelNeeded: true,
    });
    expect(info.spreadRate).toBeGreaterThanOrEqual(8000);
    // From stdin too.
    const piped = await stegavox(['info', '--json', '--image', '-'], neural);
    expect(JSON.parse(piped.stdout.toString())).toMatchObject({ scheme: 'neural', file: '-' });
  });

  it('a keyed coded container: nothing found without the key (exit 1), opened with it; no model needed', async () => {
    const none = await stegavox(['info', p('keyed.png')]);
    expect(none.code).toBe(1);
    expect(none.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(none.stderr).toMatch(/^stegavox info: nothing found/);
    const wrong = await stegavox(['info', p('keyed.png'), '--key', 'S3cret']);
    expect(wrong.code).toBe(1);
    const right = await stegavox(['info', p('keyed.png'), '--key', 's3cret', '--json']);
    expect(right.code, right.stderr).toBe(0);
    expect(JSON.parse(right.stdout.toString())).toMatchObject({
      scheme: 'coded',
      keyNeeded: true,
      frame: 'sealed',
      opened: 'key',
      modelNeeded: false,
    });
    expect(JSON.parse(right.stdout.toString())).not.toHaveProperty('spreadRate');
    // A keyless container opens with any key given (the key is tried first, then keyless).
    const keyless = await stegavox(['info', p('neural.png'), '--key', 'whatever', '--json']);
    expect(JSON.parse(keyless.stdout.toString())).toMatchObject({ opened: 'keyless', keyNeeded: false });
  });

  it('a legacy header in the clear: its version', async () => {
    const image = await decodeImage(neural);
    const header = await readPayloadHeader(image.data, undefined);
    writeHeaderBits(image.data, header); // the same header, written the pre-sealing way
    await writeFile(p('legacy.png'), encodePng(image));
    const run = await stegavox(['info', p('legacy.png')]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.toString()).toMatch(/header: +legacy version 3, in the clear/);
    const json = JSON.parse((await stegavox(['info', '--json', p('legacy.png')])).stdout.toString()) as ContainerInfo;
    expect(json).toMatchObject({ frame: 'legacy', opened: 'clear', headerVersion: 3, scheme: 'neural' });
  });

  it('an empty photo: "nothing found", exit 1; no file given: usage, exit 2', async () => {
    const run = await stegavox(['info', p('cover.png')]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^stegavox info: nothing found: this photo holds no stegavox audio/);
    const usage = await stegavox(['info']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/usage: stegavox info /);
  });
});

describe('--data DIR', () => {
  it('eval reads DIR/kodak24 and the FSDD test recordings (index 0–4) under DIR/fsdd/recordings', async () => {
    const data = p('data');
    await mkdir(path.join(data, 'kodak24'), { recursive: true });
    await mkdir(path.join(data, 'fsdd', 'recordings'), { recursive: true });
    await writeFile(path.join(data, 'kodak24', 'k1.png'), coverBytes);
    await writeFile(path.join(data, 'fsdd', 'recordings', '1_ana_0.wav'), clipBytes);
    // A training recording (index 5) must not be used for evaluation: a broken file proves it is never read.
    await writeFile(path.join(data, 'fsdd', 'recordings', '1_ana_5.wav'), 'not audio');
    const run = await stegavox([
      'eval',
      '--data',
      data,
      '--weights',
      weights,
      '--scheme',
      'coded',
      '--density',
      '0.1',
      '--out',
      p('eval-out'),
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.toString()).toMatch(/on 1 images \(.*kodak24\)/);
    expect(run.stdout.toString()).toMatch(/^k1\.png: /m);
  });

  it('train with a data folder that lacks the sets: one line naming the folder and `stegavox data`', async () => {
    const run = await stegavox(['train', '--data', p('empty-data'), '--steps', '1']);
    expect(run.code).toBe(1);
    expect(run.stderr.trimEnd().split('\n').at(-1)).toMatch(
      /^stegavox train: Data folder .*empty-data\/bsds500 does not exist: fetch the sets with `npx stegavox data`/,
    );
  });
});
