/** Small helpers the API routes share. */

/** Longest key accepted in the `key` form field (characters). */
export const KEY_MAX_LENGTH = 1024;
/** Longest `quality` or `denoise` form field read before it is refused (the names are far shorter). */
export const CHOICE_MAX_LENGTH = 32;

/** A duration for the X-Stego-* headers: seconds with millisecond precision, no trailing zeros. */
export function seconds(value: number): string {
  return String(Math.round(value * 1000) / 1000);
}
