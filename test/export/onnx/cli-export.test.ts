/** `ann2snn export`: format from the extension, notes printed, no overwrite without --force, nothing written on refusal. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { convertToSnn, defaultConversionOptions } from '../../../src/convert/index.js';
import { exportSnn, formatForPath } from '../../../src/export/exporters.js';
import { ExportError } from '../../../src/export/export-error.js';
import { encodeSnn } from '../../../src/model/snn-codec.js';
import { smallCnn } from '../../helpers/nets.js';
import { withMaxPool } from './nets.js';
import { cli } from '../../helpers/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'ann2snn-export-'));
const model = convertToSnn(smallCnn(3), null, { ...defaultConversionOptions, tShift: 12 });
const snn = join(dir, 'small.snn');
writeFileSync(snn, encodeSnn(model));

test('formatForPath: .step.onnx → onnx-step, .onnx → onnx, .nir → nir; others refused', async () => {
  assert.equal(formatForPath('a/model.step.onnx'), 'onnx-step');
  assert.equal(formatForPath('net.nir'), 'nir');
  assert.equal(formatForPath('model.ONNX'), 'onnx');
  assert.throws(
    () => formatForPath('model.bin'),
    (e: Error) => e instanceof ExportError && /\.step\.onnx \(onnx-step\)/.test(e.message),
  );
  await assert.rejects(async () => exportSnn(model, 'tflite'), /unknown export format 'tflite'/);
});

test('export writes onnx-step and onnx (T from --T, else T_shift) and says what is exact and what is lost', async () => {
  const step = join(dir, 'm.step.onnx');
  const r = cli('export', snn, '-o', step);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /onnx-step/);
  assert.match(r.out, /exact:\n {2}- spikes, membrane potentials/);
  assert.match(r.out, /not in the file:/);
  assert.deepEqual(readFileSync(step), Buffer.from(await exportSnn(model, 'onnx-step')));

  const full = join(dir, 'm.onnx');
  const j = cli('export', snn, '-o', full, '--json');
  assert.equal(j.code, 0, j.err);
  assert.equal(JSON.parse(j.out).T, 12);
  const loop = await ort.InferenceSession.create(readFileSync(full));
  const out = await loop.run({ input: new ort.Tensor('float32', new Float32Array(64).fill(0.5), [1, 1, 8, 8]) });
  assert.deepEqual(out.predictions.dims, [12, 1]);
  const t5 = cli('export', snn, '-o', join(dir, 'five.bin'), '--format', 'onnx', '--T', '5', '--json');
  assert.equal(t5.code, 0, t5.err);
  assert.equal(JSON.parse(t5.out).T, 5);
});

test('export refuses to overwrite without --force, unknown extensions, and inexpressible nodes, leaving nothing behind', () => {
  const target = join(dir, 'taken.onnx');
  writeFileSync(target, 'keep');
  const taken = cli('export', snn, '-o', target);
  assert.equal(taken.code, 1);
  assert.match(taken.err, /already exists; pass --force/);
  assert.equal(readFileSync(target, 'utf8'), 'keep');
  assert.equal(cli('export', snn, '-o', target, '--force').code, 0);

  const unknown = cli('export', snn, '-o', join(dir, 'm.xyz'));
  assert.equal(unknown.code, 1);
  assert.match(unknown.err, /cannot tell the export format of .*m\.xyz/);

  const bad = join(dir, 'maxpool.snn');
  writeFileSync(bad, encodeSnn(withMaxPool(model)));
  const before = readdirSync(dir).length;
  const refused = cli('export', bad, '-o', join(dir, 'maxpool.step.onnx'));
  assert.equal(refused.code, 1);
  assert.match(refused.err, /ann2snn: error: node 'pool1': MaxPool has no spiking form/);
  assert.equal(existsSync(join(dir, 'maxpool.step.onnx')), false);
  assert.equal(readdirSync(dir).length, before, 'no temporary file left');
});
