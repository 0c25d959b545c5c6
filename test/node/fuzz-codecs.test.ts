// Property-based fuzzing of the image and WAV decoders: any input either decodes to a well-formed result or throws a StegError.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import jpeg from 'jpeg-js';
import wavefile from 'wavefile';
import { describe, expect, it } from 'vitest';
import { decodeImage, encodePng, sniffImage } from '../../src/formats/image.js';
import { decodeWav, sniffWav } from '../../src/formats/wav.js';
import { crc32 } from '../../src/container/crc32.js';
import { isStegError, type StegErrorCode } from '../../src/util/errors.js';
import { pattern } from '../fixtures/pattern.js';
import { writePng } from '../fixtures/png-writer.js';

/** Generous enough that mutated headers still reach the decoders, small enough that each case stays cheap. */
const MAX_PIXELS = 1 << 18;
const MAX_FRAMES = 1 << 20;
const IMAGE_CODES: StegErrorCode[] = ['bad_image', 'unsupported_media_type', 'too_large'];
const AUDIO_CODES: StegErrorCode[] = ['bad_audio', 'unsupported_media_type', 'too_large'];

/** FUZZ_SCALE=20 multiplies every run count, for a longer campaign by hand; CI runs the default (scale 1). */
const SCALE = Math.max(1, Number(process.env.FUZZ_SCALE ?? 1) || 1);
const runs = (n: number) => Math.round(n * SCALE);

let cases = 0;
const outcomes = new Map<string, number>();
const count = (what: string) => outcomes.set(what, (outcomes.get(what) ?? 0) + 1);

/** Runs `fn`; a StegError with an allowed code is fine, anything else thrown fails the property. */
async function guarded<T>(fn: () => T | Promise<T>, allowed: StegErrorCode[], label: string): Promise<T | null> {
  try {
    const r = await fn();
    count(`${label}:ok`);
    return r;
  } catch (e) {
    if (!isStegError(e)) throw new Error(`${label} threw a non-StegError: ${String(e)}`, { cause: e });
    if (!allowed.includes(e.code)) throw new Error(`${label} threw unexpected code ${e.code}: ${e.message}`);
    count(`${label}:${e.code}`);
    return null;
  }
}

async function checkImage(bytes: Uint8Array): Promise<void> {
  cases++;
  const s = await guarded(() => sniffImage(bytes), IMAGE_CODES, 'sniffImage');
  if (s) expect(s.width > 0 && s.height > 0 && (s.format === 'png' || s.format === 'jpeg')).toBe(true);
  const img = await guarded(() => decodeImage(bytes, { maxPixels: MAX_PIXELS }), IMAGE_CODES, 'decodeImage');
  if (img) {
    expect(img.data).toBeInstanceOf(Uint8Array);
    expect(img.data.length).toBe(img.width * img.height * 3);
    expect(img.width * img.height).toBeLessThanOrEqual(MAX_PIXELS);
  }
  // The top rows only (as reveal asks): well-formed or a StegError, and whenever the whole image decodes, exactly
  // its top rows (a cut decode reads less, so it may succeed where the whole fails, never the other way round).
  const maxRows = 1 + (bytes.length % 9);
  const top = await guarded(
    () => decodeImage(bytes, { maxPixels: MAX_PIXELS, maxRows }),
    IMAGE_CODES,
    'decodeImage(maxRows)',
  );
  if (top) {
    expect(top.height).toBeLessThanOrEqual(maxRows);
    expect(top.data.length).toBe(top.width * top.height * 3);
  }
  if (img) {
    expect(top).not.toBeNull();
    expect(top!.height).toBe(Math.min(maxRows, img.height));
    expect(Buffer.from(top!.data).equals(Buffer.from(img.data.subarray(0, top!.data.length)))).toBe(true);
  }
}

