/**
 * The CLI's .snn is a pure function of its inputs: the same model, data and flags give the same
 * bytes whatever --threads (no time stamps, no thread-dependent sums in the file).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from '../helpers/run-cli.js';

test('convert: the same .snn bytes at --threads 1 and --threads 3', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ann2snn-determinism-'));
  const files = ['1', '3'].map((threads) => {
    const out = join(dir, `t${threads}.snn`);
    const r = cli('convert', 'models/demo-mnist.onnx', '--calib-limit', '60', '--strategy', 'max-norm', '--threads', threads, '-o', out);
    assert.equal(r.code, 0, r.err);
    return readFileSync(out);
  });
  assert.ok(files[0].equals(files[1]));
});
