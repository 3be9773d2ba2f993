import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { graphToOnnx } from '../../src/onnx/export-graph.js';
import { encodeModel, node, valueInfo } from '../../src/onnx/builder.js';
import { cnnModel, residualModel } from '../helpers/pytorch-like.js';
import { smallCnn } from '../helpers/nets.js';
import { cli } from '../helpers/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'ann2snn-cli-'));
const model = join(dir, 'cnn.onnx');
writeFileSync(model, cnnModel(3).bytes);
const residual = join(dir, 'residual.onnx');
writeFileSync(residual, residualModel(5).bytes);
const small8x8 = join(dir, 'small8x8.onnx');
writeFileSync(small8x8, graphToOnnx(smallCnn(4)));
const unsupported = join(dir, 'unsupported.onnx');
writeFileSync(
  unsupported,
  encodeModel({
    nodes: [node('Gelu', ['x'], ['a'], {}, 'gelu1'), node('LSTM', ['a'], ['y'], {}, 'lstm1')],
    initializers: [],
    inputs: [valueInfo('x', [null, 4])],
    outputs: [valueInfo('y', [null, 4])],
  }),
);
const truncated = join(dir, 'truncated.onnx');
writeFileSync(truncated, cnnModel(3).bytes.subarray(0, 300));

test('inspect lists nodes, shapes, parameters and MACs', () => {
  const r = cli('inspect', model);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /Conv2d/);
  assert.match(r.out, /total: [\d,]+ parameters, [\d,]+ MACs per image/);
  const json = JSON.parse(cli('inspect', model, '--json').out);
  assert.ok(json.totals.macs > 0);
});

test('inspect and eval-ann name every unsupported node', () => {
  const r = cli('inspect', unsupported);
  assert.equal(r.code, 1);
  assert.match(r.out, /gelu1/);
  assert.match(r.out, /lstm1/);
  const e = cli('eval-ann', unsupported);
  assert.equal(e.code, 1);
  assert.match(e.err, /2 unsupported nodes: 'gelu1' \(Gelu\), 'lstm1' \(LSTM\)/);
});

test('eval-ann reports accuracy and images/s, as text and JSON', () => {
  const r = cli('eval-ann', model, '--limit', '200');
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /accuracy \d+\.\d+%, \d+ images\/s/);
  const json = JSON.parse(cli('eval-ann', model, '--limit', '100', '--json', '--backend', 'reference').out);
  assert.equal(json.images, 100);
  assert.equal(json.backend, 'reference');
});

test('convert then simulate: θ per layer, accuracy at every t in JSON', () => {
  const maxPool = cli('convert', model, '--calib', 'mnist', '-o', join(dir, 'maxpool.snn'));
  assert.equal(maxPool.code, 1);
  assert.match(maxPool.err, /max pooling cannot be converted exactly.*'\/pool2\/MaxPool'/);
  const snn = join(dir, 'residual.snn');
  const c = cli('convert', residual, '--calib', 'mnist', '--calib-limit', '200', '-o', snn);
  assert.equal(c.code, 0, c.err);
  assert.match(c.out, /strategy deng-gu, shift v0/);
  assert.match(c.out, /max activation/);
  assert.match(
    c.out,
    /thresholds per layer, burst γ 1 \(IF\), neuron if, calibration mnist \(bundled, train\), 200 images \(chosen by --calib\)/,
  );
  const burst = cli(
    'convert',
    residual,
    '--calib',
    'mnist',
    '--calib-limit',
    '50',
    '--threshold-scope',
    'channel',
    '--burst',
    '3',
    '-o',
    join(dir, 'burst.snn'),
  );
  assert.equal(burst.code, 0, burst.err);
  assert.match(burst.out, /thresholds per channel, burst γ 3, neuron if, calibration mnist \(bundled, train\), 50 images/);
  assert.match(burst.out, /layer\s+θ\s+channels\s+units\s+source/);
  const before = statSync(snn).mtimeMs;
  const again = cli('convert', residual, '--calib', 'mnist', '--calib-limit', '200', '-o', snn);
  assert.equal(again.code, 1);
  assert.match(again.err, /already exists; pass --force/);
  assert.equal(statSync(snn).mtimeMs, before, 'existing output untouched');
  const s = cli('simulate', snn, '--limit', '40', '--T', '16', '--json');
  assert.equal(s.code, 0, s.err);
  const json = JSON.parse(s.out);
  assert.equal(json.snn.accuracyAt.length, 16);
  assert.ok(json.cost.synopsPerImage > 0);
  const text = cli('simulate', snn, '--limit', '40', '--T', '8');
  assert.match(text.out, /SNN/);
  assert.match(text.out, /ANN accuracy/);
  assert.match(text.out, /event engine/, 'a residual net runs on the event engine');
  const dense = cli('simulate', snn, '--limit', '10', '--T', '4', '--engine', 'dense');
  assert.match(dense.out, /dense engine/);
  const forced = cli('simulate', snn, '--limit', '10', '--T', '4', '--engine', 'event', '--precision', 'int8x2');
  assert.equal(forced.code, 1);
  assert.match(forced.err, /event engine cannot run this simulation: .*int8x2/);
});

test('bad input: clear message, non-zero exit, no half-written output', () => {
  const missing = cli('eval-ann', join(dir, 'nope.onnx'));
  assert.equal(missing.code, 1);
  assert.match(missing.err, /nope\.onnx.*no such file/);
  const cut = cli('inspect', truncated);
  assert.equal(cut.code, 1);
  assert.match(cut.err, /truncated\.onnx/);
  const shape = cli('eval-ann', small8x8, '--limit', '10');
  assert.equal(shape.code, 1);
  assert.match(shape.err, /\[N, 1, 8, 8\].*\[N, 1, 28, 28\]/);
  const flag = cli('simulate', 'x.snn', '--T', '0');
  assert.equal(flag.code, 2);
  assert.match(flag.err, /--T.*positive integer/);
  const unknown = cli('eval-ann', model, '--data', 'imagenet');
  assert.equal(unknown.code, 1);
  assert.match(unknown.err, /imagenet/);
  const badSnn = join(dir, 'bad.snn');
  writeFileSync(badSnn, 'not an snn');
  assert.match(cli('simulate', badSnn).err, /bad\.snn: not an ann2snn \.snn file/);
  const noDir = cli('convert', residual, '--calib', 'mnist', '--calib-limit', '20', '-o', join(dir, 'no-such-dir', 'm.snn'));
  assert.equal(noDir.code, 1);
  assert.match(noDir.err, /cannot write .*m\.snn.*directory .*no-such-dir.* does not exist/);
  const out = join(dir, 'partial.snn');
  const failed = cli('convert', small8x8, '--calib', 'mnist', '-o', out);
  assert.equal(failed.code, 1);
  assert.throws(() => readFileSync(out), /ENOENT/);
});