async function checkWav(bytes: Uint8Array): Promise<void> {
  cases++;
  const info = await guarded(() => sniffWav(bytes), AUDIO_CODES, 'sniffWav');
  if (info) {
    expect(info.frames).toBeGreaterThan(0);
    expect(info.dataOffset + info.dataBytes).toBeLessThanOrEqual(bytes.length);
  }
  const out = await guarded(() => decodeWav(bytes, { maxFrames: MAX_FRAMES }), AUDIO_CODES, 'decodeWav');
  if (out) {
    expect(out.samples.length).toBe(info!.frames);
    for (const v of out.samples) if (!(v >= -1 && v <= 1)) throw new Error(`sample ${v} outside [-1, 1]`);
  }
}

type Mutation =
  | { kind: 'set'; at: number; value: number }
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'delete'; at: number; length: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    kind: fc.constant('set' as const),
    at: fc.nat(),
    value: fc
      .constantFrom(0, 1, 0x7f, 0x80, 0xfe, 0xff)
      .chain((v) => fc.oneof(fc.constant(v), fc.integer({ min: 0, max: 255 }))),
  }),
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }),
  }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 16 }) }),
);

function mutate(seed: Uint8Array, mutations: Mutation[]): Uint8Array {
  let b = seed.slice();
  for (const m of mutations) {
    const at = b.length === 0 ? 0 : m.at % b.length;
    switch (m.kind) {
      case 'set':
        if (b.length) b[at] = m.value;
        break;
      case 'flip':
        if (b.length) b[at]! ^= 1 << m.bit;
        break;
      case 'truncate':
        b = b.slice(0, at);
        break;
      case 'insert': {
        const n = new Uint8Array(b.length + m.bytes.length);
        n.set(b.subarray(0, at));
        n.set(m.bytes, at);
        n.set(b.subarray(at), at + m.bytes.length);
        b = n;
        break;
      }
      case 'delete':
        b = Uint8Array.from([...b.subarray(0, at), ...b.subarray(at + m.length)]);
        break;
    }
  }
  return b;
}

/** Recomputes every PNG chunk CRC that lies inside the file, so mutations get past the checksum to inflate and unfilter. */
function fixPngCrcs(b: Uint8Array): Uint8Array {
  const out = b.slice();
  const dv = new DataView(out.buffer);
  let off = 8;
  while (off + 12 <= out.length) {
    const len = dv.getUint32(off);
    if (off + 12 + len > out.length) break;
    dv.setUint32(off + 8 + len, crc32(out.subarray(off + 4, off + 8 + len)));
    off += 12 + len;
  }
  return out;
}

const fixture = (name: string) =>
  new Uint8Array(readFileSync(fileURLToPath(new URL(`../fixtures/jpeg/${name}`, import.meta.url))));

function pngSeeds(): Uint8Array[] {
  const pic = pattern(24, 17);
  const grey16 = Array.from({ length: 11 * 7 }, (_, i) => (i * 4099) & 0xffff);
  const idx4 = Array.from({ length: 13 * 9 }, (_, i) => (i * 7) % 16);
  const rgba = Array.from({ length: 9 * 10 * 4 }, (_, i) => (i * 31) & 255);
  return [
    encodePng({ width: 24, height: 17, data: pic }),
    writePng({ width: 11, height: 7, colorType: 0, bitDepth: 16, samples: grey16, filter: 'cycle' }),
    writePng({
      width: 13,
      height: 9,
      colorType: 3,
      bitDepth: 4,
      samples: idx4,
      interlace: true,
      filter: 'cycle',
      palette: Array.from({ length: 48 }, (_, i) => i * 5),
    }),
    writePng({
      width: 9,
      height: 10,
      colorType: 6,
      bitDepth: 8,
      samples: rgba,
      interlace: true,
      filter: 'cycle',
      idatSize: 40,
    }),
  ];
}

