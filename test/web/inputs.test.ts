/**
 * The page's data inputs (web/src/worker/inputs.ts) in Node: a user's IDX pair, plain or gzip,
 * becomes the same data set `openDataset` makes of a directory's pair, and a mismatched or broken
 * pair is the core's DataError naming the files as the page received them.
 */
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { test } from 'node:test';
import { runData } from '../../web/src/worker/inputs.js';
import { idxBytes, syntheticImages } from '../data/files.js';
import { DataError } from '../../src/data/dataset.js';

const { images, labels } = syntheticImages(30, 5, 4);
const imagesFile = { name: 'imgs.idx', bytes: idxBytes([30, 5, 4], images) };
const labelsFile = { name: 'labels.idx.gz', bytes: new Uint8Array(gzipSync(idxBytes([30], labels))) };

test('an IDX pair (plain images, gzip labels) is one data set for calibration and test', async () => {
  const data = runData({ images: imagesFile, labels: labelsFile }, false);
  assert.equal(data.train, data.test);
  assert.equal(data.spec, null);
  assert.equal(data.test.size, 30);
  assert.deepEqual(data.test.sampleShape, [1, 5, 4]);
  assert.deepEqual(
    Array.from({ length: 30 }, (_, i) => data.test.label(i)),
    [...labels],
  );
  assert.deepEqual([...data.test.image(7)], [...images.subarray(7 * 20, 8 * 20)]);
});

test('a pair whose counts disagree, or a cut images file, is a DataError naming the file', () => {
  const fewer = { name: 'few.idx', bytes: idxBytes([29], labels.subarray(0, 29)) };
  assert.throws(
    () => runData({ images: imagesFile, labels: fewer }, false),
    (e: Error) => e instanceof DataError && /imgs\.idx holds 30 images but few\.idx holds 29 labels/.test(e.message),
  );
  const cut = { name: 'cut.idx', bytes: imagesFile.bytes.subarray(0, 100) };
  assert.throws(
    () => runData({ images: cut, labels: labelsFile }, false),
    (e: Error) => e instanceof DataError && e.message.startsWith('cut.idx: '),
  );
});
