import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DataError, type Batch } from '../../src/data/dataset.js';
import { InMemoryDataset, shuffledOrder } from '../../src/data/in-memory-dataset.js';

function make(count = 23, normalization?: { mean: number[]; std: number[] }): InMemoryDataset {
  // Image i: channel c, pixel p = (i + 10c + p) mod 256, so every image is recognisable.
  const images = new Uint8Array(count * 2 * 3 * 2);
  for (let i = 0; i < count; i++) for (let k = 0; k < 12; k++) images[i * 12 + k] = (i + 10 * Math.floor(k / 6) + (k % 6)) % 256;
  const labels = Uint8Array.from({ length: count }, (_, i) => i % 4);
  return new InMemoryDataset({ name: 'toy', images, labels, sampleShape: [2, 3, 2], numClasses: 4, normalization });
}

/** Recovers each batch row's dataset index from its first pixel. */
function ids(batches: Iterable<Batch>): number[] {
  const out: number[] = [];
  for (const b of batches) for (let n = 0; n < b.x.shape[0]; n++) out.push(Math.round(b.x.data[n * 12] * 255));
  return out;
}

test('batches cover every image exactly once, in order, normalized to [0, 1]', () => {
  const d = make();
  const batches = [...d.batches({ batchSize: 5 })];
  assert.deepEqual(
    batches.map((b) => [b.start, b.x.shape]),
    [0, 5, 10, 15, 20].map((s) => [s, [s === 20 ? 3 : 5, 2, 3, 2]]),
  );
  assert.deepEqual(ids(batches), [...Array(23).keys()]);
  assert.deepEqual([...batches[1].labels], [1, 2, 3, 0, 1]);
  assert.deepEqual([...(batches[1].indices ?? [])], [5, 6, 7, 8, 9]);
  assert.equal(batches[0].x.data[7], Math.fround(11 / 255)); // image 0, channel 1, pixel 1
});

test('seeded shuffle: the same seed gives the same order, each image once; another seed differs', () => {
  const d = make();
  const a = ids(d.batches({ batchSize: 4, shuffleSeed: 42 }));
  const b = ids(d.batches({ batchSize: 7, shuffleSeed: 42 }));
  const c = ids(d.batches({ batchSize: 4, shuffleSeed: 43 }));
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
  assert.notDeepEqual(a, [...Array(23).keys()]);
  assert.deepEqual(
    [...a].sort((x, y) => x - y),
    [...Array(23).keys()],
  );
  assert.deepEqual(a, [...shuffledOrder(23, 42)]);
  const batch = [...d.batches({ batchSize: 23, shuffleSeed: 42 })][0];
  assert.deepEqual(
    [...batch.labels],
    a.map((i) => i % 4),
  );
  assert.deepEqual([...(batch.indices ?? [])], a);
});

test('limit takes the first images of the (shuffled) order', () => {
  const d = make();
  assert.deepEqual(ids(d.batches({ batchSize: 4, limit: 6 })), [0, 1, 2, 3, 4, 5]);
  assert.deepEqual(ids(d.batches({ batchSize: 4, limit: 6, shuffleSeed: 1 })), [...shuffledOrder(23, 1).subarray(0, 6)]);
  assert.equal(ids(d.batches({ batchSize: 4, limit: 100 })).length, 23);
  assert.equal([...d.batches({ batchSize: 4, limit: 0 })].length, 0);
});

test('per-channel normalization is applied per batch; withNormalization shares the pixels', () => {
  const d = make(3).withNormalization({ mean: [0.5, 0.25], std: [0.5, 2] });
  const [batch] = [...d.batches({ batchSize: 3 })];
  assert.ok(Math.abs(batch.x.data[12 + 0] - (1 / 255 - 0.5) / 0.5) < 1e-6);
  assert.ok(Math.abs(batch.x.data[12 + 6] - (11 / 255 - 0.25) / 2) < 1e-6);
  assert.deepEqual(d.image(1), make(3).image(1));
});

test('bad construction and options are DataErrors', () => {
  assert.throws(
    () => new InMemoryDataset({ name: 'x', images: new Uint8Array(5), labels: new Uint8Array(1), sampleShape: [1, 2, 2], numClasses: 2 }),
    DataError,
  );
  assert.throws(
    () => new InMemoryDataset({ name: 'x', images: new Uint8Array(4), labels: Uint8Array.of(3), sampleShape: [1, 2, 2], numClasses: 2 }),
    /label 3/,
  );
  assert.throws(() => make(2, { mean: [0, 0, 0], std: [1, 1, 1] }), /mean has 3 values/);
  assert.throws(() => make(2, { mean: [0], std: [0] }), /std/);
  const d = make();
  assert.throws(() => [...d.batches({ batchSize: 0 })], DataError);
  assert.throws(() => [...d.batches({ batchSize: 2, limit: -1 })], DataError);
});
