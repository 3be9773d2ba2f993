/**
 * Each strategy's θ on hand-made activation statistics (docs/method.md §4), and every strategy of the
 * table has its case here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ActivationStats, LayerStats } from '../../src/ann/calibrate.js';
import { addPositive, createHistogram } from '../../src/ann/histogram.js';
import { defaultConversionOptions, strategies } from '../../src/convert/index.js';
import type { Node } from '../../src/ir/graph.js';

type ConversionOptions = typeof defaultConversionOptions;

const relu: Node = { op: 'Relu', name: 'a', inputs: ['z'], output: 'a' };
const clip = (max: number): Node => ({ op: 'Clip', name: 'a', inputs: ['z'], output: 'a', min: 0, max });

/** Statistics of site 'a' whose positive values are `values`, with the given per-channel max. */
function statsOf(values: readonly number[], channelMax: readonly number[]): ActivationStats {
  const histogram = createHistogram();
  addPositive(histogram, Float32Array.from(values));
  const layer: LayerStats = { node: 'a', max: histogram.max, channelMax: Float32Array.from(channelMax), histogram, count: values.length };
  return { images: 1, layers: new Map([['a', layer]]) };
}

function theta(strategy: string, site: Node, stats: ActivationStats | null, options: Partial<ConversionOptions> = {}): number[] {
  return [...strategies[strategy].threshold(site, stats, { ...defaultConversionOptions, strategy, ...options }).theta];
}

const stats = statsOf([0.5, 1, 3], [3, 0.5, 0]);
const thousand = statsOf(
  Array.from({ length: 1000 }, (_, i) => i + 1),
  [1000],
);

const cases: Readonly<Record<string, () => void>> = {
  'deng-gu': () => {
    assert.deepEqual(theta('deng-gu', clip(2), stats), [2], 'max 3 capped at the ceiling 2');
    assert.deepEqual(theta('deng-gu', clip(4), stats), [3], 'max 3 under the ceiling 4');
    assert.deepEqual(theta('deng-gu', clip(2), null), [2], 'the ceiling without statistics');
    assert.deepEqual(theta('deng-gu', clip(2), statsOf([], [0])), [2], 'the ceiling for a layer that never fired');
    assert.deepEqual(theta('deng-gu', clip(2), stats, { thresholdScope: 'channel' }), [2, 0.5, 1], 'per channel, capped; silent → 1');
    assert.throws(() => theta('deng-gu', relu, null), /needs calibration data/);
  },
  'max-norm': () => {
    assert.deepEqual(theta('max-norm', relu, stats), [3]);
    assert.deepEqual(theta('max-norm', clip(2), stats), [3], 'the ceiling plays no part');
    assert.deepEqual(theta('max-norm', relu, stats, { thresholdScope: 'channel' }), [3, 0.5, 1]);
    assert.deepEqual(theta('max-norm', relu, statsOf([], [0])), [1], 'a layer that never fired');
    assert.throws(() => theta('max-norm', clip(2), null), /needs calibration data/);
  },
  percentile: () => {
    // 1…1000: the 99th percentile is 990, to one bin width (range 1024 / 4096 bins).
    const [p99] = theta('percentile', relu, thousand, { percentile: 99 });
    assert.ok(Math.abs(p99 - 990) <= 1024 / 4096, `p99 = ${p99}`);
    assert.deepEqual(theta('percentile', relu, thousand, { percentile: 100 }), [1000]);
    assert.deepEqual(theta('percentile', relu, statsOf([], [0])), [1], 'a layer that never fired');
    assert.throws(() => theta('percentile', relu, stats, { thresholdScope: 'channel' }), /layer-wise thresholds only/);
    assert.throws(() => theta('percentile', clip(2), null), /needs calibration data/);
  },
  calibrated: () => {
    // a = {1, 1, 1, 4}, T = 2: θ* = 22/7 (hand-derived in calibrated-strategy.test.ts), the 1s at their bin's centre.
    const [t] = theta('calibrated', relu, statsOf([1, 1, 1, 4], [4]), { targetT: 2 });
    assert.ok(Math.abs(t - (3 * (1 + 1 / 1024) + 8) / 3.5) < 1e-3, `θ = ${t}`);
    assert.deepEqual(theta('calibrated', relu, statsOf([], [0]), { targetT: 8 }), [1], 'a layer that never fired');
    assert.throws(() => theta('calibrated', relu, stats), /needs the target T/);
    assert.throws(() => theta('calibrated', relu, stats, { targetT: 8, thresholdScope: 'channel' }), /layer-wise thresholds only/);
    assert.throws(() => theta('calibrated', clip(2), null, { targetT: 8 }), /needs calibration data/);
  },
  qcfs: () => {
    const quant: Node = { op: 'QuantClip', name: 'a', inputs: ['z'], output: 'a', max: 1.5, levels: 4 };
    assert.deepEqual(theta('qcfs', quant, stats), [1.5], 'λ, whatever the statistics');
    assert.deepEqual(theta('qcfs', quant, null), [1.5], 'no statistics needed');
    assert.deepEqual(theta('deng-gu', quant, null), [1.5], 'to the other strategies a QuantClip is a clip with ceiling λ');
    assert.throws(() => theta('qcfs', clip(2), stats), /needs QCFS activations .*node 'a' is Clip/);
  },
};

test('every strategy of the table has a case here', () => {
  assert.deepEqual(Object.keys(strategies).sort(), Object.keys(cases).sort());
});

for (const [name, check] of Object.entries(cases)) test(`${name}: θ on hand-made statistics`, check);
