import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { outcomeLabel } from '../../fuzz/outcome.js';
import { Supervisor } from '../../fuzz/supervisor.js';
import { onnxTarget } from '../../fuzz/targets/onnx.js';

test('the supervisor classifies results, typed and untyped errors, hangs, memory and crashes, and goes on after each', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'ann2snn-harness-'));
  const path = join(dir, 'case.bin');
  await writeFile(path, new Uint8Array(1));
  const supervisor = new Supervisor({ timeMs: 15_000, memoryMb: 64 }, new URL('./hostile-targets.ts', import.meta.url));
  const expected: readonly [string, string][] = [
    ['ok', 'passed'],
    ['typed', 'user-error'],
    ['unnamed', 'FAILURE:unnamed'],
    ['range', 'FAILURE:untyped'],
    ['hang', 'FAILURE:hang'],
    ['ok', 'passed'],
    ['buffers', 'FAILURE:memory'],
    ['heap', 'FAILURE:memory'],
    ['crash', 'FAILURE:crash'],
    ['typed', 'user-error'],
  ];
  try {
    for (const [target, label] of expected) {
      const outcome = await supervisor.run(target, path);
      assert.equal(outcomeLabel(outcome), label, `${target}: ${JSON.stringify(outcome).slice(0, 300)}`);
    }
  } finally {
    await supervisor.close();
  }
  assert.equal(supervisor.spawned, 5, 'a fresh worker after the hang, the two memory failures and the crash');
});

test('the ONNX target draws the same cases from the same seed', () => {
  const draw = (seed: number) => fc.sample(onnxTarget.cases, { seed, numRuns: 5 });
  const [a, b] = [draw(42), draw(42)];
  assert.deepEqual(
    a.map((c) => c.mutation),
    b.map((c) => c.mutation),
  );
  a.forEach((c, i) => assert.deepEqual(c.bytes, b[i].bytes));
});
