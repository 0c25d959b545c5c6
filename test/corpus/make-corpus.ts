/**
 * Regenerates the hostile-input corpus (test/corpus/**) and its expectations (expected.json) from the shared codecs
 * and synthetic signals; nothing comes from a third party. Run: npx tsx test/corpus/make-corpus.ts
 *
 * The expected status and problem code of every case are written here by hand from the API's contract
 * (src/util/errors.ts, worker/http/multipart.ts, the codecs' documented refusals), never by running the service.
 * The reveal containers are made with the test-only transparent weights (test/worker/transparent-weights.ts), which
 * the corpus test serves too, so their positive controls do not depend on the state of the trained weights. Rerun
 * this after a change to the layout, the payload header or the transparent weights' mapping.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { zlibSync } from 'fflate';
import jpeg from 'jpeg-js';
import { crc32 } from '../../src/container/crc32.js';
import { decodeImage, encodePng, type RgbImage } from '../../src/formats/image.js';
import { encodeWav16 } from '../../src/formats/wav.js';
import { HEADER_VALUES } from '../../src/container/header.js';
import { embedAudio } from '../../src/pipeline/index.js';
import { disposeModel, loadWeights } from '../../src/schemes/neural/weights-format.js';
import { initBackend } from '../../src/node/backend.js';
import { chunk, concat, SIGNATURE, writePng } from '../fixtures/png-writer.js';
import { makePng, makeSamples, prng } from '../worker/fixtures.js';
import { transparentWeights } from '../worker/transparent-weights.js';
import type { CorpusCase, CorpusExpect, CorpusFile } from './types.js';

const HERE = dirname(fileURLToPath(import.meta.url));

// ---------------------------------------------------------------------------------------------------------------
// Byte builders

const enc = (s: string) => new TextEncoder().encode(s);

/** A WAV file from raw parts: any fmt fields, any data bytes, an optional lying data size. */
function wav(
  fmt: { format: number; channels: number; rate: number; bits: number; blockAlign?: number },
  data: Uint8Array,
  dataSize = data.length,
): Uint8Array {
  const blockAlign = fmt.blockAlign ?? (fmt.channels * fmt.bits) / 8;
  const out = new Uint8Array(44 + data.length);
  const view = new DataView(out.buffer);
  out.set(enc('RIFF'), 0);
  view.setUint32(4, Math.min(0xffffffff, 36 + dataSize), true);
  out.set(enc('WAVEfmt '), 8);
  view.setUint32(16, 16, true);
  view.setUint16(20, fmt.format, true);
  view.setUint16(22, fmt.channels, true);
  view.setUint32(24, fmt.rate, true);
  view.setUint32(28, fmt.rate * blockAlign, true);
  view.setUint16(32, blockAlign, true);
  view.setUint16(34, fmt.bits, true);
  out.set(enc('data'), 36);
  view.setUint32(40, dataSize, true);
  out.set(data, 44);
  return out;
}

/** Interleaved samples of `channels` slightly different voices, as little-endian bytes of the given encoding. */
function samples(
  seconds: number,
  rate: number,
  channels: number,
  kind: 'pcm8' | 'pcm16' | 'pcm24' | 'float32',
): Uint8Array {
  const voices = Array.from({ length: channels }, (_, c) => makeSamples(seconds, rate, 40 + c));
  const frames = voices[0]!.length;
  const width = { pcm8: 1, pcm16: 2, pcm24: 3, float32: 4 }[kind];
  const out = new Uint8Array(frames * channels * width);
  const view = new DataView(out.buffer);
  for (let f = 0; f < frames; f++)
    for (let c = 0; c < channels; c++) {
      const v = voices[c]![f]!;
      const at = (f * channels + c) * width;
      if (kind === 'pcm8') out[at] = Math.round(128 + v * 127);
      else if (kind === 'pcm16') view.setInt16(at, Math.round(v * 32767), true);
      else if (kind === 'pcm24') {
        const i = Math.round(v * 8388607);
        out[at] = i & 255;
        out[at + 1] = (i >> 8) & 255;
        out[at + 2] = (i >> 16) & 255;
      } else view.setFloat32(at, v, true);
    }
  return out;
}

/** 32-bit float mono samples with one bad value in the middle. */
function floatWithBadSample(value: number): Uint8Array {
  const data = samples(0.25, 8000, 1, 'float32');
  new DataView(data.buffer).setFloat32(4 * 1000, value, true);
  return wav({ format: 3, channels: 1, rate: 8000, bits: 32 }, data);
}

