/** Shared argument helpers for the CLI commands. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { DENOISE_SETTINGS, isDenoiseSetting } from '../../shared/denoise.js';
import { isQuality, QUALITIES, type Quality } from '../../shared/pipeline.js';

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

/** `--quality standard|high` (see QUALITIES in shared/pipeline.ts); absent → standard, anything else → usage error. */
export function qualityOption(values: Record<string, unknown>): Quality {
  const v = values.quality;
  if (v === undefined) return 'standard';
  if (isQuality(v)) return v;
  throw new UsageError(`--quality must be one of ${QUALITIES.join(', ')}, got "${String(v)}"`);
}

/** `--denoise on|off` (reveal's post-filter); absent → on, anything else → usage error. */
export function denoiseOption(values: Record<string, unknown>): boolean {
  const v = values.denoise;
  if (v === undefined) return true;
  if (isDenoiseSetting(v)) return v === 'on';
  throw new UsageError(`--denoise must be one of ${DENOISE_SETTINGS.join(', ')}, got "${String(v)}"`);
}

/** A numeric option with a default; anything that is not a finite number is a usage error. */
export function numberOption(values: Record<string, unknown>, name: string, fallback: number): number {
  const v = values[name];
  if (v === undefined) return fallback;
  const n = Number(v);
  if (typeof v !== 'string' || !Number.isFinite(n)) throw new UsageError(`--${name} must be a number, got "${String(v)}"`);
  return n;
}
