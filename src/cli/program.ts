/**
 * The `ann2snn` command line as a module that does nothing on import: thin commands over the public
 * API. `runCli(argv)` parses and runs, throwing what went wrong (a flag refusal as a UsageError);
 * `main(argv)` turns that into an exit code: user errors (bad files, flags, shapes, data) print one
 * line naming what is wrong and exit 1 (usage errors 2); anything else is a bug and prints its stack
 * (exit 70). src/cli/main.ts is the executable entry.
 */
import { Command, CommanderError } from 'commander';
import { registerConvert } from './commands/convert.js';
import { registerDemo } from './commands/demo.js';
import { registerExport } from './commands/export.js';
import { registerEvalAnn } from './commands/eval-ann.js';
import { registerInspect } from './commands/inspect.js';
import { registerReport } from './commands/report.js';
import { registerServe } from './commands/serve.js';
import { registerSimulate } from './commands/simulate.js';
import { registerTrain } from './commands/train.js';
import { isUserError, UsageError } from './user-errors.js';

/** Where commander writes help (out) and its own error lines (err). */
export interface CliOutput {
  writeOut(text: string): void;
  writeErr(text: string): void;
}

const processOutput: CliOutput = {
  writeOut: (text) => process.stdout.write(text),
  writeErr: (text) => process.stderr.write(text),
};

function buildProgram(output: CliOutput): Command {
  const program = new Command('ann2snn')
    .description('Convert trained ANNs (ONNX) into spiking neural networks, simulate them, and measure what they cost.')
    .exitOverride()
    .configureOutput(output);
  registerDemo(program);
  registerInspect(program);
  registerEvalAnn(program);
  registerConvert(program);
  registerSimulate(program);
  registerTrain(program);
  registerReport(program);
  registerExport(program);
  registerServe(program);
  for (const command of program.commands) command.exitOverride();
  return program;
}

/**
 * Parses `argv` (without node and the script) and runs the command. Help and version resolve;
 * a refused flag, an unknown option or command rejects with a UsageError carrying commander's
 * message (which names the flag); every other error propagates as thrown.
 */
export async function runCli(argv: readonly string[], output: CliOutput = processOutput): Promise<void> {
  let printed = false;
  const counted: CliOutput = {
    writeOut: (text) => output.writeOut(text),
    writeErr: (text) => {
      printed = true;
      output.writeErr(text);
    },
  };
  const program = buildProgram(counted);
  let model: string | null = null;
  program.hook('preAction', (_, command) => {
    model = ['model', 'file'].includes(command.registeredArguments[0]?.name() ?? '') ? (command.args[0] ?? null) : null;
  });
  try {
    await program.parseAsync(argv as string[], { from: 'user' });
  } catch (err) {
    if (model !== null) nameModel(err, model);
    if (!(err instanceof CommanderError)) throw err;
    if (err.exitCode === 0) return;
    // An InvalidArgumentError thrown by an action (not by a flag's parser) has not been printed.
    throw new UsageError(err.message.replace(/^error: /, ''), err.code, printed);
  }
}

/** Errors raised after a model file was read, by the library that no longer knows its path. */
const modelErrors = new Set(['ConversionError', 'GraphError', 'ShapeError', 'NeuronError', 'SnnCalibrationError', 'EarlyExitError']);

/** Prefixes the model file's path to a model error that does not name it, so the line says which file is at fault. */
function nameModel(err: unknown, model: string): void {
  if (err instanceof Error && modelErrors.has(err.name) && !err.message.includes(model)) err.message = `${model}: ${err.message}`;
}

export async function main(argv: readonly string[]): Promise<number> {
  try {
    await runCli(argv);
    return Number(process.exitCode ?? 0);
  } catch (err) {
    if (err instanceof UsageError) {
      if (!err.printed) process.stderr.write(`ann2snn: error: ${err.message}\n`);
      return 2;
    }
    if (isUserError(err)) {
      process.stderr.write(`ann2snn: error: ${err.message}\n`);
      return 1;
    }
    process.stderr.write(`ann2snn: internal error (please report): ${(err as Error).stack ?? String(err)}\n`);
    return 70;
  }
}