/** A WAVE_FORMAT_EXTENSIBLE 16-bit PCM stereo file (the format many recorders write). */
function wavExtensible(): Uint8Array {
  const data = samples(0.25, 16000, 2, 'pcm16');
  const fmt = new Uint8Array(40);
  const v = new DataView(fmt.buffer);
  v.setUint16(0, 0xfffe, true);
  v.setUint16(2, 2, true);
  v.setUint32(4, 16000, true);
  v.setUint32(8, 16000 * 4, true);
  v.setUint16(12, 4, true);
  v.setUint16(14, 16, true);
  v.setUint16(16, 22, true); // cbSize
  v.setUint16(18, 16, true); // valid bits
  v.setUint32(20, 3, true); // channel mask: front left and right
  fmt.set([0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71], 24); // KSDATAFORMAT_SUBTYPE_PCM
  const header = new Uint8Array(12);
  header.set(enc('RIFF'), 0);
  new DataView(header.buffer).setUint32(4, 4 + 8 + 40 + 8 + data.length, true);
  header.set(enc('WAVE'), 8);
  return concat([header, riffChunk('fmt ', fmt), riffChunk('data', data)]);
}

function riffChunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + data.length + (data.length & 1));
  out.set(enc(type), 0);
  new DataView(out.buffer).setUint32(4, data.length, true);
  out.set(data, 8);
  return out;
}

/** The bytes of an MP3 file's start: an ID3v2 tag, then MPEG-1 Layer III frame headers with (silent) frame bodies. */
function mp3(withTag: boolean): Uint8Array {
  const frame = new Uint8Array(417); // 128 kbit/s, 44.1 kHz, no padding
  frame.set([0xff, 0xfb, 0x90, 0x64]);
  const frames = concat([frame, frame, frame]);
  if (!withTag) return frames;
  const tag = new Uint8Array(10 + 20);
  tag.set(enc('ID3'), 0);
  tag.set([4, 0, 0, 0, 0, 0, 20], 3);
  tag.set(enc('TIT2'), 10);
  tag.set([0, 0, 0, 10, 0, 0, 3], 14);
  tag.set(enc('stegavox'), 21);
  return concat([tag, frames]);
}

/** The first page of an Ogg Vorbis stream (identification header). */
function ogg(): Uint8Array {
  const packet = concat([
    new Uint8Array([1]),
    enc('vorbis'),
    new Uint8Array([0, 0, 0, 0, 1, 0x44, 0xac, 0, 0, 0, 0, 0, 0, 0xee, 2, 0, 0, 0, 0, 0, 0xb8, 1]),
  ]);
  const header = concat([
    enc('OggS'),
    new Uint8Array([0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0x53, 0x56, 0x58, 0x21, 0, 0, 0, 0, 0, 0, 0, 0, 1, packet.length]),
  ]);
  return concat([header, packet]);
}

/** A PNG of the given IHDR fields and one IDAT of `idat` (valid CRCs throughout). */
function pngRaw(width: number, height: number, depth: number, colorType: number, idat: Uint8Array): Uint8Array {
  const ihdr = new Uint8Array(13);
  const v = new DataView(ihdr.buffer);
  v.setUint32(0, width);
  v.setUint32(4, height);
  ihdr.set([depth, colorType, 0, 0, 0], 8);
  return concat([SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', idat), chunk('IEND', new Uint8Array(0))]);
}

/** Offset of the first chunk of `type` in a PNG. */
function findChunk(png: Uint8Array, type: string): { at: number; length: number } {
  let off = 8;
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  while (off + 8 <= png.length) {
    const length = view.getUint32(off);
    if (String.fromCharCode(...png.subarray(off + 4, off + 8)) === type) return { at: off, length };
    off += 12 + length;
  }
  throw new Error(`no ${type} chunk`);
}

/** A JPEG as jpeg-js writes it (baseline, 4:2:0 Huffman). */
function jpegOf(img: RgbImage, quality: number): Uint8Array {
  const rgba = new Uint8Array(img.width * img.height * 4);
  for (let i = 0; i < img.width * img.height; i++) {
    rgba.set(img.data.subarray(3 * i, 3 * i + 3), 4 * i);
    rgba[4 * i + 3] = 255;
  }
  return new Uint8Array(jpeg.encode({ width: img.width, height: img.height, data: rgba }, quality).data);
}

/** Offset of the first JPEG marker 0xFF`marker`. */
function findMarker(bytes: Uint8Array, marker: number): number {
  for (let i = 2; i + 1 < bytes.length; i++) if (bytes[i] === 0xff && bytes[i + 1] === marker) return i;
  throw new Error(`no marker FF${marker.toString(16)}`);
}

/** A JPEG whose frame header (SOF0) claims `width`×`height`, and nothing after it but EOI. */
function jpegSofOnly(width: number, height: number): Uint8Array {
  const sof = [
    0xff,
    0xc0,
    0,
    17,
    8,
    height >> 8,
    height & 255,
    width >> 8,
    width & 255,
    3,
    1,
    0x22,
    0,
    2,
    0x11,
    1,
    3,
    0x11,
    1,
  ];
  return new Uint8Array([0xff, 0xd8, ...sof, 0xff, 0xd9]);
}

/** The RGB of an image with every value mapped through `f(value, index)`. */
function mapRgb(img: RgbImage, f: (v: number, i: number) => number): RgbImage {
  return { ...img, data: img.data.map((v, i) => f(v, i)) };
}

/** Crops interleaved RGB to the given size from the top-left corner. */
function crop(img: RgbImage, width: number, height: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++)
    data.set(img.data.subarray(y * img.width * 3, (y * img.width + width) * 3), y * width * 3);
  return { width, height, data };
}

/** Halves both sides by averaging 2×2 blocks (what a "resize to 50 %" does). */
function halve(img: RgbImage): RgbImage {
  const width = img.width >> 1;
  const height = img.height >> 1;
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++)
      for (let c = 0; c < 3; c++) {
        const at = (dy: number, dx: number) => img.data[((2 * y + dy) * img.width + 2 * x + dx) * 3 + c]!;
        data[(y * width + x) * 3 + c] = Math.round((at(0, 0) + at(0, 1) + at(1, 0) + at(1, 1)) / 4);
      }
  return { width, height, data };
}

