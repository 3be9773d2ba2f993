import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InMemoryDataset } from '../../src/data/in-memory-dataset.js';
import { computeChannelStats, normalizationTable } from '../../src/data/normalize.js';

test('computeChannelStats: per-channel mean and population std in one pass, batch size irrelevant', () => {
  // Channel 0 alternates 0 / 255 (mean 0.5, std 0.5), channel 1 is constant 51 (mean 0.2, std 0).
  const count = 7;
  const images = new Uint8Array(count * 2 * 2);
  for (let i = 0; i < count; i++) images.set([0, 255, 51, 51], i * 4);
  const d = new InMemoryDataset({ name: 'stats', images, labels: new Uint8Array(count), sampleShape: [2, 1, 2], numClasses: 1 });
  for (const batchSize of [1, 3, 100]) {
    const stats = computeChannelStats(d, { batchSize });
    assert.equal(stats.count, 14);
    assert.ok(Math.abs(stats.mean[0] - 0.5) < 1e-7 && Math.abs(stats.std[0] - 0.5) < 1e-7);
    assert.ok(Math.abs(stats.mean[1] - 0.2) < 1e-7 && stats.std[1] < 1e-6);
  }
  // Normalizing with the computed statistics gives mean 0, std 1 (channel 0).
  const standardized = computeChannelStats(d.withNormalization({ mean: [0.5, 0.2], std: [0.5, 1] }));
  assert.ok(Math.abs(standardized.mean[0]) < 1e-6 && Math.abs(standardized.std[0] - 1) < 1e-6);
});

test('normalization table: unit and broadcast single mean/std', () => {
  const unit = normalizationTable('unit', 2);
  assert.equal(unit[255], 1);
  assert.equal(unit[256 + 51], Math.fround(0.2));
  const shared = normalizationTable({ mean: [0.5], std: [0.25] }, 3);
  assert.equal(shared[2 * 256 + 255], 2);
});
