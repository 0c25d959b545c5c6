// WAV codec: PCM 8/16/24/32, float 32/64, stereo and multichannel mixdown, extensible, lying sizes, every error code.
import wavefile from 'wavefile';
import { describe, expect, it } from 'vitest';
import { decodeWav, encodeWav16, sniffWav } from '../../src/formats/wav.js';
import { stegCodeOf as codeOf } from '../helpers/errors.js';
import { concat } from '../fixtures/png-writer.js';

const { WaveFile } = wavefile;

/** A WAV written by wavefile (an independent writer) from per-channel integer / float samples. */
function wavefileBytes(channels: number[][], rate: number, depth: string): Uint8Array {
  const w = new WaveFile();
  w.fromScratch(channels.length, rate, depth, channels.length === 1 ? channels[0]! : channels);
  return new Uint8Array(w.toBuffer());
}

interface Hand {
  format?: number;
  channels?: number;
  rate?: number;
  bits?: number;
  blockAlign?: number;
  data: Uint8Array;
  /** Sub-format code for WAVE_FORMAT_EXTENSIBLE (format is then 0xFFFE). */
  subFormat?: number;
  /** Chunks placed between fmt and data. */
  between?: Uint8Array[];
  /** Size written in the data chunk header instead of the real one. */
  dataSize?: number;
}

const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

function riffChunk(id: string, body: Uint8Array, size = body.length): Uint8Array {
  const head = new Uint8Array(8);
  head.set(ascii(id));
  new DataView(head.buffer).setUint32(4, size >>> 0, true);
  return concat([head, body, body.length & 1 ? new Uint8Array(1) : new Uint8Array(0)]);
}

/** A WAV built byte by byte, for the headers wavefile will not write. */
function handWav(h: Hand): Uint8Array {
  const channels = h.channels ?? 1;
  const bits = h.bits ?? 16;
  const rate = h.rate ?? 8000;
  const ext = h.subFormat !== undefined;
  const fmt = new Uint8Array(ext ? 40 : 16);
  const dv = new DataView(fmt.buffer);
  dv.setUint16(0, ext ? 0xfffe : (h.format ?? 1), true);
  dv.setUint16(2, channels, true);
  dv.setUint32(4, rate, true);
  const blockAlign = h.blockAlign ?? (channels * bits) / 8;
  dv.setUint32(8, rate * blockAlign, true);
  dv.setUint16(12, blockAlign, true);
  dv.setUint16(14, bits, true);
  if (ext) {
    dv.setUint16(16, 22, true);
    dv.setUint16(18, bits, true);
    dv.setUint32(20, channels === 2 ? 3 : 4, true);
    dv.setUint16(24, h.subFormat!, true);
    fmt.set([0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71], 26);
  }
  const body = concat([
    ascii('WAVE'),
    riffChunk('fmt ', fmt),
    ...(h.between ?? []),
    riffChunk('data', h.data, h.dataSize ?? h.data.length),
  ]);
  return concat([riffChunk('RIFF', body).subarray(0, 8), body]);
}

function floats32(values: number[]): Uint8Array {
  return new Uint8Array(Float32Array.from(values).buffer);
}