/** A PNG of `img` written by the independent test writer in another colour type / depth (values unchanged). */
function pngAs(img: RgbImage, colorType: 2 | 6, bitDepth: 8 | 16): Uint8Array {
  const ch = colorType === 6 ? 4 : 3;
  const values = new Uint16Array(img.width * img.height * ch);
  for (let i = 0; i < img.width * img.height; i++)
    for (let c = 0; c < ch; c++) {
      const v = c < 3 ? img.data[3 * i + c]! : 255;
      values[i * ch + c] = bitDepth === 16 ? v * 257 : v;
    }
  return writePng({ width: img.width, height: img.height, colorType, bitDepth, samples: values, filter: 'cycle' });
}

// ---------------------------------------------------------------------------------------------------------------
// The corpus

const files = new Map<string, Uint8Array>();
const cases: CorpusCase[] = [];

function file(path: string, bytes: Uint8Array): string {
  files.set(path, bytes);
  return path;
}

function add(
  name: string,
  route: CorpusCase['route'],
  fields: Record<string, CorpusFile | string>,
  expect: CorpusExpect,
  extra: Partial<CorpusCase> = {},
): void {
  const fileFields: Record<string, string> = {};
  const textFields: Record<string, string> = {};
  for (const [k, v] of Object.entries(fields)) {
    if (typeof v === 'string') textFields[k] = v;
    else fileFields[k] = v.file;
  }
  cases.push({
    name,
    route,
    ...(Object.keys(fileFields).length ? { files: fileFields } : {}),
    ...(Object.keys(textFields).length ? { texts: textFields } : {}),
    ...extra,
    expect,
  });
}

const f = (path: string): CorpusFile => ({ file: path });
const ok = (seconds: number, size?: [number, number]): CorpusExpect => ({
  status: 200,
  seconds,
  ...(size ? { size } : {}),
});
const problem = (status: number, code: string): CorpusExpect => ({ status, code });

