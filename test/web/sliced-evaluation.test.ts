/**
 * The page's evaluation in slices (web/src/worker/sliced-evaluation.ts) adds up to one evaluateSnn
 * call: the same correct counts at every t, spikes, rates and costs, so the page shows what
 * `npm start` prints. On the demo model and the first 260 bundled test images (slices of 100, 100 and 60).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  bundledMnist,
  calibrate,
  convertToSnn,
  createOrtBackend,
  defaultConversionOptions,
  evaluateAnn,
  evaluateSnn,
  importOnnx,
  simplifyGraph,
} from '../../src/core.js';
import { readFileSync } from 'node:fs';
import { datasetSlice } from '../../web/src/worker/dataset-slice.js';
import { evaluateSnnSliced } from '../../web/src/worker/sliced-evaluation.js';

test('the sliced evaluation equals one evaluateSnn call, and reports partial accuracies along the way', async () => {
  const backend = createOrtBackend({ threads: 1 });
  const ann = simplifyGraph(importOnnx(readFileSync('models/demo-mnist.onnx'), 'demo-mnist.onnx'));
  const stats = await calibrate(backend, ann, bundledMnist('train'), { limit: 200 });
  const snn = convertToSnn(ann, stats, { ...defaultConversionOptions, strategy: 'deng-gu', shift: 'v0' });
  const test260 = datasetSlice(bundledMnist('test'), 0, 260);
  const whole = await evaluateSnn(backend, snn, test260, { T: 8 });
  const { predictions: _p, ...annResult } = await evaluateAnn(backend, ann, test260);
  const seen: number[] = [];
  const sliced = await evaluateSnnSliced(backend, snn, test260, annResult, {
    T: 8,
    onSlice: (correctAt, images, total) => {
      assert.equal(total, 260);
      assert.ok(correctAt.every((c) => c <= images));
      seen.push(images);
    },
  });
  assert.deepEqual(seen, [100, 200, 260]);
  assert.deepEqual(sliced.ann, { ...whole.ann, seconds: sliced.ann.seconds, imagesPerSecond: sliced.ann.imagesPerSecond });
  assert.deepEqual(sliced.snn.correctAt, whole.snn.correctAt);
  assert.deepEqual(sliced.snn.accuracyAt, whole.snn.accuracyAt);
  assert.deepEqual(
    sliced.snn.layers.map(({ unitCounts: _u, ...l }) => l),
    whole.snn.layers.map(({ unitCounts: _u, ...l }) => l),
  );
  assert.deepEqual(sliced.snn.exit, whole.snn.exit);
  assert.equal(sliced.snn.engine, whole.snn.engine);
  assert.deepEqual(sliced.cost, whole.cost);
  assert.equal(sliced.latency, whole.latency);
});

test('a slice of a data set yields the batches of the whole over its range, counted from its start', () => {
  const data = bundledMnist('test');
  const slice = datasetSlice(data, 100, 175);
  assert.equal(slice.size, 75);
  const batches = [...slice.batches({ batchSize: 50 })];
  assert.deepEqual(
    batches.map((b) => [b.start, b.labels.length]),
    [
      [0, 50],
      [50, 25],
    ],
  );
  const whole = [...data.batches({ batchSize: 50, limit: 175 })];
  assert.deepEqual(batches[1].x.data, whole[3].x.data);
  assert.throws(() => [...datasetSlice(data, 30, 80).batches({ batchSize: 50 })], /not on the grid/);
});
