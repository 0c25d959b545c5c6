/** The sealed header (header version 5 frame): the payload header AES-GCM-encrypted under a per-container salt, at keyed positions, with no constant bit. */
import { HEADER_BYTES, HEADER_VALUES } from './header.js';
import { xoshiro128ss } from '../util/rng.js';

/**
 * Random salt per container, in the LSBs of the first values: 128 bits, so two containers share a salt (and so a
 * derived key) with probability 2⁻⁶⁴ after 2³² containers.
 */
export const SALT_BYTES = 16;
const SALT_BITS = SALT_BYTES * 8;
/** AES-GCM's authentication tag: a wrong key or a photo with nothing sealed fails it (forgery odds 2⁻¹²⁸). */
const TAG_BYTES = 16;
/** The sealed header's ciphertext bits: the 36-byte payload header plus the tag. */
const SEALED_BITS = (HEADER_BYTES + TAG_BYTES) * 8;
/** PBKDF2-SHA-256 rounds for a passphrase: each guess costs an attacker this much hashing (about 25 ms in Node). */
export const SEAL_ITERATIONS = 100_000;
/**
 * Keyless containers derive their key from the salt alone (HKDF): anyone with stegavox can open them, as Kerckhoffs
 * says they must; what the salt buys is that no two containers share a bit pattern.
 */
const KEYLESS_INFO = new TextEncoder().encode('stegavox keyless header v5');
const KEYED_SALT_PREFIX = new TextEncoder().encode('stegavox keyed header v5');

if (SALT_BITS + SEALED_BITS > HEADER_VALUES) throw new Error('the sealed header does not fit the header values');

/** What a key and a salt derive: the AES-GCM key and the seed that places the ciphertext's bits. */
interface SealKeys {
  aes: CryptoKey;
  placement: Uint32Array;
}

async function deriveKeys(salt: Uint8Array, passphrase: string | undefined): Promise<SealKeys> {
  let bits: ArrayBuffer;
  if (passphrase === undefined) {
    const ikm = await crypto.subtle.importKey('raw', salt as Uint8Array<ArrayBuffer>, 'HKDF', false, ['deriveBits']);
    bits = await crypto.subtle.deriveBits(
      { name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: KEYLESS_INFO },
      ikm,
      512,
    );
  } else {
    const material = await crypto.subtle.importKey('raw', new TextEncoder().encode(passphrase), 'PBKDF2', false, [
      'deriveBits',
    ]);
    const fullSalt = new Uint8Array(KEYED_SALT_PREFIX.length + salt.length);
    fullSalt.set(KEYED_SALT_PREFIX);
    fullSalt.set(salt, KEYED_SALT_PREFIX.length);
    bits = await crypto.subtle.deriveBits(
      { name: 'PBKDF2', hash: 'SHA-256', salt: fullSalt, iterations: SEAL_ITERATIONS },
      material,
      512,
    );
  }
  const aes = await crypto.subtle.importKey('raw', bits.slice(0, 32), 'AES-GCM', false, ['encrypt', 'decrypt']);
  return { aes, placement: new Uint32Array(bits.slice(32, 64)) };
}

/**
 * Where the ciphertext's bits go among the header values after the salt: a Fisher–Yates shuffle driven by the
 * derived seed (xoshiro128**), so without the key even the positions are unknown.
 */
function placement(seed: Uint32Array): Uint32Array {
  const slots = Uint32Array.from({ length: HEADER_VALUES - SALT_BITS }, (_, i) => SALT_BITS + i);
  const next = xoshiro128ss(seed[0]! | 1, seed[1]!, seed[2]!, seed[3]!);
  for (let i = slots.length - 1; i > 0; i--) {
    const j = Math.floor((next() / 2 ** 32) * (i + 1));
    [slots[i], slots[j]] = [slots[j]!, slots[i]!];
  }
  return slots.subarray(0, SEALED_BITS);
}

/** A zero IV is safe: every container derives a fresh AES key from its own random salt, and seals one message. */
const IV = new Uint8Array(12);

/**
 * Seals the 36 payload-header bytes into the LSBs of `rgb`'s first {@link HEADER_VALUES} values, in place: a fresh
 * random salt first, then the AES-GCM ciphertext at positions derived from the key (or, keyless, from the salt), and
 * random bits in every other header LSB. Nothing in the result is constant across containers.
 */
export async function sealHeader(rgb: Uint8Array, header: Uint8Array, passphrase?: string): Promise<void> {
  if (rgb.length < HEADER_VALUES) throw new RangeError('image too small to carry a payload header');
  const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES));
  const keys = await deriveKeys(salt, passphrase);
  const sealed = new Uint8Array(
    await crypto.subtle.encrypt({ name: 'AES-GCM', iv: IV }, keys.aes, header as Uint8Array<ArrayBuffer>),
  );
  const bits = new Uint8Array(HEADER_VALUES);
  const noise = crypto.getRandomValues(new Uint8Array(HEADER_VALUES / 8));
  for (let i = 0; i < HEADER_VALUES; i++) bits[i] = (noise[i >> 3]! >> (i & 7)) & 1;
  for (let i = 0; i < SALT_BITS; i++) bits[i] = (salt[i >> 3]! >> (i & 7)) & 1;
  const slots = placement(keys.placement);
  for (let i = 0; i < SEALED_BITS; i++) bits[slots[i]!] = (sealed[i >> 3]! >> (i & 7)) & 1;
  for (let i = 0; i < HEADER_VALUES; i++) rgb[i] = (rgb[i]! & 0xfe) | bits[i]!;
}

/**
 * Opens a sealed header with `passphrase` (undefined: the keyless derivation): the 36 payload-header bytes, or null
 * when the tag fails (a wrong key, no sealed header, or an altered one: indistinguishable by design).
 */
export async function openHeader(rgb: Uint8Array, passphrase?: string): Promise<Uint8Array | null> {
  if (rgb.length < HEADER_VALUES) return null;
  const salt = new Uint8Array(SALT_BYTES);
  for (let i = 0; i < SALT_BITS; i++) salt[i >> 3]! |= (rgb[i]! & 1) << (i & 7);
  const keys = await deriveKeys(salt, passphrase);
  const slots = placement(keys.placement);
  const sealed = new Uint8Array(SEALED_BITS / 8);
  for (let i = 0; i < SEALED_BITS; i++) sealed[i >> 3]! |= (rgb[slots[i]!]! & 1) << (i & 7);
  try {
    return new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-GCM', iv: IV }, keys.aes, sealed));
  } catch {
    return null;
  }
}
