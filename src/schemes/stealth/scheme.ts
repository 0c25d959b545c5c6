/** The stealth scheme: a low-rate speech codec's bits hidden by ±1 changes where texture hides them (HILL costs + STC). */
import { denormaliseClip, peakNormalise } from '../../audio/normalise.js';
import { crc32 } from '../../container/crc32.js';
import { HEADER_VALUES } from '../../container/header.js';
import { SAMPLE_RATE } from '../../container/layout.js';
import { StegError } from '../../util/errors.js';
import { decryptSymbols, encryptSymbols } from '../../util/keystream.js';
import { decodeSpeech, DEFAULT_CODEC, encodeSpeech, frameBits, type CodecParams } from '../../speech/envelope-codec.js';
import type { HidingScheme } from '../scheme.js';
import { embedLsbPlusMinusOne, extractLsbPlusMinusOne, hillCosts } from './hill.js';
import { stealthHeaderLayout, type StealthHeader } from './header.js';

/**
 * Message bits per carrying channel value at full stealth capacity: the knee of payload against detectability
 * (docs/steganalysis.md). 20 frames (10.24 s) of the codec at 6.4 kbit/s fill a 512×512 photo at 0.0834 bits per value.
 */
export const STEALTH_PAYLOAD = 0.085;
/** The codec: 6.4 kbit/s, STOI 0.905 on training speech (src/speech/envelope-codec.ts). */
export const STEALTH_CODEC: CodecParams = DEFAULT_CODEC;

/** 8 kHz samples one codec frame spans. */
function frameSpan(codec: CodecParams): number {
  return (codec.frameSamples * SAMPLE_RATE) / codec.rate;
}

/** Values that carry message bits: everything after the header's values. */
function carryingValues(width: number, height: number): number {
  return Math.max(0, width * height * 3 - HEADER_VALUES);
}

/** The message bits of a clip of `sampleCount` samples (whole frames). */
function messageBits(codec: CodecParams, sampleCount: number): number {
  return Math.ceil(sampleCount / frameSpan(codec)) * frameBits(codec);
}

/** Whole frames of audio a `width`×`height` photo holds within {@link STEALTH_PAYLOAD}. */
function capacitySamples(width: number, height: number): number {
  const frames = Math.floor((STEALTH_PAYLOAD * carryingValues(width, height)) / frameBits(STEALTH_CODEC));
  return frames * frameSpan(STEALTH_CODEC);
}

/** Bits (0/1 bytes) packed eight to a byte, for the CRC. */
function packBits(bits: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.ceil(bits.length / 8));
  for (let i = 0; i < bits.length; i++) out[i >> 3]! |= bits[i]! << (i & 7);
  return out;
}

/**
 * Short clips hidden to be missed rather than to be heard best: the codec's bits go into the LSB plane by syndrome
 * coding, so about one value in five of those the code touches changes, by ±1, in textured areas. The bits are
 * enciphered (AES-CTR, the key or the empty key) so the message looks random either way.
 */
export const stealthScheme: HidingScheme<'stealth', StealthHeader> = {
  name: 'stealth',
  summary: 'a low-rate voice codec hidden by ±1 changes where texture hides them: hard to detect, shorter clips',
  survivesJpeg: false,
  containerDefaults: { format: 'png' },
  needsModel: false,
  headerLayout: stealthHeaderLayout,
  capacitySamples,
  footprint: (sampleCount) => Math.ceil(sampleCount / frameSpan(STEALTH_CODEC)) * frameSpan(STEALTH_CODEC),

  async embed({ cover, clip, key }) {
    const { width, height } = cover;
    const { samples, gain } = peakNormalise(clip);
    const frames = encodeSpeech(samples, STEALTH_CODEC);
    const message = new Uint8Array(frames.reduce((n, f) => n + f.length, 0));
    let at = 0;
    for (const f of frames) {
      message.set(f, at);
      at += f.length;
    }
    const nonce = crypto.getRandomValues(new Uint32Array(1))[0]!;
    await encryptSymbols(message, 2, key ?? '', nonce);
    const costs = hillCosts(cover.data, width, height);
    const carried = embedLsbPlusMinusOne(cover.data.subarray(HEADER_VALUES), costs.subarray(HEADER_VALUES), message);
    const rgb = cover.data.slice();
    rgb.set(carried, HEADER_VALUES);
    const header: StealthHeader = {
      scheme: 'stealth',
      width,
      height,
      sampleCount: clip.length,
      gain,
      keyed: Boolean(key),
      codec: STEALTH_CODEC,
      messageCrc: crc32(packBits(message)),
      nonce,
    };
    return { rgb, header, carriedRate: SAMPLE_RATE, quality: 'standard' };
  },

  revealRows(header, width, height) {
    if (messageBits(header.codec, header.sampleCount) > carryingValues(width, height) / 2)
      throw new StegError('damaged_payload', 'the payload header claims more audio than the image holds');
    // The syndrome reads every carrying value: the whole photo.
    return height;
  },

  async reveal({ container, header, key }) {
    const bits = messageBits(header.codec, header.sampleCount);
    const message = extractLsbPlusMinusOne(container.data.subarray(HEADER_VALUES), bits);
    if (crc32(packBits(message)) !== header.messageCrc)
      throw new StegError('damaged_payload', 'the hidden audio fails its integrity check: the container was altered');
    await decryptSymbols(message, 2, key ?? '', header.nonce);
    const perFrame = frameBits(header.codec);
    const frames = Array.from({ length: bits / perFrame }, (_, i) =>
      message.subarray(i * perFrame, (i + 1) * perFrame),
    );
    const clip = decodeSpeech(frames, header.codec, header.sampleCount);
    return { samples: denormaliseClip(clip, header.gain), denoised: false, fingerprintDriftDb: 0 };
  },
};
