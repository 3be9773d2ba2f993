/** The README's JavaScript client loop (examples/onnx-step.mjs) runs, and matches the full-T graph. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { convertToSnn, defaultConversionOptions } from '../../../src/convert/index.js';
import { exportSnn } from '../../../src/export/exporters.js';
import { smallCnn } from '../../helpers/nets.js';

test('examples/onnx-step.mjs: zeros and a counter give the readout of the onnx export', async () => {
  const model = convertToSnn(smallCnn(3), null, { ...defaultConversionOptions, maxSpikesPerStep: 2 });
  const dir = mkdtempSync(join(tmpdir(), 'ann2snn-example-'));
  const file = join(dir, 'small.step.onnx');
  writeFileSync(file, exportSnn(model, 'onnx-step'));
  const run = spawnSync(process.execPath, ['examples/onnx-step.mjs', file, '6'], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  const printed = JSON.parse(run.stdout) as { T: number; readout: number[] };
  const loop = await ort.InferenceSession.create(exportSnn(model, 'onnx', { T: 6 }));
  const out = await loop.run({ input: new ort.Tensor('float32', new Float32Array(64).fill(0.5), [1, 1, 8, 8]) });
  assert.deepEqual(printed.readout, Array.from(out.readout.data as Float64Array));
  assert.ok(printed.readout.some((v) => v !== 0));
});
