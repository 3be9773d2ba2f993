/** The README's JavaScript client loop for `onnx-step`, run as written, gives the readout of the `onnx` export. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { loadAnn } from '../../../src/node/ann-file.js';
import { convertToSnn, defaultConversionOptions } from '../../../src/convert/index.js';
import { exportSnn } from '../../../src/export/exporters.js';

test('the README JavaScript loop runs on an exported onnx-step file and matches the onnx export', async () => {
  const readme = readFileSync('README.md', 'utf8');
  const snippet = /JavaScript \(`onnxruntime-node`[^\n]*\n\n```js\n([\s\S]*?)```/.exec(readme)?.[1];
  assert.ok(snippet, 'the README has the JavaScript onnx-step snippet');
  const model = convertToSnn(await loadAnn('models/demo-mnist.onnx'), null, defaultConversionOptions);
  const file = join(mkdtempSync(join(tmpdir(), 'ann2snn-readme-')), 'model.step.onnx');
  writeFileSync(file, await exportSnn(model, 'onnx-step'));
  // Run as written (only the file name changes), as an ES module resolving onnxruntime-node from here.
  const code = snippet.replace("'model.step.onnx'", JSON.stringify(file));
  const run = spawnSync(process.execPath, ['--input-type=module', '--eval', code], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  const printed = JSON.parse(run.stdout) as number[];
  const loop = await ort.InferenceSession.create(await exportSnn(model, 'onnx', { T: 32 }));
  const out = await loop.run({ input: new ort.Tensor('float32', new Float32Array(784).fill(0.5), [1, 1, 28, 28]) });
  assert.deepEqual(printed, Array.from(out.readout.data as Float64Array));
  assert.ok(printed.some((v) => v !== 0));
});
