/**
 * `ann2snn export … -o x.nir` on the bundled demo model: the file is written, the readers' accuracy is
 * printed beside ours (a subtract-reset reader of a bias-shifted model reaches ours exactly), a v0
 * model is warned about, a model NIR cannot express leaves no file, and `simulate x.nir` runs it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { convertToSnn, defaultConversionOptions } from '../../../src/convert/index.js';
import { encodeSnn } from '../../../src/model/snn-codec.js';
import { smallCnn } from '../../helpers/nets.js';
import { cli } from '../../helpers/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'ann2snn-nir-cli-'));

test('export to NIR prints the accuracy its readers reach; simulate reads the .nir back', () => {
  const snn = join(dir, 'demo-bias.snn');
  const converted = cli('convert', 'models/demo-mnist.onnx', '--calib', 'mnist', '--calib-limit', '200', '--shift', 'bias', '-o', snn);
  assert.equal(converted.code, 0, converted.err);
  const nir = join(dir, 'demo.nir');
  const r = cli('export', snn, '-o', nir, '--limit', '100', '--T', '8', '--json');
  assert.equal(r.code, 0, r.err);
  const out = JSON.parse(r.out) as { format: string; data: string; readers: { reader: string; accuracyAtT: number }[] };
  assert.equal(out.format, 'nir');
  assert.equal(out.data, 'mnist', 'the calibration data recorded by convert is the default');
  assert.deepEqual(
    out.readers.map((x) => x.reader),
    ['ann2snn', 'subtract', 'zero'],
  );
  assert.equal(out.readers[1].accuracyAtT, out.readers[0].accuracyAtT, 'subtractive reset from 0 with the bias shift is our SNN');
  const sim = cli('simulate', nir, '--limit', '100', '--T', '8', '--json');
  assert.equal(sim.code, 0, sim.err);
  const accuracy = (JSON.parse(sim.out) as { snn: { accuracyAt: number[] } }).snn.accuracyAt;
  assert.equal(accuracy[7], out.readers[1].accuracyAtT, 'simulate x.nir runs the file as a subtract-reset reader');
});

test('export to NIR warns that v(0) = θ/2 is lost; what NIR cannot express, bad data or a misnamed output leave no file', () => {
  const v0 = join(dir, 'v0.snn');
  writeFileSync(v0, encodeSnn(convertToSnn(smallCnn(3), null, defaultConversionOptions)));
  const r = cli('export', v0, '-o', join(dir, 'v0.nir'), '--no-check');
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /v\(0\) = θ\/2 is not expressible in NIR.*--shift bias/);
  const burst = join(dir, 'burst.snn');
  writeFileSync(burst, encodeSnn(convertToSnn(smallCnn(3), null, { ...defaultConversionOptions, maxSpikesPerStep: 2 })));
  const refused = cli('export', burst, '-o', join(dir, 'burst.nir'));
  assert.equal(refused.code, 1);
  assert.match(refused.err, /node '.+'.*burst|γ/);
  assert.ok(!existsSync(join(dir, 'burst.nir')));
  const badData = cli('export', v0, '-o', join(dir, 'v0-data.nir'), '--data', join(dir, 'no-such-dir'));
  assert.equal(badData.code, 1);
  assert.ok(!existsSync(join(dir, 'v0-data.nir')), 'a data set that cannot be opened is refused before writing');
  const misnamed = cli('export', v0, '-o', join(dir, 'v0.onnx'), '--format', 'nir');
  assert.equal(misnamed.code, 1);
  assert.match(misnamed.err, /named as onnx .* --format is nir: name it \.nir/);
  assert.ok(!existsSync(join(dir, 'v0.onnx')));
  assert.deepEqual(
    readdirSync(dir).filter((f) => f.includes('.tmp')),
    [],
  );
});