describe('WAV decoding', () => {
  it('reads 8-bit unsigned PCM', () => {
    const { samples, sampleRate } = decodeWav(wavefileBytes([[0, 64, 128, 192, 255]], 8000, '8'));
    expect(sampleRate).toBe(8000);
    expect(Array.from(samples)).toEqual([-1, -0.5, 0, 0.5, 127 / 128]);
  });

  it('reads 16-, 24- and 32-bit PCM at full scale and in between', () => {
    for (const [depth, full] of [
      ['16', 32768],
      ['24', 8388608],
      ['32', 2147483648],
    ] as const) {
      const ints = [-full, -full / 2, -1, 0, 1, full / 4, full - 1];
      const bytes = wavefileBytes([ints], 44100, depth);
      const info = sniffWav(bytes);
      expect(info).toMatchObject({
        sampleRate: 44100,
        channels: 1,
        bitsPerSample: Number(depth),
        encoding: 'pcm',
        frames: ints.length,
      });
      const { samples } = decodeWav(bytes);
      ints.forEach((v, i) => expect(samples[i]).toBeCloseTo(v / full, 7));
    }
  });

  it('reads float32 and float64, clipping values beyond ±1', () => {
    const values = [0, 0.25, -0.5, 1, -1, 1.5, -3];
    for (const depth of ['32f', '64']) {
      const bytes = wavefileBytes([values], 22050, depth);
      expect(sniffWav(bytes)).toMatchObject({ encoding: 'float', bitsPerSample: depth === '64' ? 64 : 32 });
      expect(Array.from(decodeWav(bytes).samples)).toEqual([0, 0.25, -0.5, 1, -1, 1, -1]);
    }
  });

  it('mixes stereo 44.1 kHz float down to the average of the channels', () => {
    const left = [0.5, -0.5, 1, 0.25];
    const right = [0.5, 0.5, -1, 0];
    const bytes = wavefileBytes([left, right], 44100, '32f');
    const info = sniffWav(bytes);
    expect(info).toMatchObject({ channels: 2, frames: 4, sampleRate: 44100 });
    expect(Array.from(decodeWav(bytes).samples)).toEqual([0.5, 0, 0, 0.125]);
  });

  it('mixes 16-bit stereo and 8-channel PCM down', () => {
    const stereo = decodeWav(
      wavefileBytes(
        [
          [16384, -32768],
          [0, -32768],
        ],
        48000,
        '16',
      ),
    );
    expect(Array.from(stereo.samples)).toEqual([0.25, -1]);
    const eight = Array.from({ length: 8 }, (_, c) => [c * 1000, -c * 1000]);
    const mixed = decodeWav(wavefileBytes(eight, 16000, '16')).samples;
    expect(mixed[0]).toBeCloseTo(3500 / 32768, 7);
    expect(mixed[1]).toBeCloseTo(-3500 / 32768, 7);
  });

  it('reads WAVE_FORMAT_EXTENSIBLE with PCM and float sub-formats', () => {
    const pcm = new Uint8Array(new Int16Array([16384, -16384, 8192, 0]).buffer);
    const a = handWav({ channels: 2, bits: 16, subFormat: 1, data: pcm });
    expect(sniffWav(a)).toMatchObject({ channels: 2, encoding: 'pcm', frames: 2 });
    expect(Array.from(decodeWav(a).samples)).toEqual([0, 0.125]);
    const b = handWav({ channels: 1, bits: 32, subFormat: 3, data: floats32([0.75, -0.25]) });
    expect(sniffWav(b)).toMatchObject({ encoding: 'float', frames: 2 });
    expect(Array.from(decodeWav(b).samples)).toEqual([0.75, -0.25]);
  });

  it('skips other chunks (odd sizes padded), clamps a data size larger than the file, ignores a partial frame', () => {
    const data = new Uint8Array(new Int16Array([1000, 2000, 3000]).buffer);
    const f = handWav({ data, between: [riffChunk('LIST', ascii('INFOabc')), riffChunk('fact', new Uint8Array(4))] });
    expect(Array.from(decodeWav(f).samples)).toEqual([1000 / 32768, 2000 / 32768, 3000 / 32768]);
    // A data chunk that claims 4 GB: only what is there is read, and nothing is sized from the claim.
    const lying = handWav({ data, dataSize: 0xfffffff0 });
    expect(sniffWav(lying)).toMatchObject({ frames: 3, dataBytes: 6, dataOffset: 44 });
    expect(decodeWav(lying).samples.length).toBe(3);
    const partial = handWav({ data: concat([data, new Uint8Array([9])]) });
    expect(sniffWav(partial).frames).toBe(3);
    // A wrong RIFF size (e.g. 0 from a streaming writer) does not matter.
    const zeroRiff = handWav({ data });
    zeroRiff.fill(0, 4, 8);
    expect(decodeWav(zeroRiff).samples.length).toBe(3);
  });

  it('reports dataOffset/dataBytes that locate the samples', () => {
    const bytes = wavefileBytes([[1, 2, 3, 4]], 8000, '16');
    const info = sniffWav(bytes);
    const view = new DataView(bytes.buffer, bytes.byteOffset + info.dataOffset, info.dataBytes);
    expect([0, 1, 2, 3].map((i) => view.getInt16(2 * i, true))).toEqual([1, 2, 3, 4]);
  });
});

