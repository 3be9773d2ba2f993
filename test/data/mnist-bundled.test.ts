import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bundledMnist, bundledMnistClasses, loadBundledMnist } from '../../src/data/mnist-bundled.js';

test('bundled MNIST: 10,000 u8 digits, split 80/20 per class, train and test disjoint', () => {
  const all = loadBundledMnist('all');
  assert.equal(all.labels.length, 10_000);
  assert.equal(all.images.length, 10_000 * 784);
  const train = bundledMnist('train');
  const test = bundledMnist('test');
  assert.equal(train.size + test.size, 10_000);
  assert.equal(train.size, 7996);
  assert.equal(test.size, 2004);
  assert.deepEqual(train.sampleShape, [1, 28, 28]);
  const classes = bundledMnistClasses();
  const trainCounts = train.classCounts();
  const testCounts = test.classCounts();
  for (let c = 0; c < 10; c++) {
    const n = classes[c].length / 784;
    assert.equal(trainCounts[c], Math.floor(0.8 * n));
    assert.equal(trainCounts[c] + testCounts[c], n);
  }
  // The first test image of class 0 is the image right after the last train image of class 0.
  assert.deepEqual(test.image(0), classes[0].subarray(trainCounts[0] * 784, (trainCounts[0] + 1) * 784));
  assert.deepEqual(train.image(0), classes[0].subarray(0, 784));
});

test('bundled MNIST: deterministic order, any prefix class-balanced', () => {
  const a = loadBundledMnist('test');
  const b = loadBundledMnist('test');
  assert.deepEqual(a.labels, b.labels);
  assert.deepEqual(a.images, b.images);
  for (let i = 0; i < 1000; i++) assert.equal(a.labels[i], i % 10);
  const train = loadBundledMnist('train');
  for (let i = 0; i < 5000; i++) assert.equal(train.labels[i], i % 10);
});

test('bundled MNIST: pixels are the original bytes, normalized to [0, 1] in batches', () => {
  const d = bundledMnist('test');
  const [batch] = [...d.batches({ batchSize: 10, limit: 10 })];
  assert.deepEqual([...batch.labels], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  let max = 0;
  for (let i = 0; i < batch.x.data.length; i++) {
    const v = batch.x.data[i];
    assert.ok(v >= 0 && v <= 1);
    assert.equal(Math.round(v * 255), d.image(Math.floor(i / 784))[i % 784]);
    max = Math.max(max, v);
  }
  assert.equal(max, 1);
});
