/**
 * The fuzzing harness: `npm run fuzz -- --cases N --seed S [--target name] [--time-ms B]
 * [--memory-mb M] [--out dir] [--replay file]`.
 *
 * Case i goes to target i mod k (the targets named, or all of fuzz/targets/index.ts) and is drawn
 * from the target's fast-check arbitrary with a seed derived from (S, target, i), so the same S
 * gives the same cases. Each case is written to `<out>/<target>-<i>.<ext>` and run in a worker
 * thread under the time and memory budgets (supervisor.ts); a passing case's file is deleted, a
 * failing one stays with its record (case-file.ts) for `--replay`. Prints cases/s and the counts by
 * outcome, by error class and by target; exits 1 on any failure (2 on a usage error).
 */
import '../src/node/install.js'; // the Node host (src/host/platform.ts), before any core module runs
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { progressBar } from '../src/cli/progress.js';
import { casePath, replayTarget, writeRecord } from './case-file.js';
import { FuzzUsageError, parseOptions, type FuzzOptions } from './options.js';
import { outcomeLabel, type Outcome } from './outcome.js';
import { Supervisor } from './supervisor.js';
import type { FuzzCase, FuzzTarget } from './target.js';
import { targets as allTargets } from './targets/index.js';

/** FNV-1a over `${seed}/${target}/${index}`: the fast-check seed of one case. */
function caseSeed(seed: number, target: string, index: number): number {
  let h = 0x811c9dc5;
  for (const ch of `${seed}/${target}/${index}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return h | 0;
}

function drawCase(target: FuzzTarget, seed: number): FuzzCase {
  return fc.sample(target.cases, { seed, numRuns: 1 })[0];
}

function selectTargets(names: readonly string[] | null): readonly FuzzTarget[] {
  if (names === null) return allTargets;
  return names.map((name) => {
    const t = allTargets.find((x) => x.name === name);
    if (t === undefined) throw new FuzzUsageError(`no fuzz target '${name}' (targets: ${allTargets.map((x) => x.name).join(', ')})`);
    return t;
  });
}

class Tally {
  readonly outcomes = new Map<string, number>();
  readonly errorClasses = new Map<string, number>();
  readonly perTarget = new Map<string, Map<string, number>>();
  failures = 0;

  add(target: string, outcome: Outcome): void {
    const label = outcomeLabel(outcome);
    bump(this.outcomes, label);
    if (outcome.kind !== 'passed') bump(this.errorClasses, `${outcome.errorClass}${outcome.kind === 'failure' ? ' (FAILURE)' : ''}`);
    const t = this.perTarget.get(target) ?? new Map<string, number>();
    bump(t, label);
    this.perTarget.set(target, t);
    if (outcome.kind === 'failure') this.failures++;
  }
}

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

const counts = (map: ReadonlyMap<string, number>): string =>
  [...map]
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');

function describe(outcome: Outcome): string {
  return outcome.kind === 'passed' ? 'passed' : `${outcomeLabel(outcome)}: ${outcome.errorClass}: ${outcome.message.split('\n')[0]}`;
}

async function fuzz(options: FuzzOptions): Promise<number> {
  const targets = selectTargets(options.targets);
  const out = options.out ?? (await mkdtemp(join(tmpdir(), 'ann2snn-fuzz-')));
  await mkdir(out, { recursive: true });
  console.log(`fuzz: ${options.cases} cases, seed ${options.seed}, targets ${targets.map((t) => t.name).join(', ')}`);
  console.log(`fuzz: budget ${options.timeMs} ms and ${options.memoryMb} MB of heap per case; failures go to ${out}`);
  const supervisor = new Supervisor({ timeMs: options.timeMs, memoryMb: options.memoryMb });
  const tally = new Tally();
  const bar = progressBar('fuzz');
  const started = performance.now();
  let slowest = { ms: 0, index: -1, mutation: '' };
  try {
    for (let index = 0; index < options.cases; index++) {
      const target = targets[index % targets.length];
      const seed = caseSeed(options.seed, target.name, index);
      const c = drawCase(target, seed);
      const path = casePath(out, target, index);
      await writeFile(path, c.bytes);
      const outcome = await supervisor.run(target.name, path);
      if (supervisor.lastMs > slowest.ms) slowest = { ms: supervisor.lastMs, index, mutation: c.mutation };
      tally.add(target.name, outcome);
      if (outcome.kind === 'failure') {
        await writeRecord(path, { target: target.name, seed: options.seed, index, caseSeed: seed, mutation: c.mutation, outcome });
        bar.log(`FAILURE ${path} (${c.mutation}): ${describe(outcome)}`);
      } else {
        await rm(path, { force: true });
      }
      bar.update(index + 1, options.cases, `${tally.failures} failures`);
    }
  } finally {
    bar.stop();
    await supervisor.close();
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `fuzz: ${options.cases} cases in ${seconds.toFixed(1)} s (${(options.cases / seconds).toFixed(1)} cases/s), ${supervisor.spawned} worker(s) started`,
  );
  console.log(`slowest case: #${slowest.index}, ${slowest.ms.toFixed(0)} ms (${slowest.mutation})`);
  console.log(`outcomes: ${counts(tally.outcomes)}`);
  console.log(`error classes: ${counts(tally.errorClasses) || 'none'}`);
  for (const [name, t] of tally.perTarget) console.log(`  ${name}: ${counts(t)}`);
  if (tally.failures > 0) {
    console.log(`fuzz: ${tally.failures} FAILURES; case files in ${out} (rerun one with: npm run fuzz -- --replay <case file>)`);
    return 1;
  }
  if (options.out === null) await rm(out, { recursive: true, force: true }).catch(() => undefined);
  console.log('fuzz: 0 failures');
  return 0;
}

async function replay(options: FuzzOptions): Promise<number> {
  const path = options.replay as string;
  const { target, record } = await replayTarget(path);
  selectTargets([target]);
  if (record !== null) console.log(`replay: ${target} case ${record.index} of seed ${record.seed}: ${record.mutation}`);
  const supervisor = new Supervisor({ timeMs: options.timeMs, memoryMb: options.memoryMb });
  try {
    const outcome = await supervisor.run(target, path);
    console.log(`replay ${path}: ${describe(outcome)}`);
    if (outcome.kind === 'failure' && outcome.stack) console.log(outcome.stack);
    return outcome.kind === 'failure' ? 1 : 0;
  } finally {
    await supervisor.close();
  }
}

try {
  const options = parseOptions(process.argv.slice(2));
  process.exitCode = options.replay === null ? await fuzz(options) : await replay(options);
} catch (err) {
  if (!(err instanceof FuzzUsageError)) throw err;
  console.error(`fuzz: ${err.message}`);
  process.exitCode = 2;
}
