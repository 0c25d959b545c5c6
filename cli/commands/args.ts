/** Shared argument helpers for the CLI commands. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { isChoice } from '../../src/util/choice.js';
import { DENOISE_SETTINGS } from '../../src/audio/denoise.js';
import { QUALITIES, type Quality } from '../../src/schemes/scheme.js';
import { DEFAULT_SCHEME, SCHEME_NAMES, type SchemeName } from '../../src/schemes/registry.js';

/** Thrown for a usage mistake (missing required option, bad number): exit status 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Parses `argv` strictly (unknown options are errors) and returns the option values. */
export function parse<T extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: T) {
  return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
}

/** The value of a required string option. */
export function required(values: Record<string, unknown>, name: string): string {
  const v = values[name];
  if (typeof v !== 'string' || v.length === 0) throw new UsageError(`--${name} is required`);
  return v;
}

/** A named-choice option: absent → `fallback`, one of `choices` → it, anything else → usage error. */
function choiceOption<T extends string>(
  values: Record<string, unknown>,
  name: string,
  choices: readonly T[],
  fallback: T,
): T {
  const v = values[name];
  if (v === undefined) return fallback;
  if (isChoice(choices, v)) return v;
  throw new UsageError(`--${name} must be one of ${choices.join(', ')}, got "${String(v)}"`);
}

/** `--quality standard|high` (see QUALITIES in src/schemes/scheme.ts); absent → standard. */
export function qualityOption(values: Record<string, unknown>): Quality {
  return choiceOption(values, 'quality', QUALITIES, 'standard');
}

/** `--scheme NAME` (see SCHEMES in src/schemes/registry.ts); absent → the default scheme. */
export function schemeOption(values: Record<string, unknown>): SchemeName {
  return choiceOption(values, 'scheme', SCHEME_NAMES, DEFAULT_SCHEME);
}

/** `--denoise on|off` (reveal's post-filter); absent → on. */
export function denoiseOption(values: Record<string, unknown>): boolean {
  return choiceOption(values, 'denoise', DENOISE_SETTINGS, 'on') === 'on';
}

/** A numeric option with a default; anything that is not a finite number is a usage error. */
export function numberOption(values: Record<string, unknown>, name: string, fallback: number): number {
  const v = values[name];
  if (v === undefined) return fallback;
  const n = Number(v);
  if (typeof v !== 'string' || !Number.isFinite(n))
    throw new UsageError(`--${name} must be a number, got "${String(v)}"`);
  return n;
}