async function main(): Promise<void> {
  // Sources: a 64×64 photo-like picture (4 tiles: 1.536 s) and a 0.5 s voice-like clip at 8 kHz.
  const photo = await decodeImage(makePng(64, 64, 51));
  const rgbPng = file('image/rgb-8bit.png', encodePng(photo));
  const voice = file('audio/voice-8k-0.5s.wav', encodeWav16(makeSamples(0.5, 8000, 52), 8000));
  const short = file('audio/voice-8k-0.25s.wav', encodeWav16(makeSamples(0.25, 8000, 53), 8000));
  const tooLong = file('audio/voice-8k-2s.wav', encodeWav16(makeSamples(2, 8000, 54), 8000));
  const image = f(rgbPng);
  const audio = f(voice);

  // --- Legitimate odd images: must embed (200, container the size of the cover).
  const grey = photo.data.filter((_, i) => i % 3 === 1);
  const add200 = (name: string, path: string, bytes: Uint8Array, size: [number, number], clip = voice, seconds = 0.5) =>
    add(name, '/api/embed', { image: f(file(path, bytes)), audio: f(clip) }, ok(seconds, size));
  add('baseline: 8-bit RGB PNG', '/api/embed', { image, audio }, ok(0.5, [64, 64]));
  add200(
    '8-bit grey PNG',
    'image/grey-8bit.png',
    writePng({ width: 64, height: 64, colorType: 0, bitDepth: 8, samples: grey, filter: 'cycle' }),
    [64, 64],
  );
  add200(
    '16-bit grey PNG, interlaced',
    'image/grey-16bit-interlaced.png',
    writePng({
      width: 64,
      height: 64,
      colorType: 0,
      bitDepth: 16,
      samples: Array.from(grey, (v) => v * 257),
      interlace: true,
    }),
    [64, 64],
  );
  add200('8-bit RGBA PNG', 'image/rgba-8bit.png', pngAs(photo, 6, 8), [64, 64]);
  add200('16-bit RGB PNG', 'image/rgb-16bit.png', pngAs(photo, 2, 16), [64, 64]);
  add200(
    'interlaced (Adam7) 8-bit RGB PNG',
    'image/rgb-8bit-interlaced.png',
    writePng({
      width: 64,
      height: 64,
      colorType: 2,
      bitDepth: 8,
      samples: photo.data,
      interlace: true,
      filter: 'cycle',
    }),
    [64, 64],
  );
  {
    const palette = [0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255, 128, 128, 128, 255, 200, 0, 20, 90, 160];
    const indexes = Array.from({ length: 64 * 64 }, (_, i) => (((i % 64) >> 3) + (i >> 9)) % 8);
    add200(
      '4-bit palette PNG',
      'image/palette-4bit.png',
      writePng({ width: 64, height: 64, colorType: 3, bitDepth: 4, samples: indexes, palette }),
      [64, 64],
    );
  }
  add200(
    'odd size 67×41 RGB PNG (border pixels outside the tiles)',
    'image/rgb-67x41.png',
    encodePng(crop(await decodeImage(makePng(70, 45, 55)), 67, 41)),
    [67, 41],
    short,
    0.25,
  );
  add200('baseline JPEG (4:2:0)', 'image/baseline.jpg', jpegOf(photo, 90), [64, 64]);
  add(
    'progressive JPEG 50×37 (4:2:0)',
    '/api/embed',
    { image: f('../fixtures/jpeg/progressive-420.jpg'), audio: f(short) },
    ok(0.25, [50, 37]),
  );
  add(
    'greyscale JPEG 50×37',
    '/api/embed',
    { image: f('../fixtures/jpeg/grey.jpg'), audio: f(short) },
    ok(0.25, [50, 37]),
  );

  // --- Legitimate odd audio: must embed.
  const addWav200 = (name: string, path: string, bytes: Uint8Array, seconds: number) =>
    add(name, '/api/embed', { image, audio: f(file(path, bytes)) }, ok(seconds, [64, 64]));
  addWav200(
    'stereo 44.1 kHz 32-bit float WAV',
    'audio/stereo-44k1-float32.wav',
    wav({ format: 3, channels: 2, rate: 44100, bits: 32 }, samples(0.1, 44100, 2, 'float32')),
    0.1,
  );
  addWav200(
    '3-channel 16 kHz 16-bit WAV (mixed down)',
    'audio/3ch-16k-pcm16.wav',
    wav({ format: 1, channels: 3, rate: 16000, bits: 16 }, samples(0.25, 16000, 3, 'pcm16')),
    0.25,
  );
  addWav200(
    '8-bit unsigned 11.025 kHz WAV',
    'audio/mono-11k025-pcm8.wav',
    wav({ format: 1, channels: 1, rate: 11025, bits: 8 }, samples(0.4, 11025, 1, 'pcm8')),
    0.4,
  );
  addWav200(
    '24-bit 48 kHz WAV',
    'audio/mono-48k-pcm24.wav',
    wav({ format: 1, channels: 1, rate: 48000, bits: 24 }, samples(0.1, 48000, 1, 'pcm24')),
    0.1,
  );
  addWav200('WAVE_FORMAT_EXTENSIBLE 16-bit stereo 16 kHz', 'audio/extensible-16k-stereo.wav', wavExtensible(), 0.25);
  addWav200(
    'streaming WAV whose sizes say 4 GB (0xFFFFFFFF; clamped to the bytes present)',
    'audio/size-4gb-streaming.wav',
    wav({ format: 1, channels: 1, rate: 8000, bits: 16 }, samples(0.5, 8000, 1, 'pcm16'), 0xffffffff),
    0.5,
  );
  {
    const loud = samples(0.25, 8000, 1, 'float32');
    const view = new DataView(loud.buffer);
    for (let i = 0; i < loud.length / 4; i++) view.setFloat32(4 * i, view.getFloat32(4 * i, true) * 6, true);
    addWav200(
      'float WAV with samples beyond ±1 (clipped)',
      'audio/float32-over-full-scale.wav',
      wav({ format: 3, channels: 1, rate: 8000, bits: 32 }, loud),
      0.25,
    );
  }
  add('with a key (Unicode)', '/api/embed', { image, audio, key: 'clé secrète 🔑' }, ok(0.5, [64, 64]));

  // --- Broken images → 400 bad_image (or 413 for a lying size, 415 for other formats).
  const addImage = (name: string, path: string, bytes: Uint8Array, expect: CorpusExpect) =>
    add(name, '/api/embed', { image: f(file(path, bytes)), audio }, expect);
  const rgbBytes = files.get(rgbPng)!;
  const idat = findChunk(rgbBytes, 'IDAT');
  {
    const bytes = rgbBytes.slice();
    bytes[idat.at + 8 + (idat.length >> 1)]! ^= 0x10;
    addImage(
      'PNG with a flipped bit in IDAT (CRC mismatch)',
      'image/bad/png-bad-crc.png',
      bytes,
      problem(400, 'bad_image'),
    );
  }
  {
    const garbage = new Uint8Array(idat.length);
    const rand = prng(56);
    for (let i = 0; i < garbage.length; i++) garbage[i] = Math.floor(rand() * 256);
    garbage.set([0x78, 0x9c]); // a valid zlib header in front of the garbage
    addImage(
      'PNG whose IDAT is not a deflate stream (valid CRCs)',
      'image/bad/png-broken-zlib.png',
      pngRaw(64, 64, 8, 2, garbage),
      problem(400, 'bad_image'),
    );
  }
  // A complete, valid zlib stream that inflates to 32 of the 64 rows the header promises.
  addImage(
    'PNG whose image data inflates to half the rows',
    'image/bad/png-short-data.png',
    pngRaw(64, 64, 8, 2, zlibSync(new Uint8Array(32 * (1 + 64 * 3)))),
    problem(400, 'bad_image'),
  );
  addImage(
    'PNG cut off in the middle of IDAT',
    'image/bad/png-truncated-idat.png',
    rgbBytes.slice(0, idat.at + 8 + (idat.length >> 1)),
    problem(400, 'bad_image'),
  );
  addImage(
    'PNG cut off inside IHDR (20 bytes)',
    'image/bad/png-truncated-ihdr.png',
    rgbBytes.slice(0, 20),
    problem(400, 'bad_image'),
  );
  addImage('PNG signature only', 'image/bad/png-signature-only.png', SIGNATURE.slice(), problem(400, 'bad_image'));
  addImage(
    'PNG signature cut to 5 bytes',
    'image/bad/png-5-bytes.png',
    SIGNATURE.slice(0, 5),
    problem(400, 'bad_image'),
  );
  addImage(
    'PNG with colour type 5 (does not exist)',
    'image/bad/png-bad-colour-type.png',
    pngRaw(64, 64, 8, 5, new Uint8Array(16)),
    problem(400, 'bad_image'),
  );
  addImage(
    'PNG with width 0',
    'image/bad/png-width-0.png',
    pngRaw(0, 64, 8, 2, new Uint8Array(16)),
    problem(400, 'bad_image'),
  );
  addImage(
    'PNG header claiming 60000×60000 on a 97-byte file',
    'image/bad/png-60000x60000.png',
    pngRaw(60000, 60000, 8, 2, new Uint8Array(40)),
    problem(413, 'too_large'),
  );
  {
    const bytes = rgbBytes.slice();
    bytes.set(enc('QUUX'), idat.at + 4); // unknown critical chunk (upper-case first letter), CRC left as it was
    const crc = crc32(bytes.subarray(idat.at + 4, idat.at + 8 + idat.length));
    new DataView(bytes.buffer).setUint32(idat.at + 8 + idat.length, crc);
    addImage(
      'PNG whose IDAT became an unknown critical chunk',
      'image/bad/png-unknown-critical.png',
      bytes,
      problem(400, 'bad_image'),
    );
  }
  const baseline = files.get('image/baseline.jpg')!;
  {
    const dht = findMarker(baseline, 0xc4);
    const bytes = baseline.slice();
    // The 16 code-length counts of the first table all become 255: more codes than any table can hold.
    bytes.fill(0xff, dht + 5, dht + 5 + 16);
    addImage(
      'JPEG with an impossible Huffman table',
      'image/bad/jpeg-bad-huffman.jpg',
      bytes,
      problem(400, 'bad_image'),
    );
  }
  addImage(
    'JPEG cut off before its scan (headers only)',
    'image/bad/jpeg-truncated-before-scan.jpg',
    baseline.slice(0, findMarker(baseline, 0xda)),
    problem(400, 'bad_image'),
  );
  addImage(
    'JPEG cut off in the middle of its scan',
    'image/bad/jpeg-truncated-scan.jpg',
    baseline.slice(0, Math.floor(baseline.length * 0.6)),
    problem(400, 'bad_image'),
  );
  addImage(
    'JPEG cut off inside its frame header',
    'image/bad/jpeg-truncated-sof.jpg',
    baseline.slice(0, findMarker(baseline, 0xc0) + 6),
    problem(400, 'bad_image'),
  );
  addImage(
    'JPEG frame header claiming 65000×65000 on a 23-byte file',
    'image/bad/jpeg-65000x65000.jpg',
    jpegSofOnly(65000, 65000),
    problem(413, 'too_large'),
  );
  {
    const bytes = jpegSofOnly(64, 64);
    bytes[6] = 12; // sample precision
    addImage('JPEG with 12-bit samples', 'image/bad/jpeg-12bit.jpg', bytes, problem(400, 'bad_image'));
  }
  add(
    'arithmetic-coded JPEG',
    '/api/embed',
    { image: f('../fixtures/jpeg/arithmetic.jpg'), audio: f(short) },
    problem(400, 'bad_image'),
  );
  addImage(
    'JPEG signature then garbage',
    'image/bad/jpeg-garbage.jpg',
    concat([new Uint8Array([0xff, 0xd8, 0xff]), enc('this is not a marker segment at all')]),
    problem(400, 'bad_image'),
  );
  addImage(
    'GIF',
    'image/other/tiny.gif',
    concat([
      enc('GIF89a'),
      new Uint8Array([
        1, 0, 1, 0, 0x80, 0, 0, 0, 0, 0, 255, 255, 255, 0x2c, 0, 0, 0, 0, 1, 0, 1, 0, 0, 2, 2, 0x44, 1, 0, 0x3b,
      ]),
    ]),
    problem(415, 'unsupported_media_type'),
  );
  addImage(
    'BMP header',
    'image/other/header.bmp',
    concat([enc('BM'), new Uint8Array(52)]),
    problem(415, 'unsupported_media_type'),
  );
  addImage(
    'WebP header',
    'image/other/header.webp',
    concat([enc('RIFF'), new Uint8Array([24, 0, 0, 0]), enc('WEBPVP8 '), new Uint8Array(12)]),
    problem(415, 'unsupported_media_type'),
  );
  addImage(
    'a text file as the image',
    'image/other/notes.txt',
    enc('Meet me at noon.\n'),
    problem(415, 'unsupported_media_type'),
  );
  add('the WAV clip sent as the image', '/api/embed', { image: audio, audio }, problem(415, 'unsupported_media_type'));
  add(
    'a zero-byte image',
    '/api/embed',
    { image: f(file('image/bad/empty.png', new Uint8Array(0))), audio },
    problem(400, 'bad_request'),
  );

  // --- Broken or non-WAV audio → 400 bad_audio / 415 / 400 bad_request; too long → 422 / 413.
  const addAudio = (name: string, path: string, bytes: Uint8Array, expect: CorpusExpect) =>
    add(name, '/api/embed', { image, audio: f(file(path, bytes)) }, expect);
  const pcm16 = (ms: number) => samples(ms / 1000, 8000, 1, 'pcm16');
  addAudio('a zero-byte audio file', 'audio/bad/empty.wav', new Uint8Array(0), problem(400, 'bad_request'));
  addAudio('MP3 with an ID3 tag', 'audio/other/tagged.mp3', mp3(true), problem(415, 'unsupported_media_type'));
  addAudio('MP3 frames without a tag', 'audio/other/frames.mp3', mp3(false), problem(415, 'unsupported_media_type'));
  addAudio('Ogg Vorbis', 'audio/other/vorbis.ogg', ogg(), problem(415, 'unsupported_media_type'));
  addAudio(
    'FLAC',
    'audio/other/stream.flac',
    concat([enc('fLaC'), new Uint8Array([0x80, 0, 0, 34]), new Uint8Array(34)]),
    problem(415, 'unsupported_media_type'),
  );
  add('the PNG sent as the audio', '/api/embed', { image, audio: image }, problem(415, 'unsupported_media_type'));
  addAudio(
    'WAV with zero samples',
    'audio/bad/zero-samples.wav',
    wav({ format: 1, channels: 1, rate: 8000, bits: 16 }, new Uint8Array(0)),
    problem(400, 'bad_audio'),
  );
  addAudio(
    'WAV with sample rate 0',
    'audio/bad/rate-0.wav',
    wav({ format: 1, channels: 1, rate: 0, bits: 16 }, pcm16(100)),
    problem(400, 'bad_audio'),
  );
  addAudio(
    'WAV with sample rate 1 MHz',
    'audio/bad/rate-1mhz.wav',
    wav({ format: 1, channels: 1, rate: 1_000_000, bits: 16 }, pcm16(100)),
    problem(400, 'bad_audio'),
  );
  addAudio('float WAV holding a NaN', 'audio/bad/float-nan.wav', floatWithBadSample(NaN), problem(400, 'bad_audio'));
  addAudio(
    'float WAV holding +Infinity',
    'audio/bad/float-inf.wav',
    floatWithBadSample(Infinity),
    problem(400, 'bad_audio'),
  );
  addAudio(
    'WAV with 9 channels',
    'audio/bad/9-channels.wav',
    wav({ format: 1, channels: 9, rate: 8000, bits: 16 }, new Uint8Array(9 * 2 * 100)),
    problem(400, 'bad_audio'),
  );
  addAudio(
    'WAV with 0 channels',
    'audio/bad/0-channels.wav',
    wav({ format: 1, channels: 0, rate: 8000, bits: 16, blockAlign: 2 }, pcm16(100)),
    problem(400, 'bad_audio'),
  );
  addAudio(
    'IMA ADPCM WAV (compressed)',
    'audio/bad/adpcm.wav',
    wav({ format: 0x11, channels: 1, rate: 8000, bits: 4, blockAlign: 256 }, new Uint8Array(1024)),
    problem(400, 'bad_audio'),
  );
  addAudio(
    '12-bit PCM WAV',
    'audio/bad/pcm12.wav',
    wav({ format: 1, channels: 1, rate: 8000, bits: 12, blockAlign: 2 }, pcm16(100)),
    problem(400, 'bad_audio'),
  );
  addAudio(
    'WAV whose block size contradicts its format',
    'audio/bad/block-align.wav',
    wav({ format: 1, channels: 1, rate: 8000, bits: 16, blockAlign: 6 }, pcm16(100)),
    problem(400, 'bad_audio'),
  );
  addAudio(
    'WAV cut off inside the fmt chunk',
    'audio/bad/truncated-fmt.wav',
    files.get(voice)!.slice(0, 24),
    problem(400, 'bad_audio'),
  );
  addAudio(
    'WAV with data before fmt',
    'audio/bad/data-before-fmt.wav',
    concat([
      enc('RIFF'),
      new Uint8Array([100, 0, 0, 0]),
      enc('WAVE'),
      riffChunk('data', pcm16(10)),
      files.get(voice)!.slice(12, 36),
    ]),
    problem(400, 'bad_audio'),
  );
  addAudio(
    'RIFF/WAVE with no chunks',
    'audio/bad/no-chunks.wav',
    concat([enc('RIFF'), new Uint8Array([4, 0, 0, 0]), enc('WAVE')]),
    problem(400, 'bad_audio'),
  );
  add(
    'a clip longer than the photo holds (2 s in 64×64 = 1.536 s)',
    '/api/embed',
    { image, audio: f(tooLong) },
    problem(422, 'too_long'),
  );
  add('a clip longer than MAX_AUDIO_SECONDS', '/api/embed', { image, audio: f(tooLong) }, problem(413, 'too_large'), {
    env: { MAX_AUDIO_SECONDS: '1' },
  });
  add('a photo over MAX_PIXELS', '/api/embed', { image, audio }, problem(413, 'too_large'), {
    env: { MAX_PIXELS: '4000' },
  });
  add('a body over MAX_BODY_BYTES', '/api/embed', { image, audio }, problem(413, 'too_large'), {
    env: { MAX_BODY_BYTES: '8192' },
  });
  add(
    'a photo smaller than one tile (31×31)',
    '/api/embed',
    { image: f(file('image/rgb-31x31.png', encodePng(crop(photo, 31, 31)))), audio: f(short) },
    problem(413, 'too_large'),
  );

  // --- Wrong requests.
  add('wrong field names (photo, sound)', '/api/embed', { photo: image, sound: audio }, problem(400, 'bad_request'));
  add('no audio field', '/api/embed', { image }, problem(400, 'bad_request'));
  add('the image sent as a text field', '/api/embed', { image: 'photo.png', audio }, problem(400, 'bad_request'));
  add('the key sent as a file', '/api/embed', { image, audio, key: image }, problem(400, 'bad_request'));
  add('a key of 1025 characters', '/api/embed', { image, audio, key: 'k'.repeat(1025) }, problem(400, 'bad_request'));
  const body = (
    name: string,
    path: string,
    bytes: Uint8Array,
    contentType: string | null,
    expect: CorpusExpect,
    route: CorpusCase['route'] = '/api/embed',
  ) => add(name, route, {}, expect, { body: { file: file(path, bytes), contentType } });
  body(
    'a JSON body',
    'request/body.json',
    enc('{"image": "data:image/png;base64,iVBORw0KGgo=", "audio": "clip.wav"}'),
    'application/json',
    problem(415, 'unsupported_media_type'),
  );
  body(
    'a text body',
    'request/body.txt',
    enc('please hide my voice in this photo'),
    'text/plain',
    problem(415, 'unsupported_media_type'),
  );
  body(
    'a urlencoded form',
    'request/body-urlencoded.txt',
    enc('image=photo.png&audio=clip.wav'),
    'application/x-www-form-urlencoded',
    problem(415, 'unsupported_media_type'),
  );
  body(
    'raw PNG bytes with no Content-Type',
    'request/raw-png.bin',
    rgbBytes,
    null,
    problem(415, 'unsupported_media_type'),
    '/api/reveal',
  );
  body(
    'multipart without a boundary',
    'request/multipart-no-boundary.txt',
    enc('--x\r\nContent-Disposition: form-data; name="image"\r\n\r\nabc\r\n--x--\r\n'),
    'multipart/form-data',
    problem(400, 'bad_request'),
  );
  body(
    'multipart whose body does not match its boundary',
    'request/multipart-garbage.txt',
    enc('this is not multipart at all\r\n'),
    'multipart/form-data; boundary=XYZ',
    problem(400, 'bad_request'),
  );

  // --- Reveal: containers made with the transparent weights, then altered the ways photos get altered.
  await initBackend('cpu');
  const transparent = await transparentWeights();
  const model = await loadWeights(transparent.manifest, transparent.bin);
  // 288×32: one row of 9 tiles (3.456 s), and the header's three copies (288 pixels each) all in the first row.
  const coverBytes = makePng(288, 32, 61);
  const clip = 'audio/voice-8k-0.5s.wav';
  const key = 'correct horse battery staple';
  let containerBytes: Uint8Array;
  let keyedBytes: Uint8Array;
  try {
    containerBytes = (await embedAudio(model, coverBytes, files.get(clip)!)).png;
    keyedBytes = (await embedAudio(model, coverBytes, files.get(clip)!, { key })).png;
  } finally {
    disposeModel(model);
  }
  const container = await decodeImage(containerBytes);
  const cover = file('reveal/cover-nothing-hidden.png', coverBytes);
  const reveal = (
    name: string,
    path: string,
    bytes: Uint8Array,
    expect: CorpusExpect,
    texts: Record<string, string> = {},
  ) => add(name, '/api/reveal', { image: f(file(path, bytes)), ...texts }, expect);
  reveal('an untouched container', 'reveal/container.png', containerBytes, { status: 200, seconds: 0.5, sameAs: clip });
  reveal(
    'an untouched keyed container, with its key',
    'reveal/container-keyed.png',
    keyedBytes,
    { status: 200, seconds: 0.5, sameAs: clip },
    { key },
  );
  add(
    'an untouched keyed container, no key (noise of the same length, by design)',
    '/api/reveal',
    { image: f('reveal/container-keyed.png') },
    { status: 200, seconds: 0.5, unrelatedTo: clip },
  );
  add(
    'an untouched keyed container, a wrong key',
    '/api/reveal',
    { image: f('reveal/container-keyed.png'), key: 'correct horse battery stapler' },
    { status: 200, seconds: 0.5, unrelatedTo: clip },
  );
  reveal('a container re-saved as RGBA PNG (same pixels)', 'reveal/container-rgba.png', pngAs(container, 6, 8), {
    status: 200,
    seconds: 0.5,
    sameAs: clip,
  });
  reveal('a container re-saved as 16-bit PNG (same pixels)', 'reveal/container-16bit.png', pngAs(container, 2, 16), {
    status: 200,
    seconds: 0.5,
    sameAs: clip,
  });
  add('a photo with nothing hidden', '/api/reveal', { image: f(cover) }, problem(422, 'no_payload'));
  // Reveal takes JPEG (the robust scheme survives it); a JPEG with nothing in it holds no payload.
  add('a JPEG photo', '/api/reveal', { image: f('image/baseline.jpg') }, problem(422, 'no_payload'));
  // The header's copies fill the first row: cropping the last column loses only the end of the third copy, so the
  // majority vote still reads the header, which says the size changed. Cropping rows leaves the header whole.
  reveal(
    'a container cropped by its last column',
    'reveal/cropped-1-column.png',
    encodePng(crop(container, 287, 32)),
    problem(422, 'damaged_payload'),
  );
  reveal(
    'a container cropped by its bottom 4 rows',
    'reveal/cropped-4-rows.png',
    encodePng(crop(container, 288, 28)),
    problem(422, 'damaged_payload'),
  );
  reveal(
    'a container resized to 50 %',
    'reveal/resized-half.png',
    encodePng(halve(container)),
    problem(422, 'no_payload'),
  );
  // Bit 64 of the header is bit 0 of its width field: flipped in all three copies, the majority vote keeps the flip.
  reveal(
    'a container whose header width bit is flipped in every copy',
    'reveal/header-bit-flipped.png',
    encodePng(mapRgb(container, (v, i) => (i % (HEADER_VALUES / 3) === 64 && i < HEADER_VALUES ? v ^ 1 : v))),
    problem(422, 'damaged_payload'),
  );
  reveal(
    'a container whose header LSBs are cleared',
    'reveal/header-cleared.png',
    encodePng(mapRgb(container, (v, i) => (i < HEADER_VALUES ? v & 0xfe : v))),
    problem(422, 'no_payload'),
  );
  reveal(
    'a container re-encoded as JPEG (quality 95) and saved back as PNG',
    'reveal/jpeg-roundtrip.png',
    encodePng(await decodeImage(jpegOf(container, 95))),
    problem(422, 'no_payload'),
  );
  reveal(
    'a container whose picture was painted over (header kept)',
    'reveal/painted-over.png',
    encodePng(mapRgb(container, (v, i) => (i < HEADER_VALUES ? v : (v & 1) | 0x80))),
    problem(422, 'damaged_payload'),
  );
  add('a zero-byte image', '/api/reveal', { image: f('image/bad/empty.png') }, problem(400, 'bad_request'));
  add('no image field', '/api/reveal', { key }, problem(400, 'bad_request'));

  // --- Write.
  for (const dir of ['image', 'audio', 'request', 'reveal']) rmSync(join(HERE, dir), { recursive: true, force: true });
  for (const [path, bytes] of files) {
    mkdirSync(dirname(join(HERE, path)), { recursive: true });
    writeFileSync(join(HERE, path), bytes);
  }
  for (const c of cases)
    for (const path of [...Object.values(c.files ?? {}), ...(c.body ? [c.body.file] : [])])
      readFileSync(join(HERE, path)); // every path exists
  const names = new Set<string>();
  for (const c of cases) {
    const id = `${c.route} ${c.name}`;
    if (names.has(id)) throw new Error(`duplicate case: ${id}`);
    names.add(id);
  }
  writeFileSync(
    join(HERE, 'expected.json'),
    `${JSON.stringify({ generatedBy: 'test/corpus/make-corpus.ts', cases }, null, 1)}\n`,
  );
  const bytes = [...files.values()].reduce((n, b) => n + b.length, 0);
  console.log(`${cases.length} cases, ${files.size} files, ${bytes} bytes`);
}

// Report failures in one line: tfjs's Emscripten glue may install a handler that prints pages of source.
main().catch((error: unknown) => {
  console.error(`make-corpus: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
