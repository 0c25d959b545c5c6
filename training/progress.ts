/** Training progress output: a one-line bar on a TTY, plain log lines otherwise. */

/** What one progress update shows. */
export interface ProgressInfo {
  step: number;
  totalSteps: number;
  coverPsnr: number;
  audioMse: number;
  beta: number;
  stepsPerSecond: number;
  valPsnr?: number;
  valPcc?: number;
}

function eta(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds > 1e7) return '?';
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = Math.floor(seconds % 60);
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : `${m}m${String(s).padStart(2, '0')}s`;
}

/** Formats and prints progress; on a TTY it redraws one line, elsewhere it prints a line every `logEvery` steps. */
export class Progress {
  private readonly tty: boolean;

  constructor(
    private readonly logEvery: number,
    stream: NodeJS.WriteStream = process.stdout,
  ) {
    this.tty = Boolean(stream.isTTY);
  }

  /** Shows `info`; `force` prints a log line even off the logging cadence (e.g. after validation). */
  update(info: ProgressInfo, force = false): void {
    const remaining = (info.totalSteps - info.step) / Math.max(info.stepsPerSecond, 1e-9);
    const val = info.valPsnr !== undefined ? ` | val ${info.valPsnr.toFixed(2)} dB PCC ${info.valPcc?.toFixed(4)}` : '';
    const text =
      `step ${info.step}/${info.totalSteps} | cover ${info.coverPsnr.toFixed(2)} dB | audio mse ${info.audioMse.toExponential(3)}` +
      ` | β ${info.beta.toFixed(3)}${val} | ${info.stepsPerSecond.toFixed(2)} it/s | ETA ${eta(remaining)}`;
    if (this.tty) {
      const width = 28;
      const filled = Math.round((info.step / info.totalSteps) * width);
      process.stdout.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${text}\x1b[K`);
      if (force) process.stdout.write('\n');
    } else if (force || info.step % this.logEvery === 0) {
      console.log(text);
    }
  }

  /** Ends the bar's line. */
  done(): void {
    if (this.tty) process.stdout.write('\n');
  }
}
