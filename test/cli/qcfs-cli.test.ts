/**
 * QCFS end to end through the CLI: `train --act qcfs --levels 4` → ONNX (QuantClip as its Div…Floor…Mul
 * chain) → `convert --strategy qcfs` (the importer fuses the chain back; θ = the learned λ) → `simulate`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from '../helpers/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'ann2snn-qcfs-'));

test('train --act qcfs → convert --strategy qcfs → simulate; conflicting flags and non-QCFS nets are refused', () => {
  const onnx = join(dir, 'q.onnx');
  const t = cli(
    'train',
    '--preset',
    'demo',
    '--act',
    'qcfs',
    '--levels',
    '4',
    '--limit',
    '512',
    '--epochs',
    '1',
    '--batch',
    '32',
    '--lr',
    '3e-3',
    '--threads',
    '1',
    '-o',
    onnx,
    '--json',
  );
  assert.equal(t.code, 0, t.err);
  const recipe = JSON.parse(readFileSync(join(dir, 'q.recipe.json'), 'utf8'));
  assert.equal(recipe.act, 'qcfs');
  assert.equal(recipe.levels, 4);
  assert.equal(recipe.limit, 512);
  const lambdas = Object.values(recipe.lambdas as Record<string, number>);
  assert.equal(lambdas.length, 3);
  assert.ok(
    lambdas.some((l) => l !== 1),
    'λ is learned',
  );

  // The exported file computes what the training engine evaluated.
  const e = JSON.parse(cli('eval-ann', onnx, '--data', 'mnist', '--json').out);
  assert.equal(e.accuracy, recipe.testAccuracy);

  const snn = join(dir, 'q.snn');
  const c = cli('convert', onnx, '--strategy', 'qcfs', '--calib-limit', '20', '-o', snn, '--json');
  assert.equal(c.code, 0, c.err);
  const layers = JSON.parse(c.out).conversion.layers as { theta: number[]; source: string }[];
  assert.deepEqual(
    layers.map((l) => l.theta[0]),
    lambdas.map((l) => Math.fround(l)),
  );
  assert.ok(layers.every((l) => l.source === 'QCFS λ (L = 4)'));
  const s = cli('simulate', snn, '--limit', '50', '--T', '8', '--json');
  assert.equal(s.code, 0, s.err);

  const bias = cli('convert', onnx, '--strategy', 'qcfs', '--shift', 'bias', '--calib-limit', '20', '-o', join(dir, 'b.snn'));
  assert.notEqual(bias.code, 0);
  assert.match(bias.err, /strategy 'qcfs' requires --shift v0; got --shift bias/);
  const plain = cli('convert', 'models/demo-mnist.onnx', '--strategy', 'qcfs', '--calib-limit', '20', '-o', join(dir, 'p.snn'));
  assert.notEqual(plain.code, 0);
  assert.match(plain.err, /strategy 'qcfs' needs QCFS activations .*node '.+' is (Clip|Relu)/);
  assert.match(plain.err, /^ann2snn: error: models\/demo-mnist\.onnx: /, 'a model error names the model file');
});
