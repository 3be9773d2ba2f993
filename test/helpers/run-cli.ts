/** Runs `ann2snn …` (src/cli/main.ts through tsx) as a user would; a user error must never print a stack. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

export interface CliRun {
  readonly code: number | null;
  readonly out: string;
  readonly err: string;
}

export function cli(...args: string[]): CliRun {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  assert.ok(!/\n\s+at /.test(r.stderr), `no stack trace for user errors:\n${r.stderr}`);
  return { code: r.status, out: r.stdout, err: r.stderr };
}
