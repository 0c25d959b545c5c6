/** The `stegavox` command line: parses arguments, dispatches to a command, turns expected errors into one line. */
import { isStegError } from '../src/util/errors.js';
import { BackendUnavailableError } from '../src/node/backend.js';
import { capacityCommand } from './commands/capacity.js';
import { embedCommand, revealCommand } from './commands/embed-reveal.js';
import { evalCommand } from './commands/eval.js';
import { rdCommand } from './commands/rd.js';
import { reviveCommand } from './commands/revive.js';
import { trainCommand } from './commands/train.js';
import { UsageError } from './commands/args.js';

const USAGE = `usage: stegavox <command> [options]

  embed    --image cover.png|jpg --audio clip.wav --out container.png [--key K] [--quality standard|high] [--scheme neural|coded] [--weights DIR]
  reveal   --image container.png --out clip.wav [--key K] [--denoise on|off] [--weights DIR]
  capacity --image file.png|jpg
  train    [--preset real|reference] [--steps N] [--batch 32] [--crop 64] [--lr 0.001] [--beta 1]
           [--target-psnr DB] [--seed 1] [--backend wasm|cpu|tensorflow] [--threads 1] [--run runs/NAME] [--resume]
           [--export DIR] [--version NAME] [--dtype float16|float32] [--config FILE.json] [--data ../shared/data]
           [--noise-fraction 0.7] [--beta-warmup 1500] [--checkpoint-seconds 180] [--eval-every 100]
  eval     [--weights DIR] [--images DIR] [--speech DIR] [--density 0.9] [--limit N] [--out runs/eval]
           [--figures] [--audio speech|sines|music] [--key K] [--quality standard|high] [--scheme neural|coded] [--denoise on|off] [--backend wasm|cpu]
  rd       [--weights DIR] [--images DIR] [--speech DIR] [--limit N] [--out runs/rd]
           [--densities 1,1/4,1/16] [--bits 3,4,5] [--quality standard|high] [--denoise on|off] [--backend wasm|cpu]
           (rate–distortion table: stegavox vs k-bit LSB on the same photos and clips)
  revive   --run DIR [--preset real] [--data ../shared/data] [--probe 64] [--crop 64] [--seed 1]
           (gives a checkpoint's never-firing ReLU units fresh weights, function unchanged; then train --resume)

Bad files get a one-line error and exit status 1; bad usage exits 2.`;

const COMMANDS: Record<string, (argv: string[]) => Promise<void>> = {
  embed: embedCommand,
  reveal: revealCommand,
  capacity: capacityCommand,
  train: trainCommand,
  eval: evalCommand,
  rd: rdCommand,
  revive: reviveCommand,
};

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(USAGE);
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    console.error(`stegavox: unknown command "${name}"\n\n${USAGE}`);
    return 2;
  }
  try {
    await command(rest);
    return 0;
  } catch (e) {
    if (isStegError(e) || e instanceof BackendUnavailableError) {
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
      console.error(`stegavox ${name}: ${(e as Error).message}\n\n${USAGE}`);
      return 2;
    }
    if (code === 'ENOENT' || code === 'EISDIR' || code === 'EACCES') {
      console.error(`stegavox ${name}: ${(e as Error).message}`);
      return 1;
    }
    throw e;
  }
}

process.exitCode = await main(process.argv.slice(2));
