#!/usr/bin/env node
/**
 * The `ann2snn` command line: thin commands over the public API. User errors (bad files, flags,
 * shapes, data) print one line naming what is wrong and exit 1; anything else is a bug and prints
 * its stack.
 */
import { Command, CommanderError } from 'commander';
import { registerConvert } from './commands/convert.js';
import { registerDemo } from './commands/demo.js';
import { registerExport } from './commands/export.js';
import { registerEvalAnn } from './commands/eval-ann.js';
import { registerInspect } from './commands/inspect.js';
import { registerReport } from './commands/report.js';
import { registerSimulate } from './commands/simulate.js';
import { registerTrain } from './commands/train.js';
import { isUserError } from './user-errors.js';
import { installInterruptHandler } from './interrupt.js';

export async function main(argv: readonly string[]): Promise<number> {
  const program = new Command('ann2snn')
    .description('Convert trained ANNs (ONNX) into spiking neural networks, simulate them, and measure what they cost.')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  registerDemo(program);
  registerInspect(program);
  registerEvalAnn(program);
  registerConvert(program);
  registerSimulate(program);
  registerTrain(program);
  registerReport(program);
  registerExport(program);
  for (const command of program.commands) command.exitOverride();
  try {
    await program.parseAsync(argv as string[], { from: 'user' });
    return Number(process.exitCode ?? 0);
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    if (isUserError(err)) {
      process.stderr.write(`ann2snn: error: ${err.message}\n`);
      return 1;
    }
    process.stderr.write(`ann2snn: internal error (please report): ${(err as Error).stack ?? String(err)}\n`);
    return 70;
  }
}

installInterruptHandler();
process.exitCode = await main(process.argv.slice(2));
