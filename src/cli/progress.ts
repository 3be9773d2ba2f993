/** Progress on a terminal (stderr): a bar that redraws in place; silent when stderr is not a TTY or for --json. */
import cliProgress from 'cli-progress';

export interface Progress {
  update(done: number, total: number, status?: string): void;
  /** A line that stays above the bar (or is printed plainly when there is no bar). */
  log(line: string): void;
  stop(): void;
}

export function progressBar(label: string, quiet = false): Progress {
  if (quiet || !process.stderr.isTTY) {
    return { update: () => undefined, log: (line) => quiet || process.stderr.write(`${line}\n`), stop: () => undefined };
  }
  const bar = new cliProgress.SingleBar(
    {
      format: `${label.padEnd(12)} [{bar}] {percentage}% | {value}/{total} | {eta_formatted} left {status}`,
      stream: process.stderr,
      hideCursor: true,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(done, total, status = '') {
      if (!started) {
        bar.start(total, 0, { status });
        started = true;
      }
      bar.setTotal(total);
      bar.update(done, { status });
    },
    log(line) {
      if (started) {
        bar.stop();
        started = false;
      }
      process.stderr.write(`${line}\n`);
    },
    stop: () => {
      if (started) bar.stop();
      started = false;
    },
  };
}
