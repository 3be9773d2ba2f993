import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataError } from '../../src/data/dataset.js';
import { findCifar10Dir, readCifar10 } from '../../src/node/data/cifar10-files.js';
import { cifarBytes, tempDir } from './files.js';

test('CIFAR-10 binary files round trip and concatenate in order', (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'a.bin'), cifarBytes(3, 0));
  writeFileSync(join(dir, 'b.bin'), cifarBytes(2, 3));
  const { images, labels } = readCifar10([join(dir, 'a.bin'), join(dir, 'b.bin')]);
  assert.deepEqual([...labels], [0, 1, 2, 3, 4]);
  assert.equal(images.length, 5 * 3072);
  for (let i = 0; i < 5; i++) {
    assert.equal(images[i * 3072], i % 256);
    assert.equal(images[i * 3072 + 3071], (i + 3071) % 256);
  }
});

test('CIFAR-10: bad sizes and labels are DataErrors naming the file', (t) => {
  const dir = tempDir(t);
  const bad = join(dir, 'data_batch_1.bin');
  writeFileSync(bad, cifarBytes(2).subarray(0, 3073 + 100));
  assert.throws(
    () => readCifar10([bad]),
    (e: unknown) => e instanceof DataError && e.message.includes(bad) && /3173 bytes.*3073-byte/.test(e.message),
  );
  const empty = join(dir, 'empty.bin');
  writeFileSync(empty, new Uint8Array(0));
  assert.throws(
    () => readCifar10([empty]),
    (e: unknown) => e instanceof DataError && e.message.includes(empty),
  );
  const label = join(dir, 'label.bin');
  const bytes = cifarBytes(2);
  bytes[3073] = 10;
  writeFileSync(label, bytes);
  assert.throws(
    () => readCifar10([label]),
    (e: unknown) => e instanceof DataError && /label 10 at byte offset 3073/.test(e.message),
  );
});

test('findCifar10Dir accepts the folder itself or its cifar-10-batches-bin subfolder', (t) => {
  const dir = tempDir(t);
  assert.equal(findCifar10Dir(dir), undefined);
  mkdirSync(join(dir, 'cifar-10-batches-bin'));
  writeFileSync(join(dir, 'cifar-10-batches-bin', 'test_batch.bin'), cifarBytes(1));
  assert.equal(findCifar10Dir(dir), join(dir, 'cifar-10-batches-bin'));
});
