/** A symbol cipher: values shifted mod their alphabet by an AES-CTR keystream from a PBKDF2 key (coded digits, stealth bits). */

/** PBKDF2-SHA-256 rounds: each guess at a key costs an attacker this much hashing (about 25 ms of Node here, per embed or reveal with a key). */
export const KEY_ITERATIONS = 100_000;
const SALT = new TextEncoder().encode('stegavox-coded-key-v1');

async function aesKey(key: string): Promise<CryptoKey> {
  const material = await crypto.subtle.importKey('raw', new TextEncoder().encode(key), 'PBKDF2', false, ['deriveKey']);
  return crypto.subtle.deriveKey(
    { name: 'PBKDF2', hash: 'SHA-256', salt: SALT, iterations: KEY_ITERATIONS },
    material,
    { name: 'AES-CTR', length: 256 },
    false,
    ['encrypt'],
  );
}

/**
 * `count` keyed shifts in [0, levels): AES-256-CTR over zeros, counter block = `nonce` (32 bits) then zeros, one
 * 32-bit word per shift reduced mod `levels` (bias below 2⁻²⁴ for the alphabets used).
 */
async function shifts(key: string, nonce: number, count: number, levels: number): Promise<Uint8Array> {
  const counter = new Uint8Array(16);
  new DataView(counter.buffer).setUint32(0, nonce >>> 0);
  const stream = new Uint8Array(
    await crypto.subtle.encrypt({ name: 'AES-CTR', counter, length: 64 }, await aesKey(key), new Uint8Array(count * 4)),
  );
  const view = new DataView(stream.buffer);
  const out = new Uint8Array(count);
  for (let i = 0; i < count; i++) out[i] = view.getUint32(i * 4, true) % levels;
  return out;
}

/** Encrypts symbols (each in [0, levels)) in place: s ← (s + shift) mod levels. */
export async function encryptSymbols(symbols: Uint8Array, levels: number, key: string, nonce: number): Promise<void> {
  const k = await shifts(key, nonce, symbols.length, levels);
  for (let i = 0; i < symbols.length; i++) symbols[i] = (symbols[i]! + k[i]!) % levels;
}

/** Inverse of {@link encryptSymbols} for the same key and nonce; another key yields uniformly random symbols. */
export async function decryptSymbols(symbols: Uint8Array, levels: number, key: string, nonce: number): Promise<void> {
  const k = await shifts(key, nonce, symbols.length, levels);
  for (let i = 0; i < symbols.length; i++) symbols[i] = (symbols[i]! + levels - k[i]!) % levels;
}
