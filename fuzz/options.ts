/** The fuzz command line: `--cases N --seed S [--target name] [--time-ms B] [--memory-mb M] [--out dir] [--replay file]`. */

export interface FuzzOptions {
  readonly cases: number;
  readonly seed: number;
  /** Target names to run (all when none was named). */
  readonly targets: readonly string[] | null;
  readonly timeMs: number;
  readonly memoryMb: number;
  readonly out: string | null;
  readonly replay: string | null;
}

export const usage =
  'usage: npm run fuzz -- [--cases N] [--seed S] [--target name[,name…]] [--time-ms B] [--memory-mb M] [--out dir] [--replay file]';

const defaults: FuzzOptions = { cases: 1000, seed: 1, targets: null, timeMs: 10_000, memoryMb: 512, out: null, replay: null };

export class FuzzUsageError extends Error {
  override readonly name = 'FuzzUsageError';
}

export function parseOptions(argv: readonly string[]): FuzzOptions {
  const options: { -readonly [K in keyof FuzzOptions]: FuzzOptions[K] } = { ...defaults };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (value === undefined) throw new FuzzUsageError(`${flag} needs a value\n${usage}`);
    const int = (min: number): number => {
      const n = Number(value);
      if (!Number.isSafeInteger(n) || n < min) throw new FuzzUsageError(`${flag} must be an integer ≥ ${min}, got '${value}'`);
      return n;
    };
    if (flag === '--cases') options.cases = int(1);
    else if (flag === '--seed') options.seed = int(0);
    else if (flag === '--target') options.targets = value.split(',').filter((t) => t !== '');
    else if (flag === '--time-ms') options.timeMs = int(1);
    else if (flag === '--memory-mb') options.memoryMb = int(16);
    else if (flag === '--out') options.out = value;
    else if (flag === '--replay') options.replay = value;
    else throw new FuzzUsageError(`unknown flag '${flag}'\n${usage}`);
    i++;
  }
  return options;
}
