/** WAV codec shared by training, CLI and worker: RIFF chunk walk that never trusts header sizes, mono mixdown, 16-bit writer. */
import { StegError } from '../util/errors.js';

/** What the header says, with `dataBytes` clamped to the bytes actually present. */
export interface WavInfo {
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
  encoding: 'pcm' | 'float';
  /** Whole frames present in the file (a trailing partial frame is ignored). */
  frames: number;
  /** Offset of the first sample byte. */
  dataOffset: number;
  /** Bytes of the data chunk that are present in the file (never more than the file holds). */
  dataBytes: number;
}

/** Most channels a mixdown accepts (7.1). */
export const MAX_CHANNELS = 8;
/** Lowest accepted sample rate: below 1 kHz is not speech we can use. */
export const MIN_SAMPLE_RATE = 1000;
/** Highest accepted sample rate (no recorder goes beyond; it also bounds the resampler's filter length). */
export const MAX_SAMPLE_RATE = 384_000;

const FORMAT_PCM = 1;
const FORMAT_FLOAT = 3;
const FORMAT_EXTENSIBLE = 0xfffe;
/** Bytes 2–15 of the KSDATAFORMAT_SUBTYPE_PCM / _IEEE_FLOAT GUIDs (the first two bytes are the format code). */
const GUID_TAIL = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71];

function bad(detail: string): StegError {
  return new StegError('bad_audio', `Invalid WAV: ${detail}`);
}

function ascii(b: Uint8Array, at: number, s: string): boolean {
  if (b.length < at + s.length) return false;
  for (let i = 0; i < s.length; i++) if (b[at + i] !== s.charCodeAt(i)) return false;
  return true;
}

/**
 * Reads a RIFF/WAVE header by walking its chunks to `fmt ` and `data`. The RIFF size and a data size larger than
 * the file are not trusted: sizes are clamped to the bytes present, so nothing is ever allocated from the header.
 * Not RIFF/WAVE (or RIFX/RF64) → `unsupported_media_type`; empty, truncated, a bad or missing `fmt `, rate outside
 * [1 kHz, 384 kHz], 0 or more than 8 channels, a format other than PCM 8/16/24/32-bit or float 32/64-bit (plain or
 * WAVE_FORMAT_EXTENSIBLE), or no whole frame → `bad_audio`.
 */
