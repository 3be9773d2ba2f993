/**
 * The seam between the fuzzing harness (`fuzz/run.ts`) and its targets (`fuzz/targets/*.ts`).
 *
 * A target generates hostile cases (a fast-check arbitrary) and runs the project on one case. The
 * harness writes the case's bytes to a file first (named `<target>-<index>.<extension>` in a fresh
 * temporary directory) and passes its path, so a target reads it the way a user's file is read and
 * its error must name that file. A case passes when `run` resolves (a correct result; a target
 * checks what "correct" means for it, e.g. a read-back equals what was written) or rejects with one
 * of the project's user errors (`isUserError` in src/cli/user-errors.ts) whose message names the
 * file (or, for flag cases, the flag). Anything else — a built-in RangeError or TypeError, any other
 * exception, a hang past the time budget, memory beyond the budget, a crash — is a failure, and the
 * harness writes the case file and its seed so that `npm run fuzz -- --replay <file>` reproduces it.
 */
import type { Arbitrary } from 'fast-check';

export interface FuzzCase {
  /** The bytes written to the case file (for flag cases: the argv, one flag per line). */
  readonly bytes: Uint8Array;
  /** A short description of the mutation, printed with a failure (e.g. "dims[1] = 2^40 in 'conv1.weight'"). */
  readonly mutation: string;
}

export interface FuzzTarget {
  /** Name used on the command line (`--target onnx`) and in case file names. */
  readonly name: string;
  /** File extension of a case file, without the dot (`onnx`, `idx`, `snn`, `bin`, `nir`, `argv`). */
  readonly extension: string;
  /** The hostile cases. */
  readonly cases: Arbitrary<FuzzCase>;
  /**
   * Runs the project on the case file at `path`. Resolves for a correct result, rejects with the
   * project's typed error otherwise. The text every user error's message must contain (normally
   * `path` itself) is what `expectedInMessage` returns.
   */
  run(path: string): Promise<void>;
  /** The text a user error for this case must name; defaults to the case file's path. */
  expectedInMessage?(path: string): string;
}
