// Payload header (src/container/header.ts and the schemes' layouts): byte round trip, LSB copies with majority vote, refusal codes, loudness envelope.
import { describe, expect, it } from 'vitest';
import { crc32 } from '../../src/container/crc32.js';
import {
  ENVELOPE_BYTES,
  ENVELOPE_FLOOR_DB,
  envelopeDistanceDb,
  loudnessEnvelope,
} from '../../src/container/fingerprint.js';
import { HEADER_BYTES, HEADER_COPIES, HEADER_VALUES } from '../../src/container/header.js';
import { NEURAL_HEADER_VERSION } from '../../src/schemes/neural/header.js';
import { CODED_HEADER_VERSION } from '../../src/schemes/coded/header.js';
import {
  parsePayloadHeader,
  readHeaderBits,
  serializePayloadHeader,
  writeHeaderBits,
} from '../../src/schemes/registry.js';
import type { NeuralHeader } from '../../src/schemes/neural/header.js';
import { stegCodeOf as codeOf } from '../helpers/errors.js';

const HEADER: NeuralHeader = {
  scheme: 'neural',
  width: 1023,
  height: 77,
  sampleCount: 123_456,
  gain: 3.25,
  keyed: true,
  copies: 1,
  emphasis: 0.4,
  spreadRate: 13_000,
  envelope: Uint8Array.from([0, 1, 100, 200, 255, 17, 42, 128]),
};

/** A noisy 8-bit image with a header written into it. */
function imageWithHeader(length = HEADER_VALUES + 600): Uint8Array {
  const rgb = Uint8Array.from({ length }, (_, i) => (i * 37 + 11) & 0xff);
  writeHeaderBits(rgb, HEADER);
  return rgb;
}

/** Re-signs header bytes whose fields were edited, so only the field check (not the CRC) can refuse them. */
function resign(bytes: Uint8Array): Uint8Array {
  new DataView(bytes.buffer, bytes.byteOffset).setUint32(32, crc32(bytes.subarray(0, 32)), true);
  return bytes;
}

describe('serializePayloadHeader / parsePayloadHeader', () => {
  it('round trips every field', () => {
    const bytes = serializePayloadHeader(HEADER);
    expect(bytes.length).toBe(HEADER_BYTES);
    expect([...bytes.subarray(0, 4)]).toEqual([0x53, 0x56, 0x58, NEURAL_HEADER_VERSION]);
    expect(parsePayloadHeader(bytes)).toEqual(HEADER);
    expect(parsePayloadHeader(serializePayloadHeader({ ...HEADER, keyed: false, gain: 0.1 }))).toEqual({
      ...HEADER,
      keyed: false,
      gain: Math.fround(0.1),
    });
  });

  it('refuses bytes without the magic as no_payload', () => {
    expect(codeOf(() => parsePayloadHeader(new Uint8Array(HEADER_BYTES)))).toBe('no_payload');
    expect(codeOf(() => parsePayloadHeader(serializePayloadHeader(HEADER).subarray(0, HEADER_BYTES - 1)))).toBe(
      'no_payload',
    );
    const bytes = serializePayloadHeader(HEADER);
    bytes[1]! ^= 0x01;
    expect(codeOf(() => parsePayloadHeader(bytes))).toBe('no_payload');
  });

  it('refuses a CRC mismatch, another version or impossible values as damaged_payload', () => {
    const flipped = serializePayloadHeader(HEADER);
    flipped[17]! ^= 0x10; // sampleCount changed, CRC not
    expect(codeOf(() => parsePayloadHeader(flipped))).toBe('damaged_payload');

    const crc = serializePayloadHeader(HEADER);
    crc[35]! ^= 0x80;
    expect(codeOf(() => parsePayloadHeader(crc))).toBe('damaged_payload');

    const version = serializePayloadHeader(HEADER);
    version[3] = CODED_HEADER_VERSION + 1;
    expect(codeOf(() => parsePayloadHeader(resign(version)))).toBe('damaged_payload');
    // A neural header relabelled as coded (version 4) lacks the coded flag: refused, not misread.
    version[3] = CODED_HEADER_VERSION;
    expect(codeOf(() => parsePayloadHeader(resign(version)))).toBe('damaged_payload');

    for (const bad of [
      { emphasis: 0.96 },
      { emphasis: 2.55 },
      { spreadRate: 7999 },
      { spreadRate: 0 },
      { sampleCount: 0 },
      { width: 0 },
      { height: 0 },
      { gain: 0 },
      { gain: -2 },
      { gain: Number.NaN },
      { gain: Infinity },
    ]) {
      expect(
        codeOf(() => parsePayloadHeader(serializePayloadHeader({ ...HEADER, ...bad }))),
        JSON.stringify(bad),
      ).toBe('damaged_payload');
    }
  });

  it('still parses a version 1 header (written before spreading): its audio was not spread, copies, no emphasis', () => {
    const legacy = { ...HEADER, copies: 3, emphasis: 0 };
    const v1 = serializePayloadHeader(legacy, 1);
    expect([v1[3], v1[5], v1[6], v1[7]]).toEqual([1, 3, 0, 0]); // version 1 left bytes 6–7 zero
    expect(parsePayloadHeader(v1)).toEqual({ ...legacy, spreadRate: 8000 });
  });

  it('still parses a version 2 header (spread, copies in byte 5, no emphasis), and refuses its copy count of 0', () => {
    const legacy = { ...HEADER, copies: 2, emphasis: 0 };
    expect(parsePayloadHeader(serializePayloadHeader(legacy, 2))).toEqual(legacy);
    expect(codeOf(() => parsePayloadHeader(serializePayloadHeader({ ...legacy, copies: 0 }, 2)))).toBe(
      'damaged_payload',
    );
  });

  it('version 3 stores the emphasis in hundredths where earlier versions stored copies; mixing them is refused', () => {
    const v3 = serializePayloadHeader(HEADER);
    expect(v3[5]).toBe(40);
    expect(parsePayloadHeader(serializePayloadHeader({ ...HEADER, emphasis: 0 }))).toMatchObject({ emphasis: 0 });
    expect(() => serializePayloadHeader({ ...HEADER, copies: 2 })).toThrow(/cannot store/);
    expect(() => serializePayloadHeader(HEADER, 2)).toThrow(/cannot store/);
    // A version 2 header whose byte 5 said 40 copies is 40 copies, not an emphasis.
    const v2 = serializePayloadHeader({ ...HEADER, copies: 40, emphasis: 0 }, 2);
    expect(parsePayloadHeader(v2)).toMatchObject({ copies: 40, emphasis: 0 });
  });
});

