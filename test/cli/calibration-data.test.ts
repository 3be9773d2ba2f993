/**
 * Defaults that cannot mislead: convert calibrates on --calib or on the data the model's recipe
 * names, and refuses otherwise; data of the wrong shape is refused in one line naming both shapes
 * and the flag; every output says where the thresholds came from, and a converted model is
 * simulated on the data it was calibrated on unless told otherwise.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { graphToOnnx } from '../../src/onnx/export-graph.js';
import { decodeSnn } from '../../src/model/snn-codec.js';
import type { Report } from '../../src/report/schema.js';
import { smallCnn } from '../helpers/nets.js';
import { residualModel } from '../helpers/pytorch-like.js';
import { cli } from '../helpers/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'ann2snn-calib-data-'));
const bare = join(dir, 'bare.onnx');
writeFileSync(bare, residualModel(5).bytes);
const withRecipe = join(dir, 'trained.onnx');
writeFileSync(withRecipe, residualModel(5).bytes);
writeFileSync(join(dir, 'trained.recipe.json'), JSON.stringify({ format: 'ann2snn-train-recipe', version: 1, data: 'mnist' }));
const small8x8 = join(dir, 'small8x8.onnx');
writeFileSync(small8x8, graphToOnnx(smallCnn(4)));

test('convert without --calib: refused for a model that records no data, with the flag to use; no file written', () => {
  const out = join(dir, 'bare.snn');
  const r = cli('convert', bare, '-o', out);
  assert.equal(r.code, 1);
  assert.equal(r.err.trim().split('\n').length, 1, r.err);
  assert.match(r.err, /bare\.onnx: which data calibrates its thresholds\?.*bare\.recipe\.json.*--calib mnist \| fashion-mnist/);
  assert.ok(!existsSync(out));
});

test('calibration data of another shape: one line naming both shapes and the flag', () => {
  const r = cli('convert', small8x8, '--calib', 'mnist', '-o', join(dir, 'small.snn'));
  assert.equal(r.code, 1);
  assert.equal(r.err.trim().split('\n').length, 1, r.err);
  assert.match(
    r.err,
    /has shape \[N, 1, 8, 8\] but data set 'mnist \(bundled, train\)' gives images of shape \[N, 1, 28, 28\]; choose data of the model's shape with --calib/,
  );
  const report = cli('report', small8x8, '--calib', 'mnist', '--data', 'mnist', '--limit', '5');
  assert.equal(report.code, 1);
  assert.match(report.err, /gives images of shape \[N, 1, 28, 28\]; choose data of the model's shape with --data/);
});

test('the recipe names the data: convert uses it and every output says so; simulate and report default to it', () => {
  const snn = join(dir, 'trained.snn');
  const r = cli('convert', withRecipe, '--calib-limit', '30', '-o', snn, '--json');
  assert.equal(r.code, 0, r.err);
  const json = JSON.parse(r.out) as {
    calibrationData: { spec: string; images: number; chosenBy: string };
    conversion: { calibrationData: string };
  };
  assert.deepEqual({ spec: json.calibrationData.spec, images: json.calibrationData.images }, { spec: 'mnist', images: 30 });
  assert.match(json.calibrationData.chosenBy, /the recipe .*trained\.recipe\.json/);
  const recorded = json.conversion.calibrationData;
  assert.match(recorded, /^mnist \(bundled, train\), 30 images \(chosen by the recipe .*trained\.recipe\.json\)$/);

  const { model, meta } = decodeSnn(readFileSync(snn), snn);
  assert.equal(model.conversion.calibrationData, recorded, 'in the .snn');
  assert.equal(meta.calibrationData, 'mnist');

  const sim = cli('simulate', snn, '--limit', '5', '--T', '4', '--json');
  assert.equal(sim.code, 0, sim.err);
  const s = JSON.parse(sim.out) as { data: string; dataChosenBy: string; thresholdsFrom: string };
  assert.deepEqual(s, {
    ...s,
    data: 'mnist (bundled, test)',
    dataChosenBy: 'the data the model was calibrated on',
    thresholdsFrom: recorded,
  });
  const text = cli('simulate', snn, '--limit', '5', '--T', '4');
  assert.match(text.out, /thresholds from: mnist \(bundled, train\), 30 images/);

  const rep = cli('report', snn, '--limit', '5', '--T', '4', '--no-compare', '--error-images', '0', '--json');
  assert.equal(rep.code, 0, rep.err);
  assert.equal((JSON.parse(rep.out) as Report).conversion.calibrationData, recorded);
  const fromOnnx = cli('report', withRecipe, '--limit', '5', '--calib-limit', '20', '--T', '4', '--no-compare', '--error-images', '0');
  assert.equal(fromOnnx.code, 0, fromOnnx.err);
  assert.match(fromOnnx.out, /calibration mnist \(bundled, train\), 20 images \(chosen by the recipe/);
});
