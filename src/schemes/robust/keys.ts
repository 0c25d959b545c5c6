/** The robust scheme's optional encryption: AES-CTR keystream keyed by PBKDF2(passphrase, salt) through WebCrypto. */

/**
 * PBKDF2-SHA-256 iterations: 100,000 is the most Cloudflare Workers allow (workerd refuses more), and costs ~40 ms
 * in Node; the salt is per container, so it is a per-message cost, not a per-guess table.
 */
export const PBKDF2_ITERATIONS = 100_000;

/** A derived key: the AES-CTR key and a 16-bit check value stored in the header to detect a wrong passphrase. */
export interface PayloadKey {
  key: CryptoKey;
  check: number;
}

/** Derives {@link PayloadKey} from a passphrase and an 8-byte salt (runtime-neutral: only `globalThis.crypto`). */
export async function deriveKey(passphrase: string, salt: Uint8Array): Promise<PayloadKey> {
  const subtle = globalThis.crypto.subtle;
  const base = await subtle.importKey('raw', new TextEncoder().encode(passphrase), 'PBKDF2', false, ['deriveBits']);
  const bits = new Uint8Array(
    await subtle.deriveBits(
      { name: 'PBKDF2', salt: salt as BufferSource, iterations: PBKDF2_ITERATIONS, hash: 'SHA-256' },
      base,
      272,
    ),
  );
  const key = await subtle.importKey('raw', bits.slice(0, 32), 'AES-CTR', false, ['encrypt']);
  return { key, check: (bits[32]! << 8) | bits[33]! };
}

/** XORs `bits` (0/1 per byte) in place with the AES-CTR keystream from counter 0 (one key per salt, so never reused). */
export async function xorKeystream(bits: Uint8Array, key: PayloadKey): Promise<void> {
  const zeros = new Uint8Array(Math.ceil(bits.length / 8));
  const stream = new Uint8Array(
    await globalThis.crypto.subtle.encrypt(
      { name: 'AES-CTR', counter: new Uint8Array(16), length: 64 },
      key.key,
      zeros,
    ),
  );
  for (let i = 0; i < bits.length; i++) bits[i]! ^= (stream[i >> 3]! >> (i & 7)) & 1;
}

/** Eight fresh random salt bytes. */
export function randomSalt(): Uint8Array {
  return globalThis.crypto.getRandomValues(new Uint8Array(8));
}
