// The robust scheme's parts: convolutional code, QIM, header, speech codec framing, DCT and resizer.
import { describe, expect, it } from 'vitest';
import { convEncode, codedLength, viterbiDecode } from '../../src/schemes/robust/conv-code.js';
import { qimEmbed, qimSoft } from '../../src/schemes/robust/qim.js';
import { headerFromBits, headerToBits, type RobustHeader } from '../../src/schemes/robust/header.js';
import { DEFAULT_CODEC, decodeSpeech, encodeSpeech, frameBits } from '../../src/speech/envelope-codec.js';
import { dct8, idct8 } from '../../src/schemes/robust/dct.js';
import { resizePlane } from '../../src/formats/resize.js';
import { stoi } from '../../src/metrics/stoi.js';
import { mulberry32 } from '../../src/util/rng.js';
import { speechLike } from '../helpers/signals.js';

describe('convolutional code', () => {
  const rnd = mulberry32(5);
  const bits = Uint8Array.from({ length: 2000 }, () => (rnd() < 0.5 ? 1 : 0));
  const coded = convEncode(bits);

  it('round-trips without noise', () => {
    expect(coded.length).toBe(codedLength(bits.length));
    const soft = Float32Array.from(coded, (b) => (b ? -1 : 1));
    expect(viterbiDecode(soft, bits.length).bits).toEqual(bits);
  });

  it('corrects soft noise at Eb/N0 ≈ 4 dB where hard decisions err on ~6 % of bits', () => {
    const sigma = 0.63; // per code bit, rate 1/2: Eb/N0 = 1/(2·0.5·σ²) ≈ 4 dB
    let hardErrors = 0;
    const soft = Float32Array.from(coded, (b) => {
      const v = (b ? -1 : 1) + sigma * Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
      if ((v < 0 ? 1 : 0) !== b) hardErrors++;
      return v;
    });
    expect(hardErrors / coded.length).toBeGreaterThan(0.03);
    const out = viterbiDecode(soft, bits.length).bits;
    let errors = 0;
    for (let i = 0; i < bits.length; i++) errors += out[i] !== bits[i] ? 1 : 0;
    expect(errors).toBeLessThan(5);
  });
});

describe('QIM', () => {
  it('lands on the bit lattice and reads back with full confidence; flips sign at quarter-step noise', () => {
    for (const c of [-37.2, 0, 5.5, 101.9]) {
      for (const bit of [0, 1]) {
        const e = qimEmbed(c, bit, 12, 3.3);
        expect(Math.abs(e - c)).toBeLessThanOrEqual(6 + 1e-9);
        expect(qimSoft(e, 12, 3.3)).toBeCloseTo(bit ? -1 : 1, 9);
        expect(Math.sign(qimSoft(e + 2.9, 12, 3.3))).toBe(bit ? -1 : 1);
        expect(Math.sign(qimSoft(e + 3.1, 12, 3.3))).toBe(bit ? 1 : -1);
      }
    }
  });
});

describe('header', () => {
  const h: RobustHeader = {
    codec: DEFAULT_CODEC,
    clipSamples: 80_000,
    peak: 0.4567,
    stepScale: 1.3125,
    coefficients: 12,
    width: 1600,
    height: 1200,
    salt: new Uint8Array([9, 8, 7, 6, 5, 4, 3, 2]),
    keyCheck: 0xbeef,
    flatThreshold: 6.25,
  };

  it('round-trips every field (peak to 2^(1/2048))', () => {
    const back = headerFromBits(headerToBits(h))!;
    expect({ ...back, peak: 0 }).toEqual({ ...h, peak: 0 });
    expect(Math.abs(Math.log2(back.peak / h.peak))).toBeLessThan(1 / 2048);
    expect(headerFromBits(headerToBits({ ...h, salt: null }))!.salt).toBeNull();
  });

  it('rejects any single flipped bit (CRC-32)', () => {
    const bits = headerToBits(h);
    for (let i = 0; i < bits.length; i += 7) {
      const b = bits.slice();
      b[i]! ^= 1;
      expect(headerFromBits(b)).toBeNull();
    }
  });
});

describe('speech codec', () => {
  it('codes a speech-like signal in fixed-size frames, and silences a lost frame', () => {
    const x = speechLike(16000, 8000, 2, 1);
    const frames = encodeSpeech(x, DEFAULT_CODEC);
    expect(frames.length).toBe(4); // 2 s in 0.5 s frames
    expect(frames.every((f) => f.length === frameBits(DEFAULT_CODEC))).toBe(true);
    const y = decodeSpeech(frames, DEFAULT_CODEC, x.length);
    expect(stoi(x, y, 8000)).toBeGreaterThan(0.75);
    const z = decodeSpeech([...frames.slice(0, 3), null], DEFAULT_CODEC, x.length);
    expect(z.subarray(12288 + 300).every((v) => Math.abs(v) < 1e-3)).toBe(true);
  });
});

describe('DCT and resizer', () => {
  it('inverts the 8×8 DCT and keeps energy (orthonormal)', () => {
    const rnd = mulberry32(9);
    const plane = Float32Array.from({ length: 16 * 8 }, () => rnd() * 255);
    const c = new Float64Array(64),
      p = new Float64Array(64),
      t = new Float64Array(64);
    dct8(plane, 16, 1, 0, c, t);
    idct8(c, p, t);
    let e1 = 0,
      e2 = 0;
    for (let y = 0; y < 8; y++)
      for (let x = 0; x < 8; x++) {
        expect(p[y * 8 + x]!).toBeCloseTo(plane[y * 16 + 8 + x]!, 3);
        e1 += plane[y * 16 + 8 + x]! ** 2;
      }
    for (const v of c) e2 += v * v;
    expect(e2 / e1).toBeCloseTo(1, 6);
  });

  it('resizes a smooth ramp without bias and round-trips it closely', () => {
    const w = 40,
      h = 30;
    const plane = Float32Array.from({ length: w * h }, (_, i) => (2 * (i % w) + i / w) | 0);
    const back = resizePlane(resizePlane(plane, w, h, 32, 24), 32, 24, w, h);
    let err = 0;
    for (let y = 4; y < h - 4; y++)
      for (let x = 4; x < w - 4; x++) err = Math.max(err, Math.abs(back[y * w + x]! - plane[y * w + x]!));
    expect(err).toBeLessThan(1);
  });
});
