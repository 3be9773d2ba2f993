import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataError } from '../../src/data/dataset.js';
import { FASHION_MNIST_DIR, openDataset } from '../../src/node/data/open-dataset.js';
import { cifarBytes, tempDir, writeIdx } from './files.js';

test("'mnist' opens the bundled digits", () => {
  assert.equal(openDataset('mnist', { split: 'test' }).size, 2004);
  assert.equal(openDataset('mnist', { split: 'all' }).size, 10_000);
});

test('an IDX directory: train/test/all splits, raw or gz', (t) => {
  const dir = tempDir(t);
  const train = writeIdx(dir, 'train', 30, 6, 5, true);
  const t10k = writeIdx(dir, 't10k', 12, 6, 5, false);
  const test = openDataset(dir, { split: 'test' });
  assert.deepEqual([test.size, test.sampleShape, test.numClasses], [12, [1, 6, 5], 10]);
  assert.deepEqual(test.image(3), t10k.images.subarray(90, 120));
  const all = openDataset(dir, { split: 'all' });
  assert.equal(all.size, 42);
  assert.deepEqual(all.image(29), train.images.subarray(29 * 30, 30 * 30));
  assert.deepEqual(all.image(30), t10k.images.subarray(0, 30));
  assert.equal(openDataset(dir, { split: 'train' }).size, 30);
});

test("normalization 'computed' standardizes the split", (t) => {
  const dir = tempDir(t);
  writeIdx(dir, 't10k', 20, 4, 4, false);
  const d = openDataset(dir, { split: 'test', normalization: 'computed' });
  assert.notEqual(d.normalization, 'unit');
  let sum = 0;
  let n = 0;
  for (const b of d.batches({ batchSize: 7 })) {
    for (const v of b.x.data) sum += v;
    n += b.x.data.length;
  }
  assert.ok(Math.abs(sum / n) < 1e-5);
});

test('a CIFAR-10 directory (or its cifar-10-batches-bin subfolder)', (t) => {
  const dir = tempDir(t);
  const bin = join(dir, 'cifar-10-batches-bin');
  mkdirSync(bin);
  for (let k = 1; k <= 5; k++) writeFileSync(join(bin, `data_batch_${k}.bin`), cifarBytes(2, 2 * (k - 1)));
  writeFileSync(join(bin, 'test_batch.bin'), cifarBytes(3, 100));
  const test = openDataset(dir, { split: 'test' });
  assert.deepEqual([test.size, test.sampleShape, test.numClasses], [3, [3, 32, 32], 10]);
  assert.deepEqual([test.label(0), test.label(2)], [0, 2]);
  const train = openDataset(bin, { split: 'train' });
  assert.equal(train.size, 10);
  assert.deepEqual(
    Array.from({ length: 10 }, (_, i) => train.label(i)),
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  );
  assert.equal(openDataset(dir, { split: 'all' }).size, 13);
});

test('missing paths, partial directories and unknown specs say what is expected', (t) => {
  const dir = tempDir(t);
  const missing = join(dir, 'nowhere');
  assert.throws(
    () => openDataset(missing, { split: 'test' }),
    (e: unknown) =>
      e instanceof DataError &&
      e.message.includes(missing) &&
      /t10k-images-idx3-ubyte/.test(e.message) &&
      /test_batch\.bin/.test(e.message),
  );
  assert.throws(
    () => openDataset('imagenet', { split: 'test' }),
    (e: unknown) =>
      e instanceof DataError &&
      /unknown dataset 'imagenet'/.test(e.message) &&
      /'mnist'/.test(e.message) &&
      /'fashion-mnist'/.test(e.message),
  );
  assert.throws(() => openDataset(dir, { split: 'test' }), /holds neither IDX nor CIFAR-10/);
  writeIdx(dir, 'train', 3, 2, 2, false);
  assert.throws(
    () => openDataset(dir, { split: 'test' }),
    (e: unknown) => e instanceof DataError && /lacks t10k-images-idx3-ubyte/.test(e.message),
  );
});

const absent = !existsSync(FASHION_MNIST_DIR);

test(
  'Fashion-MNIST from /usr/share/datasets/fashion-mnist: 10,000 test images of 28×28',
  { skip: absent ? 'dataset-fashion-mnist not installed (apt-get install dataset-fashion-mnist)' : false },
  () => {
    const d = openDataset(FASHION_MNIST_DIR, { split: 'test' });
    assert.equal(d.size, 10_000);
    assert.deepEqual(d.sampleShape, [1, 28, 28]);
    assert.deepEqual([...d.classCounts()], Array(10).fill(1000));
    assert.equal(openDataset('fashion-mnist', { split: 'test' }).size, 10_000);
  },
);
