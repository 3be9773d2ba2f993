import { test } from 'node:test';
import assert from 'node:assert/strict';
import { calibrate } from '../../src/ann/calibrate.js';
import { addPositive, createHistogram } from '../../src/ann/histogram.js';
import { referenceBackend } from '../../src/backend/reference/reference-backend.js';
import { convertToSnn, defaultConversionOptions } from '../../src/convert/index.js';
import { clipFloor, quantizationError, searchThreshold } from '../../src/convert/strategies/calibrated.js';
import { smallCnn } from '../helpers/nets.js';
import { syntheticImages } from '../helpers/synthetic-data.js';

test('clip_floor_T(a; θ) = θ/T·clip(⌊a·T/θ + 1/2⌋, 0, T)', () => {
  assert.equal(clipFloor(1, 2, 2), 1); // ⌊1.5⌋ = 1 → θ/2
  assert.equal(clipFloor(0.49, 2, 2), 0);
  assert.equal(clipFloor(4, 2, 2), 2); // clipped at T
  assert.equal(clipFloor(0, 2, 2), 0);
});

test('the θ search returns the minimiser: a = {1, 1, 1, 4}, T = 2 → θ* = 22/7', () => {
  // For 4/3 < θ ≤ 4 every 1 maps to θ/2 and 4 to θ (8/θ + 1/2 ≥ 2.5), so
  // E(θ) = 3(1 − θ/2)² + (4 − θ)²,  E′(θ) = 3.5θ − 11 = 0  →  θ* = 22/7, E = 84/49;
  // for θ ≤ 4/3 everything maps to θ and E ≥ E(4/3) > 7. The histogram holds 1 at its bin's centre
  // 1 + 1/1024, which moves θ* by 3/3.5 of that.
  const h = createHistogram();
  addPositive(h, Float32Array.of(1, 1, 1, 4, 0, 0));
  const theta = searchThreshold(h, 2);
  const expected = (3 * (1 + 1 / 1024) + 8) / 3.5;
  assert.ok(Math.abs(theta - expected) < 4 / (256 * 64), `θ = ${theta}, expected ${expected}`);
  assert.ok(Math.abs(quantizationError(h, 22 / 7, 2) - 84 / 49) < 0.01);
  for (const other of [1, 2, 3, 3.5, 4]) assert.ok(quantizationError(h, theta, 2) <= quantizationError(h, other, 2));
});

test('the θ search: at large T the max (nothing to clip) wins; an empty histogram gives 0', () => {
  const h = createHistogram();
  addPositive(h, Float32Array.of(0.5, 1.5, 3));
  assert.ok(searchThreshold(h, 4096) > 2.99);
  assert.equal(searchThreshold(createHistogram(), 8), 0);
});

test("strategy 'calibrated' needs the target T and layer-wise θ; θ ≤ max activation", async () => {
  const ann = smallCnn(1, 'relu');
  const data = syntheticImages(20, [1, 8, 8]);
  const stats = await calibrate(referenceBackend, ann, data);
  const options = { ...defaultConversionOptions, strategy: 'calibrated' };
  assert.throws(() => convertToSnn(ann, stats, options), /needs the target T \(--target-T\)/);
  assert.throws(() => convertToSnn(ann, stats, { ...options, targetT: 8, thresholdScope: 'channel' }), /layer-wise thresholds only/);
  const snn = convertToSnn(ann, stats, { ...options, targetT: 4 });
  for (const layer of snn.conversion.layers) {
    const max = stats.layers.get(layer.node)!.max;
    assert.ok(layer.theta[0] > 0 && layer.theta[0] <= max, `${layer.node}: θ = ${layer.theta[0]}, max ${max}`);
    assert.match(layer.source, /least clip-floor error at T = 4/);
  }
});