describe('writeHeaderBits / readHeaderBits', () => {
  it('writes only the LSBs of the first HEADER_VALUES values and reads the header back', () => {
    const before = Uint8Array.from({ length: HEADER_VALUES + 600 }, (_, i) => (i * 37 + 11) & 0xff);
    const rgb = imageWithHeader();
    for (let i = 0; i < rgb.length; i++) {
      expect(rgb[i]! >> 1, `value ${i}`).toBe(before[i]! >> 1);
      if (i >= HEADER_VALUES) expect(rgb[i]).toBe(before[i]);
    }
    expect(readHeaderBits(rgb)).toEqual(HEADER);
  });

  it('survives one copy destroyed entirely, and one damaged bit in each copy at different places (majority vote)', () => {
    const perBit = HEADER_VALUES / HEADER_COPIES;
    for (let copy = 0; copy < HEADER_COPIES; copy++) {
      const rgb = imageWithHeader();
      for (let i = copy * perBit; i < (copy + 1) * perBit; i++) rgb[i]! ^= 1;
      expect(readHeaderBits(rgb), `copy ${copy} flipped`).toEqual(HEADER);
    }
    const rgb = imageWithHeader();
    rgb[5]! ^= 1; // copy 0, magic
    rgb[perBit + 150]! ^= 1; // copy 1, sample count
    rgb[2 * perBit + 280]! ^= 1; // copy 2, CRC
    expect(readHeaderBits(rgb)).toEqual(HEADER);
  });

  it('reports the same bit damaged in two copies: in a field as damaged_payload, in the magic as no_payload', () => {
    const perBit = HEADER_VALUES / HEADER_COPIES;
    const field = imageWithHeader();
    const gainBit = 20 * 8 + 3;
    field[gainBit]! ^= 1;
    field[perBit + gainBit]! ^= 1;
    expect(codeOf(() => readHeaderBits(field))).toBe('damaged_payload');

    const magic = imageWithHeader();
    magic[9]! ^= 1;
    magic[perBit + 9]! ^= 1;
    expect(codeOf(() => readHeaderBits(magic))).toBe('no_payload');
  });

  it('finds no payload in an image without one, or one too small to hold a header', () => {
    const plain = Uint8Array.from({ length: 4000 }, (_, i) => (i * 101) & 0xff);
    expect(codeOf(() => readHeaderBits(plain))).toBe('no_payload');
    expect(codeOf(() => readHeaderBits(new Uint8Array(4000)))).toBe('no_payload');
    expect(codeOf(() => readHeaderBits(new Uint8Array(HEADER_VALUES - 1)))).toBe('no_payload');
    expect(codeOf(() => writeHeaderBits(new Uint8Array(HEADER_VALUES - 1), HEADER))).toBe('too_large');
  });
});

