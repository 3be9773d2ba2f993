/**
 * Numeric flags in process (runCli): values that are not integers, or valid but beyond a ceiling
 * (--T 1e9, --threads 1e6, --batch 2^53), are refused up front with a UsageError naming the flag,
 * before any file is read; --raster-image beyond the split is refused naming the flag.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../../src/cli/program.js';
import { UsageError, isUserError } from '../../src/cli/user-errors.js';
import { MAX_TIME_STEPS } from '../../src/cli/options.js';

const silent = { writeOut: () => undefined, writeErr: () => undefined };

async function refused(argv: string[], flag: string): Promise<Error> {
  try {
    await runCli(argv, silent);
  } catch (e) {
    assert.ok(isUserError(e), `a user error, got ${String(e)}`);
    assert.ok(e.message.includes(flag), `the message names ${flag}: ${e.message}`);
    return e;
  }
  assert.fail(`${argv.join(' ')} was not refused`);
}

test('huge valid values and non-integers are refused up front, naming the flag (the model file does not exist)', async () => {
  const cases: [string[], string][] = [
    [['simulate', 'missing.snn', '--T', '1e9'], '--T'],
    [['simulate', 'missing.snn', '--T', String(MAX_TIME_STEPS + 1)], '--T'],
    [['simulate', 'missing.snn', '--T', '0'], '--T'],
    [['simulate', 'missing.snn', '--T', ''], '--T'],
    [['simulate', 'missing.snn', '--T', '1.5'], '--T'],
    [['simulate', 'missing.snn', '--T', 'NaN'], '--T'],
    [['simulate', 'missing.snn', '--threads', '1000000'], '--threads'],
    [['simulate', 'missing.snn', '--batch', String(2 ** 53)], '--batch'],
    [['simulate', 'missing.snn', '--chunk', '1e6'], '--chunk'],
    [['simulate', 'missing.snn', '--seed', String(2 ** 32)], '--seed'],
    [['simulate', 'missing.snn', '--limit', '1e300'], '--limit'],
    [['convert', 'missing.onnx', '-o', 'x.snn', '--target-T', '1e9'], '--target-T'],
    [['convert', 'missing.onnx', '-o', 'x.snn', '--burst', '1e9'], '--burst'],
    [['train', '--epochs', '1e9'], '--epochs'],
    [['report', 'missing.snn', '--e-ac', 'Infinity'], '--e-ac'],
  ];
  for (const [argv, flag] of cases) {
    const e = await refused(argv, flag);
    assert.ok(e instanceof UsageError, `${argv.join(' ')}: a UsageError`);
    assert.doesNotMatch(e.message, /missing/, 'refused before the model is read');
  }
});

test('a valid value at the ceiling passes the flag parser (and fails later on the missing file)', async () => {
  await assert.rejects(runCli(['simulate', 'missing.snn', '--T', String(MAX_TIME_STEPS)], silent), /missing\.snn/);
});
