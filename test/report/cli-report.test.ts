import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { calibrate } from '../../src/ann/calibrate.js';
import { loadAnn } from '../../src/node/ann-file.js';
import { createOrtBackend } from '../../src/backend/ort/ort-backend.js';
import { convertToSnn, defaultConversionOptions } from '../../src/convert/index.js';
import { openDataset } from '../../src/node/data/open-dataset.js';
import { saveSnn } from '../../src/node/snn-file.js';
import type { Report } from '../../src/report/schema.js';
import { residualModel } from '../helpers/pytorch-like.js';
import { cli } from '../helpers/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'ann2snn-report-cli-'));
const onnx = join(dir, 'residual.onnx');
writeFileSync(onnx, residualModel(5).bytes);

test('report: ONNX in, strategies compared, HTML written, JSON on stdout; no overwrite without --force', () => {
  const html = join(dir, 'report.html');
  const args = [
    'report',
    onnx,
    '--data',
    'mnist',
    '--limit',
    '20',
    '--calib-limit',
    '100',
    '--T',
    '8',
    '--error-images',
    '10',
    '--strategies',
    'deng-gu,max-norm',
    '--resets',
    'soft',
  ];
  const r = cli(...args, '-o', html, '--json');
  assert.equal(r.code, 0, r.err);
  const report = JSON.parse(r.out) as Report;
  assert.equal(report.schema, 'ann2snn-report/1');
  assert.equal(report.T, 8);
  assert.equal(report.data.images, 20);
  assert.equal(report.conversion.calibrationImages, 100);
  assert.deepEqual(
    report.comparison!.variants.map((v) => v.label),
    ['deng-gu, bias T_shift=32, soft reset', 'deng-gu, v0=θ/2, soft reset', 'max-norm, no shift, soft reset'],
  );
  assert.deepEqual(report.layerError!.T, [1, 2, 4, 8]);
  const page = readFileSync(html, 'utf8');
  assert.equal((page.match(/<svg/g) ?? []).length, 8);

  const again = cli(...args, '-o', html);
  assert.equal(again.code, 1);
  assert.match(again.err, /already exists; pass --force/);
  assert.equal(readFileSync(html, 'utf8'), page, 'the refused file is untouched');

  const pdf = cli('report', onnx, '-o', join(dir, 'r.pdf'));
  assert.equal(pdf.code, 1);
  assert.match(pdf.err, /cannot tell the report format of .*r\.pdf/);
});

test('simulate --report writes a report of the evaluation; report on a .snn refuses conversion flags', async () => {
  const ort = createOrtBackend({ threads: 1 });
  const ann = await loadAnn(onnx);
  const stats = await calibrate(ort, ann, openDataset('mnist', { split: 'train' }), { limit: 50 });
  const snn = join(dir, 'residual.snn');
  await saveSnn(snn, convertToSnn(ann, stats, defaultConversionOptions), { source: onnx });

  const out = join(dir, 'sim.html');
  writeFileSync(out, 'old');
  const r = cli('simulate', snn, '--limit', '10', '--T', '8', '--report', out, '--force');
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /SNN/);
  assert.match(r.err, /wrote .*sim\.html/);
  const page = readFileSync(out, 'utf8');
  for (const plot of ['accuracy', 'error-causes', 'rate-histograms', 'raster', 'membrane'])
    assert.match(page, new RegExp(`data-plot="${plot}"`));
  assert.doesNotMatch(page, /data-plot="accuracy"[\s\S]*max-norm/, 'no strategy comparison without statistics');

  const flags = cli('report', snn, '--shift', 'bias', '--no-compare');
  assert.equal(flags.code, 1);
  assert.match(flags.err, /already converted: the conversion flags \(--shift\) apply to an ONNX model/);
  assert.ok(!existsSync(join(dir, 'r.pdf')));
});