describe('loudnessEnvelope', () => {
  const tone = (n: number, amp: number) => Float32Array.from({ length: n }, (_, i) => amp * Math.sin(i * 0.3));

  it('maps RMS onto bytes on a log scale: 0 dB → 255, −96 dB or silence → 0', () => {
    expect([...loudnessEnvelope(new Float32Array(800).fill(1))]).toEqual(new Array(ENVELOPE_BYTES).fill(255));
    expect([...loudnessEnvelope(new Float32Array(800))]).toEqual(new Array(ENVELOPE_BYTES).fill(0));
    // Constant 0.1 is −20 dB: (76 / 96) · 255 = 201.9.
    expect([...loudnessEnvelope(new Float32Array(800).fill(0.1))]).toEqual(new Array(ENVELOPE_BYTES).fill(202));
    expect([...loudnessEnvelope(new Float32Array(800).fill(-0.1))]).toEqual(new Array(ENVELOPE_BYTES).fill(202));
  });

  it('follows the clip eighth by eighth', () => {
    const x = tone(8000, 0.5);
    x.fill(0, 4000);
    const env = loudnessEnvelope(x);
    expect(env.subarray(0, 4).every((v) => v > 200)).toBe(true);
    expect(env.subarray(4).every((v) => v === 0)).toBe(true);
  });

  it('works for clips shorter than eight samples', () => {
    const env = loudnessEnvelope(Float32Array.from([0.5, -0.5, 0.5]));
    expect(env.length).toBe(ENVELOPE_BYTES);
    expect(env.every((v) => v > 0)).toBe(true);
  });

  it('measures drift in dB: 0 for equal envelopes, ≈ 6 dB for a loud clip halved or doubled', () => {
    const a = loudnessEnvelope(tone(4000, 0.8));
    const b = loudnessEnvelope(tone(4000, 0.4));
    expect(envelopeDistanceDb(a, a)).toBe(0);
    expect(Math.abs(envelopeDistanceDb(b, a) - 6.02)).toBeLessThan(0.4); // revealed quieter; one byte step is 0.38 dB
    expect(Math.abs(envelopeDistanceDb(a, b) - 6.02)).toBeLessThan(0.4); // revealed louder, both above the floor
  });

  it('counts lost loudness in full but extra loudness only above the −30 dB floor', () => {
    const silence = new Uint8Array(8);
    const full = new Uint8Array(8).fill(255);
    expect(ENVELOPE_FLOOR_DB).toBe(-30);
    expect(envelopeDistanceDb(silence, full)).toBe(96); // everything lost
    expect(envelopeDistanceDb(full, silence)).toBeCloseTo(30, 0); // silence came back at 0 dB: 30 dB above the floor
    const quiet = loudnessEnvelope(new Float32Array(800).fill(10 ** (-40 / 20)));
    expect(envelopeDistanceDb(quiet, silence)).toBe(0); // −96 dB came back at −40 dB: noise below the floor
    expect(envelopeDistanceDb(silence, quiet)).toBeCloseTo(56, 0); // −40 dB lost to silence counts
  });

  it('does not count a silent pause revealed as rounding noise as drift', () => {
    // Speech-like bursts with digital silence between them, as a clip with pauses is.
    const x = tone(4000, 0.7);
    for (let i = 0; i < x.length; i++) if (Math.floor(i / 500) % 2 === 1) x[i] = 0;
    // What reveal gives back even with a lossless code: the clip through the container's 8-bit rounding.
    const rounded = x.map((v) => (Math.round((0.5 + 0.5 * v) * 255) / 255) * 2 - 1);
    const original = loudnessEnvelope(x);
    expect([...original].filter((v) => v === 0).length).toBe(4);
    expect(envelopeDistanceDb(loudnessEnvelope(rounded), original)).toBeLessThan(0.5);
    // A loud eighth that went silent still counts in full: (−6 dB) − (−96 dB) = 90 dB / 8 ≈ 11 dB.
    const damaged = rounded.slice();
    damaged.fill(0, 0, 500);
    expect(envelopeDistanceDb(loudnessEnvelope(damaged), original)).toBeGreaterThan(10);
  });
});
