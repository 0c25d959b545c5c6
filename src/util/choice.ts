/** Named choices (request fields such as `quality` and `denoise`): one membership test and one parse for all of them. */
import { StegError } from './errors.js';

/** True when `value` is one of `choices`. */
export function isChoice<T extends string>(choices: readonly T[], value: unknown): value is T {
  return (choices as readonly unknown[]).includes(value);
}

/** Reads request field `field`: absent or empty → `fallback`, one of `choices` → it, anything else → `bad_request`. */
export function parseChoice<T extends string>(
  field: string,
  choices: readonly T[],
  value: string | undefined,
  fallback: T,
): T {
  if (value === undefined || value === '') return fallback;
  if (isChoice(choices, value)) return value;
  throw new StegError('bad_request', `${field} must be one of ${choices.join(', ')}; got "${value.slice(0, 40)}"`);
}
