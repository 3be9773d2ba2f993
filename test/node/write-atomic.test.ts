/**
 * No partial or corrupt output, ever: an atomic write leaves either the old file or the complete new
 * one, never a temporary file — when it fails, when the process gets Ctrl-C or SIGTERM in the middle
 * of writing (the CLI's handler removes the temporary file and exits 130/143 with one line), and after
 * SIGKILL once the next write of the same target has run (stale temporaries carry a dead pid).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { constants, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { OutputExistsError, OutputPathError, writeAtomic, writeFileAtomic } from '../../src/node/write-atomic.js';

const fresh = () => mkdtempSync(join(tmpdir(), 'ann2snn-atomic-'));

/** An old file of random bytes, to check byte for byte after the kill. */
function oldFile(dir: string): { target: string; old: Buffer } {
  const target = join(dir, 'model.snn');
  const old = randomBytes(100_000);
  writeFileSync(target, old);
  return { target, old };
}

interface Child {
  readonly process: ChildProcess;
  /** The temporary file the child is writing (announced once its first chunk is on disk). */
  readonly temporary: string;
  readonly exit: Promise<{ status: number; stderr: string }>;
}

/** Starts test/node/slow-writer.ts and waits until it is in the middle of writing `target`. */
async function slowWriter(target: string, first?: string): Promise<Child> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/node/slow-writer.ts', target, ...(first ? [first] : [])], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exit = new Promise<{ status: number; stderr: string }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ status: code ?? 128 + constants.signals[signal!], stderr })),
  );
  const temporary = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /writing (.+)\n/.exec(out);
      if (m) resolve(m[1]);
    });
    void exit.then(({ status }) => reject(new Error(`the writer exited (${status}) before writing:\n${stderr}`)));
  });
  return { process: child, temporary, exit };
}

test('a write replaces the target whole, refuses an existing one without overwrite, and leaves no temporary file on failure', async () => {
  const dir = fresh();
  const { target, old } = oldFile(dir);
  await assert.rejects(writeFileAtomic(target, 'new'), OutputExistsError);
  await assert.rejects(
    writeAtomic(
      target,
      async (temporary) => {
        await writeFile(temporary, 'half');
        throw new Error('disk on fire');
      },
      true,
    ),
    /disk on fire/,
  );
  assert.deepEqual(readFileSync(target), old);
  assert.deepEqual(readdirSync(dir), ['model.snn']);
  // A file that appears while the output is written is not replaced either (hard link, not rename).
  const late = join(dir, 'late.json');
  await assert.rejects(
    writeAtomic(late, async (temporary) => {
      await writeFile(temporary, 'ours');
      await writeFile(late, 'theirs');
    }),
    OutputExistsError,
  );
  assert.equal(readFileSync(late, 'utf8'), 'theirs');
  await writeFileAtomic(target, 'new', true);
  await writeFileAtomic(join(dir, 'empty.txt'), '');
  assert.equal(readFileSync(target, 'utf8'), 'new');
  assert.deepEqual(readdirSync(dir).sort(), ['empty.txt', 'late.json', 'model.snn']);
  await assert.rejects(writeFileAtomic(join(dir, 'no', 'such.snn'), 'x'), OutputPathError);
});

test('a write removes the temporary files of its target that dead processes left, and nothing else', async () => {
  const dir = fresh();
  const dead = spawnSync(process.execPath, ['-e', '']).pid;
  const stale = [`.model.snn.${dead}-1.tmp`, `.model.snn.${process.pid}-999999.tmp`];
  const others = [`.other.snn.${dead}-1.tmp`, '.model.snn.notes', `.model.snn.${process.ppid}-1.tmp`];
  for (const name of [...stale, ...others]) writeFileSync(join(dir, name), 'left over');
  await writeFileAtomic(join(dir, 'model.snn'), 'new');
  assert.deepEqual(readdirSync(dir).sort(), [...others, 'model.snn'].sort());
});

for (const [signal, status] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
] as const) {
  test(`${signal} in the middle of a write: the old file intact, no temporary file, one line, exit ${status}`, async () => {
    const dir = fresh();
    const { target, old } = oldFile(dir);
    const child = await slowWriter(target);
    assert.ok(existsSync(child.temporary), 'the kill lands mid-write');
    assert.match(basename(child.temporary), new RegExp(`^\\.model\\.snn\\.${child.process.pid}-\\d+\\.tmp$`));
    child.process.kill(signal);
    const { status: got, stderr } = await child.exit;
    assert.equal(got, status, stderr);
    assert.equal(stderr, `ann2snn: interrupted (${signal}); nothing was written\n`);
    assert.deepEqual(readFileSync(target), old);
    assert.deepEqual(readdirSync(dir), ['model.snn']);
  });
}

test('Ctrl-C after one output is complete names it as kept', async () => {
  const dir = fresh();
  const { target, old } = oldFile(dir);
  const first = join(dir, 'first.json');
  const child = await slowWriter(target, first);
  child.process.kill('SIGINT');
  const { status, stderr } = await child.exit;
  assert.equal(status, 130, stderr);
  assert.equal(stderr, `ann2snn: interrupted (SIGINT); kept ${first} (complete); nothing else was written\n`);
  assert.equal(readFileSync(first, 'utf8'), 'complete\n');
  assert.deepEqual(readFileSync(target), old);
  assert.deepEqual(readdirSync(dir).sort(), ['first.json', 'model.snn']);
});

test('SIGKILL in the middle of a write: the old file intact; the next write removes the dead temporary file', async () => {
  const dir = fresh();
  const { target, old } = oldFile(dir);
  const child = await slowWriter(target);
  // A live writer's temporary file is not stale: another write of the same target leaves it alone.
  await writeFileAtomic(target, old, true);
  assert.ok(existsSync(child.temporary));
  child.process.kill('SIGKILL');
  assert.equal((await child.exit).status, 137);
  assert.deepEqual(readFileSync(target), old);
  assert.ok(existsSync(child.temporary), 'SIGKILL cannot be caught: the temporary file stays until the next write');
  await writeFileAtomic(target, 'new', true);
  assert.equal(readFileSync(target, 'utf8'), 'new');
  assert.deepEqual(readdirSync(dir), ['model.snn']);
});
