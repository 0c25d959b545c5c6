/** The `stegavox` command line: parses arguments, dispatches to a command, turns expected errors into one line. */
import { readFileSync } from 'node:fs';
import { FileError, UsageError, wantsHelp } from './errors.js';
import { COMMAND_USAGE, OVERVIEW } from './usage.js';

type Command = (argv: string[]) => Promise<void>;

// Loaded on demand: most commands pull in tfjs, and `--help` or `--version` should not wait for it.
const COMMANDS: Record<string, () => Promise<Command>> = {
  embed: async () => (await import('./commands/embed-reveal.js')).embedCommand,
  reveal: async () => (await import('./commands/embed-reveal.js')).revealCommand,
  capacity: async () => (await import('./commands/capacity.js')).capacityCommand,
  info: async () => (await import('./commands/info.js')).infoCommand,
  data: async () => (await import('./commands/data.js')).dataCommand,
  train: async () => (await import('./commands/train.js')).trainCommand,
  eval: async () => (await import('./commands/eval.js')).evalCommand,
  rd: async () => (await import('./commands/rd.js')).rdCommand,
  revive: async () => (await import('./commands/revive.js')).reviveCommand,
};

/** The version in package.json (read at run time: the CLI runs from the source tree, there is no build step). */
function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name) {
    // No command at all is a usage mistake (status 2), but the overview is what the user needs to see.
    console.log(OVERVIEW);
    return 2;
  }
  if (name === '--help' || name === '-h') {
    console.log(OVERVIEW);
    return 0;
  }
  if (name === 'help') {
    // `stegavox help embed` is `stegavox embed --help`.
    const topic = rest[0];
    console.log(topic && COMMAND_USAGE[topic] ? COMMAND_USAGE[topic] : OVERVIEW);
    return 0;
  }
  if (name === '--version' || name === '-V') {
    console.log(`stegavox ${version()}`);
    return 0;
  }
  const load = COMMANDS[name];
  if (!load) {
    console.error(`stegavox: unknown command "${name}"\n\n${OVERVIEW}`);
    return 2;
  }
  const usage = COMMAND_USAGE[name] ?? OVERVIEW;
  if (wantsHelp(rest)) {
    console.log(usage);
    return 0;
  }
  const command = await load();
  // Imported with the command, so a help or version run never loads them.
  const { isStegError } = await import('../src/util/errors.js');
  const { BackendUnavailableError } = await import('../src/node/backend.js');
  try {
    await command(rest);
    return 0;
  } catch (e) {
    if (isStegError(e) || e instanceof BackendUnavailableError || e instanceof FileError) {
      console.error(`stegavox ${name}: ${e.message}`);
      return 1;
    }
    const code = (e as { code?: string }).code;
    if (
      e instanceof UsageError ||
      code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ||
      code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' ||
      code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL'
    ) {
      console.error(`stegavox ${name}: ${(e as Error).message}\n\n${usage}`);
      return 2;
    }
    if (code === 'ENOENT' || code === 'EISDIR' || code === 'EACCES' || code === 'ENOTDIR' || code === 'EEXIST') {
      console.error(`stegavox ${name}: ${(e as Error).message}`);
      return 1;
    }
    throw e;
  }
}

process.exitCode = await main(process.argv.slice(2));