export function sniffWav(bytes: Uint8Array): WavInfo {
  const n = bytes.length;
  if (n === 0) throw bad('the file is empty');
  if (!(ascii(bytes, 0, 'RIFF') && ascii(bytes, 8, 'WAVE'))) {
    if (n < 12 && 'RIFF'.startsWith(String.fromCharCode(...bytes.subarray(0, 4)))) throw bad('the file is truncated');
    throw new StegError('unsupported_media_type', 'Not a WAV file (RIFF/WAVE); send PCM or float WAV audio.');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let fmt: { format: number; channels: number; sampleRate: number; blockAlign: number; bits: number } | null = null;
  let off = 12;
  while (off + 8 <= n) {
    const size = view.getUint32(off + 4, true);
    const start = off + 8;
    const present = Math.min(size, n - start);
    if (ascii(bytes, off, 'fmt ')) {
      if (fmt) throw bad('more than one fmt chunk');
      if (present < 16) throw bad('fmt chunk too short');
      let format = view.getUint16(start, true);
      const bits = view.getUint16(start + 14, true);
      if (format === FORMAT_EXTENSIBLE) {
        if (present < 40 || view.getUint16(start + 16, true) < 22) throw bad('extensible fmt chunk too short');
        format = view.getUint16(start + 24, true);
        for (let i = 0; i < GUID_TAIL.length; i++)
          if (bytes[start + 26 + i] !== GUID_TAIL[i]) throw bad('unknown extensible sub-format');
      }
      fmt = {
        format,
        channels: view.getUint16(start + 2, true),
        sampleRate: view.getUint32(start + 4, true),
        blockAlign: view.getUint16(start + 12, true),
        bits,
      };
    } else if (ascii(bytes, off, 'data')) {
      if (!fmt) throw bad('data chunk before the fmt chunk');
      return describe(fmt, start, present);
    }
    // Chunks are padded to even sizes; a size running past the end simply ends the walk.
    off = start + size + (size & 1);
  }
  throw bad(fmt ? 'no data chunk (truncated?)' : 'no fmt chunk');
}

function describe(
  fmt: { format: number; channels: number; sampleRate: number; blockAlign: number; bits: number },
  dataOffset: number,
  dataBytes: number,
): WavInfo {
  const { format, channels, sampleRate, blockAlign, bits } = fmt;
  let encoding: 'pcm' | 'float';
  if (format === FORMAT_PCM && (bits === 8 || bits === 16 || bits === 24 || bits === 32)) encoding = 'pcm';
  else if (format === FORMAT_FLOAT && (bits === 32 || bits === 64)) encoding = 'float';
  else if (format === FORMAT_PCM || format === FORMAT_FLOAT)
    throw bad(`${bits}-bit ${format === FORMAT_PCM ? 'PCM' : 'float'} is not supported`);
  else throw bad(`compressed or unknown encoding (format tag ${format}); send PCM or float WAV`);
  if (channels === 0) throw bad('zero channels');
  if (channels > MAX_CHANNELS) throw bad(`${channels} channels; at most ${MAX_CHANNELS} are supported`);
  if (sampleRate < MIN_SAMPLE_RATE || sampleRate > MAX_SAMPLE_RATE) {
    throw bad(`sample rate ${sampleRate} Hz is outside ${MIN_SAMPLE_RATE}–${MAX_SAMPLE_RATE} Hz`);
  }
  if (blockAlign !== channels * (bits / 8))
    throw bad(`block size ${blockAlign} does not match ${channels} × ${bits}-bit`);
  const frames = Math.floor(dataBytes / blockAlign);
  if (frames === 0) throw bad('no samples');
  return { sampleRate, channels, bitsPerSample: bits, encoding, frames, dataOffset, dataBytes };
}

/** Typed arrays use the platform's byte order; WAV is little endian (so is every platform Node and workerd run on). */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Decodes a WAV to mono float samples in [-1, 1]: channels are averaged; PCM is scaled by 2^(bits-1) (8-bit is
 * unsigned, centred on 128); float samples outside [-1, 1] are clipped. More than `limits.maxFrames` frames →
 * `too_large`, checked from the (clamped) header before decoding; NaN or infinite samples → `bad_audio`.
 */
export function decodeWav(
  bytes: Uint8Array,
  limits?: { maxFrames?: number },
): { sampleRate: number; samples: Float32Array } {
  const info = sniffWav(bytes);
  const { frames, channels, bitsPerSample: bits, encoding, dataOffset } = info;
  if (limits?.maxFrames !== undefined && frames > limits.maxFrames) {
    throw new StegError(
      'too_large',
      `The audio is ${(frames / info.sampleRate).toFixed(2)} s long; at most ${(limits.maxFrames / info.sampleRate).toFixed(2)} s are accepted.`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset + dataOffset, frames * channels * (bits / 8));
  const out = new Float32Array(frames);
  if (encoding === 'pcm' && bits === 16 && LITTLE_ENDIAN) {
    // The common case through an Int16Array (8× faster than DataView reads here); 16-bit PCM is always finite and
    // within [-1, 1]. An odd data offset cannot be viewed in place, so it is copied first.
    const start = bytes.byteOffset + dataOffset;
    const length = frames * channels;
    const pcm =
      start % 2 === 0
        ? new Int16Array(bytes.buffer, start, length)
        : new Int16Array(bytes.slice(dataOffset, dataOffset + 2 * length).buffer);
    mixInt16(pcm, channels, out);
    return { sampleRate: info.sampleRate, samples: out };
  }
  const read = sampleReader(view, bits, encoding);
  const scale = 1 / channels;
  let idx = 0;
  for (let f = 0; f < frames; f++) {
    let sum = 0;
    for (let c = 0; c < channels; c++) sum += read(idx++);
    const v = sum * scale;
    if (!Number.isFinite(v)) throw bad(`sample ${f} is not a finite number`);
    out[f] = v > 1 ? 1 : v < -1 ? -1 : v;
  }
  return { sampleRate: info.sampleRate, samples: out };
}

/** Averages interleaved 16-bit PCM channels into `out`, scaled to [-1, 1]; a small function so V8 optimises it early. */
function mixInt16(pcm: Int16Array, channels: number, out: Float32Array): void {
  const scale = 1 / (32768 * channels);
  const frames = out.length;
  if (channels === 1) {
    for (let f = 0; f < frames; f++) out[f] = pcm[f]! * scale;
    return;
  }
  for (let f = 0, o = 0; f < frames; f++) {
    let sum = 0;
    for (let c = 0; c < channels; c++) sum += pcm[o++]!;
    out[f] = sum * scale;
  }
}

/** Reader for the i-th sample of an interleaved little-endian data chunk, as a float (PCM already scaled). */
function sampleReader(view: DataView, bits: number, encoding: 'pcm' | 'float'): (i: number) => number {
  if (encoding === 'float')
    return bits === 32 ? (i) => view.getFloat32(4 * i, true) : (i) => view.getFloat64(8 * i, true);
  switch (bits) {
    case 8:
      return (i) => (view.getUint8(i) - 128) / 128;
    case 16:
      return (i) => view.getInt16(2 * i, true) / 32768;
    case 24:
      return (i) => {
        const o = 3 * i;
        const v = view.getUint8(o) | (view.getUint8(o + 1) << 8) | (view.getInt8(o + 2) << 16);
        return v / 8388608;
      };
    default:
      return (i) => view.getInt32(4 * i, true) / 2147483648;
  }
}

/**
 * Encodes mono samples as a 16-bit PCM WAV (44-byte header). Samples are clipped to [-1, 1] and scaled by 32768
 * (so what {@link decodeWav} reads back is exact for multiples of 1/32768); NaN becomes 0.
 * A sample rate that is not a positive integer → `bad_audio`.
 */
export function encodeWav16(samples: Float32Array, sampleRate: number): Uint8Array {
  if (!Number.isInteger(sampleRate) || sampleRate < 1 || sampleRate > 0xffffffff / 2)
    throw bad(`cannot write sample rate ${sampleRate}`);
  const dataBytes = samples.length * 2;
  if (dataBytes > 0xffffffff - 36) throw bad('too many samples for one WAV file');
  const out = new Uint8Array(44 + dataBytes);
  const view = new DataView(out.buffer);
  const tag = (at: number, s: string) => {
    for (let i = 0; i < 4; i++) out[at + i] = s.charCodeAt(i);
  };
  tag(0, 'RIFF');
  view.setUint32(4, 36 + dataBytes, true);
  tag(8, 'WAVE');
  tag(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, FORMAT_PCM, true);
  view.setUint16(22, 1, true);
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * 2, true);
  view.setUint16(32, 2, true);
  view.setUint16(34, 16, true);
  tag(36, 'data');
  view.setUint32(40, dataBytes, true);
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i]!;
    const v = s !== s ? 0 : Math.round(s * 32768);
    view.setInt16(44 + 2 * i, v > 32767 ? 32767 : v < -32768 ? -32768 : v, true);
  }
  return out;
}
