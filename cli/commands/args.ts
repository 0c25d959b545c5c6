/** Shared argument and file helpers for the CLI commands: parsing, help, stdin/stdout, no-clobber atomic output. */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { link, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { isChoice } from '../../src/util/choice.js';
import { DENOISE_SETTINGS } from '../../src/audio/denoise.js';
import { QUALITIES, type Quality } from '../../src/schemes/scheme.js';
import { DEFAULT_SCHEME, SCHEME_NAMES, type SchemeName } from '../../src/schemes/registry.js';
import { FileError, UsageError } from '../errors.js';

export { FileError, UsageError, wantsHelp } from '../errors.js';

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
export function choiceOption<T extends string>(
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

/** Reads all of stdin (binary-safe). Used when a path option is `-`. */
async function readStdin(): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
  return new Uint8Array(Buffer.concat(chunks));
}

/** The bytes of an input file, or of stdin when `file` is `-`. */
export async function readInput(file: string): Promise<Uint8Array> {
  return file === '-' ? readStdin() : new Uint8Array(await readFile(file));
}

/** At most one option may read stdin: two `-` inputs would have to share one stream. */
export function checkOneStdin(values: Record<string, unknown>, names: string[]): void {
  const dashes = names.filter((n) => values[n] === '-');
  if (dashes.length > 1)
    throw new UsageError(`only one of ${dashes.map((n) => `--${n}`).join(', ')} can be "-" (stdin)`);
}

/**
 * Refuses an existing output before any work is done (so a long embed does not end in a refusal); `-` (stdout)
 * and `force` always pass. {@link writeOutput} checks again when it writes.
 */
export function checkOutput(file: string, force: boolean): void {
  if (file !== '-' && !force && existsSync(file))
    throw new FileError(`${file} already exists (add --force to overwrite it)`);
}

/**
 * Writes `bytes` to `file`, or to stdout when `file` is `-`. A file is written to a temporary sibling first and then
 * moved into place, so an interrupted or failed write never leaves a half-written output; without `force` the move is
 * a hard link, which fails rather than replace a file that appeared in the meantime.
 */
export async function writeOutput(file: string, bytes: Uint8Array, force: boolean): Promise<void> {
  if (file === '-') {
    await new Promise<void>((resolve, reject) => process.stdout.write(bytes, (e) => (e ? reject(e) : resolve())));
    return;
  }
  const tmp = path.join(
    path.dirname(file),
    `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
  );
  try {
    // Inside the try: a write that fails half-way (disk full) leaves no temporary file either.
    await writeFile(tmp, bytes, { flag: 'wx' });
    if (force) await rename(tmp, file);
    else {
      try {
        await link(tmp, file);
      } catch (e) {
        const code = (e as { code?: string }).code;
        if (code === 'EEXIST') throw new FileError(`${file} already exists (add --force to overwrite it)`);
        // File systems without hard links (FAT, some network mounts): check, then move.
        if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw e;
        checkOutput(file, false);
        await rename(tmp, file);
      }
    }
  } finally {
    await rm(tmp, { force: true });
  }
}

/**
 * Where a command's status lines go: stdout normally, stderr when stdout carries the output file (`--out -`), so a
 * pipe receives only the file's bytes.
 */
export function statusLog(outFile: string | undefined): (line: string) => void {
  return outFile === '-' ? (line) => console.error(line) : (line) => console.log(line);
}
