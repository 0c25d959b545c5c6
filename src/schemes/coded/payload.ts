/** The coded scheme: the clip as ADPCM symbols, written as digits mod a small base into the channel values after the header. */
import { adpcmDecode, adpcmEncode, ADPCM_CODEC_ID } from '../../speech/adpcm.js';
import type { RgbImage } from '../../formats/image.js';
import { crc32 } from '../../container/crc32.js';
import { fromDigits, readDigits, toDigits, writeDigits } from './digits.js';
import { StegError } from '../../util/errors.js';
import { decryptSymbols, encryptSymbols } from '../../util/keystream.js';
import { rawCapacitySamples } from '../../container/layout.js';
import { HEADER_VALUES } from '../../container/header.js';
import type { CodedHeader } from './header.js';

/** The header fields the digits' layout and check need. */
export type CodedFields = Pick<CodedHeader, 'codec' | 'base' | 'digitsPerSample' | 'digitCrc' | 'nonce'>;

/** First channel value (interleaved RGB, raster order) that carries digits: the header's LSBs come before it. */
export const CODED_START = HEADER_VALUES;
/**
 * Base when each sample has one value: 7 levels, so a value moves by at most 3. Of bases 7 / 9 / 11 on training data
 * at 90 %, 7 is the one that keeps 40 dB PSNR with room to spare (42.5 against 39.9 dB; docs/schemes/coded.md).
 */
export const SINGLE_VALUE_BASE = 7;
/** Base when a sample spans several values: 3 (1.58 bits for a mean squared change of 2/3, the best ratio of any base). */
export const MULTI_VALUE_BASE = 3;
/** Most values one sample spans: 3⁵ = 243 levels, past which the codec gains little. */
export const MAX_DIGITS_PER_SAMPLE = 5;

/** Channel values that can carry digits in a `width`×`height` image. */
function digitRoom(width: number, height: number): number {
  return Math.max(0, width * height * 3 - CODED_START);
}

/**
 * Samples the coded scheme holds: the neural capacity (whole 32×32 tiles), less the header's values where the tiles
 * cover the whole image (864 samples, 0.108 s).
 */
export function codedCapacitySamples(width: number, height: number): number {
  return Math.min(rawCapacitySamples(width, height), digitRoom(width, height));
}

/** The ADPCM alphabet a layout gives each sample: one digit mod `base` per value it spans. */
export function codedLevels(c: Pick<CodedFields, 'base' | 'digitsPerSample'>): number {
  return c.base ** c.digitsPerSample;
}

/** How a clip of `sampleCount` samples is laid out in a `width`×`height` image: spare room buys more values per sample. */
export function codedPlan(
  sampleCount: number,
  width: number,
  height: number,
): { base: number; digitsPerSample: number; levels: number } {
  const per = Math.max(
    1,
    Math.min(MAX_DIGITS_PER_SAMPLE, Math.floor(digitRoom(width, height) / Math.max(1, sampleCount))),
  );
  const base = per === 1 ? SINGLE_VALUE_BASE : MULTI_VALUE_BASE;
  return { base, digitsPerSample: per, levels: codedLevels({ base, digitsPerSample: per }) };
}

/**
 * Whether reveal's post-filter (src/audio/denoise.ts) runs on a coded clip of `levels` levels. It helps only while the
 * codec's error is a sizeable share of the clip: on bsds500 photos with FSDD training speakers +0.35 dB SI-SNR at 7
 * levels and +0.18 dB at 9, −0.1 dB at 81; at 243 levels (about 39 dB) its blind noise estimate mistakes quiet
 * speech for noise.
 */
export function codedPostFilter(levels: number): boolean {
  return levels <= 9;
}

/** Image rows (from the top) a coded payload occupies, header included: all reveal has to decode. */
export function codedRows(width: number, sampleCount: number, digitsPerSample: number): number {
  return Math.ceil((CODED_START + sampleCount * digitsPerSample) / (3 * width));
}

/**
 * Writes the normalised clip into a copy of the cover's pixels (the header is the caller's) and returns them with the
 * header's coded fields. With a key the symbols are enciphered ({@link encryptSymbols}) under a fresh random nonce.
 */
export async function embedCoded(
  cover: RgbImage,
  normalised: Float32Array,
  key: string | undefined,
): Promise<{ rgb: Uint8Array; coded: CodedFields }> {
  if (normalised.length > codedCapacitySamples(cover.width, cover.height))
    throw new RangeError('clip exceeds the coded capacity');
  const { base, digitsPerSample, levels } = codedPlan(normalised.length, cover.width, cover.height);
  const symbols = adpcmEncode(normalised, levels);
  const nonce = key ? crypto.getRandomValues(new Uint32Array(1))[0]! : 0;
  if (key) await encryptSymbols(symbols, levels, key, nonce);
  const digits = toDigits(symbols, base, digitsPerSample);
  const rgb = cover.data.slice();
  writeDigits(rgb, CODED_START, digits, base);
  return { rgb, coded: { codec: ADPCM_CODEC_ID, base, digitsPerSample, digitCrc: crc32(digits), nonce } };
}

/**
 * Reads a coded payload back from the container's top rows (at least {@link codedRows}): the normalised clip. Digits
 * that fail the header's CRC → `damaged_payload`. A keyed payload with a wrong or missing key decodes to noise.
 */
export async function revealCoded(
  rgb: Uint8Array,
  header: CodedHeader,
  key: string | undefined,
): Promise<Float32Array> {
  const c = header;
  if (c.codec !== ADPCM_CODEC_ID)
    throw new StegError(
      'damaged_payload',
      `the container uses codec ${c.codec}, which this server does not know (expected ${ADPCM_CODEC_ID})`,
    );
  const count = header.sampleCount * c.digitsPerSample;
  if (header.sampleCount > codedCapacitySamples(header.width, header.height) || CODED_START + count > rgb.length)
    throw new StegError('damaged_payload', 'the payload header claims more audio than the image holds');
  const digits = readDigits(rgb, CODED_START, count, c.base);
  if (crc32(digits) !== c.digitCrc)
    throw new StegError('damaged_payload', 'the hidden audio fails its integrity check: the container was altered');
  const levels = codedLevels(c);
  const symbols = fromDigits(digits, c.base, c.digitsPerSample);
  if (header.keyed) await decryptSymbols(symbols, levels, key ?? '', c.nonce);
  return adpcmDecode(symbols, levels);
}
