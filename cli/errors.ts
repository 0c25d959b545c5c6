/** The CLI's own error classes and help detection: no dependencies, so `--help` and `--version` start fast. */

/** Thrown for a usage mistake (missing required option, bad number): exit status 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Thrown for a bad file or path (an output that exists, an unreadable input): one line, exit status 1. */
export class FileError extends Error {
  override name = 'FileError';
}

/** True when `argv` asks for help (`--help` or `-h` before any `--`): the command prints its usage and exits 0. */
export function wantsHelp(argv: string[]): boolean {
  for (const a of argv) {
    if (a === '--') return false;
    if (a === '--help' || a === '-h') return true;
  }
  return false;
}