describe('WAV errors', () => {
  const good = wavefileBytes([[1, 2, 3]], 8000, '16');

  it('non-WAV bytes are unsupported_media_type', () => {
    const files = [
      ascii('ID3\x04\x00\x00\x00\x00\x00\x00'),
      new Uint8Array([0xff, 0xfb, 0x90, 0x64, 0, 0, 0, 0, 0, 0, 0, 0]),
      ascii('OggS\x00\x02\x00\x00\x00\x00\x00\x00\x00\x00'),
      ascii('fLaC\x00\x00\x00\x22'),
      ascii('RIFF\x10\x00\x00\x00AVI LIST'),
      ascii('RIFX\x10\x00\x00\x00WAVEfmt '),
      new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10, 0, 0, 0, 13]),
      ascii('hello, world'),
    ];
    for (const f of files) {
      expect(codeOf(() => sniffWav(f))).toBe('unsupported_media_type');
      expect(codeOf(() => decodeWav(f))).toBe('unsupported_media_type');
    }
  });

  it('empty and truncated files are bad_audio', () => {
    expect(codeOf(() => decodeWav(new Uint8Array(0)))).toBe('bad_audio');
    for (let cut = 1; cut < 46; cut++)
      expect(
        codeOf(() => decodeWav(good.subarray(0, cut))),
        `cut at ${cut}`,
      ).toBe('bad_audio');
    expect(codeOf(() => decodeWav(good.subarray(0, 46)))).toBe('ok');
  });

  it('rate 0, no samples, 0 or 9 channels, odd formats and inconsistent headers are bad_audio', () => {
    const pcm = new Uint8Array(new Int16Array([1, 2, 3, 4, 5, 6, 7, 8, 9]).buffer);
    const cases: Record<string, Uint8Array> = {
      'rate 0': handWav({ rate: 0, data: pcm }),
      'rate 500': handWav({ rate: 500, data: pcm }),
      'rate 4 GHz': handWav({ rate: 0xffffffff, data: pcm }),
      'zero samples': handWav({ data: new Uint8Array(0) }),
      'less than one frame': handWav({ channels: 2, data: new Uint8Array(3) }),
      'zero channels': handWav({ channels: 0, blockAlign: 2, data: pcm }),
      'nine channels': handWav({ channels: 9, data: concat([pcm, pcm]) }),
      '12-bit PCM': handWav({ bits: 12, blockAlign: 2, data: pcm }),
      '16-bit float': handWav({ format: 3, bits: 16, data: pcm }),
      'ADPCM (format 2)': handWav({ format: 2, bits: 4, blockAlign: 1, data: pcm }),
      'mu-law (format 7)': handWav({ format: 7, bits: 8, data: pcm }),
      'extensible with an unknown GUID': (() => {
        const f = handWav({ subFormat: 1, data: pcm });
        f[12 + 8 + 26 + 5] = 0x42;
        return f;
      })(),
      'block align disagrees': handWav({ blockAlign: 3, data: pcm }),
      'fmt chunk too short': concat([
        ascii('RIFF'),
        new Uint8Array(4),
        ascii('WAVE'),
        riffChunk('fmt ', new Uint8Array(8)),
        riffChunk('data', pcm),
      ]),
      'no fmt chunk': concat([ascii('RIFF'), new Uint8Array(4), ascii('WAVE'), riffChunk('data', pcm)]),
      'no data chunk': good.subarray(0, 36),
    };
    for (const [name, f] of Object.entries(cases))
      expect(
        codeOf(() => decodeWav(f)),
        name,
      ).toBe('bad_audio');
  });

  it('NaN or infinite float samples are bad_audio', () => {
    for (const v of [NaN, Infinity, -Infinity]) {
      const f = handWav({ format: 3, bits: 32, data: floats32([0.1, v, 0.2]) });
      expect(codeOf(() => decodeWav(f))).toBe('bad_audio');
    }
    const d = new Uint8Array(new Float64Array([0, NaN]).buffer);
    expect(codeOf(() => decodeWav(handWav({ format: 3, bits: 64, data: d })))).toBe('bad_audio');
    // +Inf in one channel and −Inf in the other must not cancel out.
    const stereo = handWav({ format: 3, bits: 32, channels: 2, data: floats32([Infinity, -Infinity]) });
    expect(codeOf(() => decodeWav(stereo))).toBe('bad_audio');
  });

  it('more frames than maxFrames is too_large, before decoding (even if later samples are NaN)', () => {
    const f = handWav({ format: 3, bits: 32, data: floats32([0, 0, 0, NaN]) });
    expect(codeOf(() => decodeWav(f, { maxFrames: 3 }))).toBe('too_large');
    expect(codeOf(() => decodeWav(good, { maxFrames: 3 }))).toBe('ok');
  });
});

describe('encodeWav16', () => {
  it('writes a 16-bit mono WAV that decodeWav and wavefile both read back exactly', () => {
    const values = Float32Array.from([0, 0.5, -0.5, 1 / 32768, -1, 32767 / 32768]);
    const bytes = encodeWav16(values, 8000);
    expect(bytes.length).toBe(44 + 2 * values.length);
    expect(sniffWav(bytes)).toEqual({
      sampleRate: 8000,
      channels: 1,
      bitsPerSample: 16,
      encoding: 'pcm',
      frames: 6,
      dataOffset: 44,
      dataBytes: 12,
    });
    expect(Array.from(decodeWav(bytes).samples)).toEqual(Array.from(values));
    const w = new WaveFile(bytes);
    expect(w.getSamples(false, Int16Array)).toEqual(Int16Array.from([0, 16384, -16384, 1, -32768, 32767]));
  });

  it('clips out-of-range samples and writes NaN as silence', () => {
    const back = decodeWav(encodeWav16(Float32Array.from([2, -2, 1, NaN]), 8000)).samples;
    expect(Array.from(back)).toEqual([32767 / 32768, -1, 32767 / 32768, 0]);
  });

  it('refuses a sample rate that is not a positive integer', () => {
    for (const r of [0, -8000, 8000.5, NaN])
      expect(codeOf(() => encodeWav16(new Float32Array(1), r))).toBe('bad_audio');
  });
});
