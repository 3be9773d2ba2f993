/**
 * Case files: the bytes of a case (named `<target>-<index>.<extension>`) and, for a failure, a
 * `<case file>.json` beside it with the target, seed, index, mutation and outcome, which
 * `--replay <case file>` reads to run it again.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { FuzzTarget } from './target.js';
import type { Outcome } from './outcome.js';

export interface CaseRecord {
  readonly target: string;
  readonly seed: number;
  readonly index: number;
  /** The fast-check seed this case was drawn with (derived from seed, target and index). */
  readonly caseSeed: number;
  readonly mutation: string;
  readonly outcome?: Outcome;
}

export function casePath(dir: string, target: FuzzTarget, index: number): string {
  return join(dir, `${target.name}-${index}.${target.extension}`);
}

export async function writeRecord(path: string, record: CaseRecord): Promise<void> {
  await writeFile(`${path}.json`, `${JSON.stringify(record, null, 2)}\n`);
}

/** The target of a case file to replay: from its record, else from its name (`<target>-<index>.<ext>`). */
export async function replayTarget(path: string): Promise<{ target: string; record: CaseRecord | null }> {
  try {
    const record = JSON.parse(await readFile(`${path}.json`, 'utf8')) as CaseRecord;
    return { target: record.target, record };
  } catch {
    return { target: basename(path).replace(/-\d+\.[^.]+$/, ''), record: null };
  }
}
