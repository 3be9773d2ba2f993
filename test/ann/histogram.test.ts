import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addPositive, createHistogram, percentile } from '../../src/ann/histogram.js';

test('streaming histogram percentiles match sorted data to one bin width', () => {
  const h = createHistogram(1024, 0.5);
  const all: number[] = [];
  let seed = 7;
  for (let batch = 0; batch < 20; batch++) {
    const values = new Float32Array(500);
    for (let i = 0; i < values.length; i++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      const u = seed / 2 ** 31;
      values[i] = i % 3 === 0 ? 0 : -Math.log(1 - u) * (1 + batch * 0.2); // exponential, growing scale
    }
    addPositive(h, values);
    for (const v of values) if (v > 0) all.push(v);
  }
  all.sort((a, b) => a - b);
  const width = h.range / h.bins.length;
  for (const p of [50, 90, 99, 99.9]) {
    const exact = all[Math.ceil((p / 100) * all.length) - 1];
    assert.ok(Math.abs(percentile(h, p) - exact) <= width * 1.01, `p${p}: ${percentile(h, p)} vs ${exact}`);
  }
  assert.equal(percentile(h, 100), all[all.length - 1]);
  assert.equal(h.count, all.length);
  assert.ok(h.range > 0.5, 'range grew');
});

test('empty histogram reports 0', () => {
  assert.equal(percentile(createHistogram(), 99.9), 0);
});
