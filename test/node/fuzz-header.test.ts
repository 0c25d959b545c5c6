// Fuzzing the payload header parser (fast-check, 40,000 cases): any bytes give a sane header or a StegError, never a crash.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isStegError } from '../../src/util/errors.js';
import { ENVELOPE_BYTES } from '../../src/container/fingerprint.js';
import { HEADER_BYTES, HEADER_VALUES } from '../../src/container/header.js';
import {
  parsePayloadHeader,
  readHeaderBits,
  serializePayloadHeader,
  writeHeaderBits,
  type PayloadHeader,
} from '../../src/schemes/registry.js';
import type { NeuralHeader } from '../../src/schemes/neural/header.js';
import { validCodec } from '../../src/speech/envelope-codec.js';

const RUNS = 10_000;

const headerArb: fc.Arbitrary<NeuralHeader> = fc.record({
  scheme: fc.constant('neural' as const),
  width: fc.integer({ min: 1, max: 0xffffffff }),
  height: fc.integer({ min: 1, max: 0xffffffff }),
  sampleCount: fc.integer({ min: 1, max: 0xffffffff }),
  gain: fc.float({ min: Math.fround(1e-30), max: Math.fround(1e30), noNaN: true, noDefaultInfinity: true }),
  keyed: fc.boolean(),
  copies: fc.constant(1),
  emphasis: fc.integer({ min: 0, max: 95 }).map((h) => h / 100),
  spreadRate: fc.integer({ min: 8000, max: 65535 }),
  envelope: fc.uint8Array({ minLength: ENVELOPE_BYTES, maxLength: ENVELOPE_BYTES }),
});

/** Byte edits: (position, xor mask) pairs applied to a valid encoding. */
const editsArb = fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 6 });

/** Either a header whose fields are all plausible, or a StegError with a reveal-side code; anything else fails. */
function expectHeaderOrStegError(f: () => PayloadHeader): 'ok' | string {
  let h: PayloadHeader;
  try {
    h = f();
  } catch (e) {
    if (!isStegError(e)) throw e;
    expect(['no_payload', 'damaged_payload']).toContain(e.code);
    expect(e.message.length).toBeGreaterThan(10);
    return e.code;
  }
  expect(Number.isInteger(h.width) && h.width > 0).toBe(true);
  expect(Number.isInteger(h.height) && h.height > 0).toBe(true);
  expect(Number.isInteger(h.sampleCount) && h.sampleCount > 0).toBe(true);
  expect(Number.isFinite(h.gain) && h.gain > 0).toBe(true);
  expect(typeof h.keyed).toBe('boolean');
  if (h.scheme === 'neural') {
    expect(Number.isInteger(h.copies) && h.copies >= 1 && h.copies <= 255).toBe(true);
    expect(h.emphasis >= 0 && h.emphasis <= 0.95).toBe(true);
    expect(Number.isInteger(h.spreadRate) && h.spreadRate >= 8000 && h.spreadRate <= 65535).toBe(true);
    expect(h.envelope.length).toBe(ENVELOPE_BYTES);
  } else if (h.scheme === 'coded') {
    expect(h.base >= 3 && h.base % 2 === 1 && h.digitsPerSample >= 1 && h.base ** h.digitsPerSample <= 255).toBe(true);
  } else if (h.scheme === 'stealth') {
    expect(validCodec(h.codec)).toBe(true);
  }
  return 'ok';
}

describe('parsePayloadHeader fuzzing', () => {
  it('round trips any valid header', () => {
    fc.assert(
      fc.property(headerArb, (h) => {
        expect(parsePayloadHeader(serializePayloadHeader(h))).toEqual(h);
      }),
      { numRuns: RUNS, seed: 20261125 },
    );
  });

  it('arbitrary bytes (with and without the magic) give a header or a StegError', () => {
    const outcomes = new Map<string, number>();
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 64, size: 'max' }), fc.boolean(), (bytes, withMagic) => {
        if (withMagic && bytes.length >= 4) bytes.set([0x53, 0x56, 0x58, 1]);
        const r = expectHeaderOrStegError(() => parsePayloadHeader(bytes));
        outcomes.set(r, (outcomes.get(r) ?? 0) + 1);
      }),
      { numRuns: RUNS, seed: 1 },
    );
    // Both refusal kinds were reached (the magic prefix gets past the first check; the CRC then stops random bytes).
    expect(outcomes.get('no_payload')).toBeGreaterThan(1000);
    expect(outcomes.get('damaged_payload')).toBeGreaterThan(1000);
  });

  it('mutated valid headers give a header or a StegError, and any accepted mutation left the fields intact', () => {
    fc.assert(
      fc.property(headerArb, editsArb, (h, edits) => {
        const bytes = serializePayloadHeader(h);
        for (const [pos, mask] of edits) bytes[pos % HEADER_BYTES]! ^= mask;
        const r = expectHeaderOrStegError(() => parsePayloadHeader(bytes));
        // A CRC-32 catches every change of up to 32 consecutive bits; with ≤ 6 byte edits a pass means they cancelled.
        if (r === 'ok') expect(parsePayloadHeader(bytes)).toEqual(parsePayloadHeader(serializePayloadHeader(h)));
      }),
      { numRuns: RUNS, seed: 2 },
    );
  });
});

describe('readHeaderBits fuzzing', () => {
  it('arbitrary pixel values and mutated containers give a header or a StegError', () => {
    let ok = 0;
    fc.assert(
      fc.property(
        headerArb,
        fc.uint8Array({ minLength: HEADER_VALUES, maxLength: HEADER_VALUES + 64, size: 'max' }),
        fc.array(fc.nat({ max: HEADER_VALUES - 1 }), { maxLength: 40, size: 'max' }),
        fc.boolean(),
        (h, pixels, flips, writeFirst) => {
          if (writeFirst) writeHeaderBits(pixels, h);
          for (const i of flips) pixels[i]! ^= 1;
          if (expectHeaderOrStegError(() => readHeaderBits(pixels)) === 'ok') ok++;
        },
      ),
      { numRuns: RUNS, seed: 3 },
    );
    // Few flips land on the same bit of two copies, so most written headers still read back.
    expect(ok).toBeGreaterThan(RUNS / 10);
  });
});