function jpegSeeds(): Uint8Array[] {
  const pic = pattern(24, 17);
  const rgba = new Uint8Array(24 * 17 * 4);
  for (let i = 0; i < 24 * 17; i++) rgba.set([pic[i * 3]!, pic[i * 3 + 1]!, pic[i * 3 + 2]!, 255], i * 4);
  return [
    new Uint8Array(jpeg.encode({ width: 24, height: 17, data: rgba }, 80).data),
    fixture('progressive-420.jpg'),
    fixture('baseline-420-restart.jpg'),
    fixture('grey.jpg'),
  ];
}

function wavSeeds(): Uint8Array[] {
  const make = (channels: number[][], rate: number, depth: string) => {
    const w = new wavefile.WaveFile();
    w.fromScratch(channels.length, rate, depth, channels.length === 1 ? channels[0]! : channels);
    return new Uint8Array(w.toBuffer());
  };
  const ramp = (n: number, scale: number) => Array.from({ length: n }, (_, i) => Math.round(scale * Math.sin(i / 3)));
  return [
    make([ramp(40, 30000)], 8000, '16'),
    make([ramp(30, 0.9).map((v) => v * 0.5), ramp(30, 0.4)], 44100, '32f'),
    make([ramp(20, 8000000), ramp(20, 100), ramp(20, -5)], 48000, '24'),
    make([ramp(25, 100).map((v) => v + 128)], 22050, '8'),
  ];
}

describe('decoder fuzzing (fast-check)', () => {
  it('arbitrary bytes: sniff/decode of images and WAV return well-formed results or throw a StegError', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), async (bytes) => {
        await checkImage(bytes);
        await checkWav(bytes);
      }),
      { numRuns: runs(3000) },
    );
  });

  it('arbitrary bytes behind a valid signature reach the format parsers', async () => {
    const heads = [
      Uint8Array.from([137, 80, 78, 71, 13, 10, 26, 10]),
      Uint8Array.from([0xff, 0xd8, 0xff]),
      Uint8Array.from([0x52, 0x49, 0x46, 0x46, 0x24, 0, 0, 0, 0x57, 0x41, 0x56, 0x45]),
    ];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...heads), fc.uint8Array({ maxLength: 300 }), async (head, tail) => {
        const bytes = new Uint8Array(head.length + tail.length);
        bytes.set(head);
        bytes.set(tail, head.length);
        await checkImage(bytes);
        await checkWav(bytes);
      }),
      { numRuns: runs(3000) },
    );
  });

  it('mutated PNGs (flips, sets, truncations, insertions, deletions; half with CRCs repaired)', async () => {
    const seeds = pngSeeds();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...seeds),
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        fc.boolean(),
        async (seed, ms, fix) => {
          const m = mutate(seed, ms);
          await checkImage(fix ? fixPngCrcs(m) : m);
        },
      ),
      { numRuns: runs(8000) },
    );
  });

  it('mutated JPEGs (baseline, progressive, restart markers, grey)', async () => {
    const seeds = jpegSeeds();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...seeds),
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        async (seed, ms) => {
          await checkImage(mutate(seed, ms));
        },
      ),
      { numRuns: runs(6000) },
    );
  });

  it('mutated WAVs (16-bit, float stereo, 24-bit 3-channel, 8-bit)', async () => {
    const seeds = wavSeeds();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...seeds),
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        async (seed, ms) => {
          await checkWav(mutate(seed, ms));
        },
      ),
      { numRuns: runs(6000) },
    );
  });

  it('ran at least 10,000 decoder cases (32,000 at scale 1), and the mutations reached both success and failure paths', () => {
    // Runs after the properties above (vitest keeps order within a file).
    expect(cases).toBeGreaterThanOrEqual(10_000);
    for (const key of [
      'decodeImage:ok',
      'decodeImage:bad_image',
      'decodeWav:ok',
      'decodeWav:bad_audio',
      'sniffImage:unsupported_media_type',
    ]) {
      expect(outcomes.get(key) ?? 0, key).toBeGreaterThan(0);
    }
  });
});
