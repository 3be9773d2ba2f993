import { test } from 'node:test';
import assert from 'node:assert/strict';
import { activitySummary } from '../../src/analysis/activity.js';
import { applicableStrategies, compareStrategies, strategyVariants, variantLabel } from '../../src/analysis/compare-strategies.js';
import { pickNeurons, recordRaster } from '../../src/analysis/spike-raster.js';
import { calibrate } from '../../src/ann/calibrate.js';
import { createOrtBackend } from '../../src/backend/ort/ort-backend.js';
import { convertToSnn, defaultConversionOptions, ConversionError } from '../../src/convert/index.js';
import { DataError } from '../../src/data/dataset.js';
import { simulate } from '../../src/simulate/simulator.js';
import { smallCnn } from '../helpers/nets.js';
import { labelledByAnn } from '../helpers/labelled.js';

const ort = createOrtBackend({ threads: 1 });
const ann = smallCnn(12, 'relu');
const dataPromise = labelledByAnn(ort, ann, 30, [1, 8, 8]);

test('activity: per-unit rate histogram over [0, 1] that sums to the units, mean = the layer rate; T changes it', async () => {
  const data = await dataPromise;
  const snn = convertToSnn(ann, await calibrate(ort, ann, data), defaultConversionOptions);
  const rates: number[][] = [];
  for (const T of [4, 32]) {
    const sim = await simulate(ort, snn.graph, data, { T, unitCounts: true });
    const a = activitySummary(sim, snn.graph, 10);
    assert.equal(a.T, T);
    assert.equal(a.images, 30);
    for (const [i, l] of a.layers.entries()) {
      const h = l.histogram!;
      assert.equal(h.counts.length, 10);
      assert.equal(h.binWidth, 0.1);
      assert.equal(
        h.counts.reduce((s, n) => s + n, 0),
        l.units,
      );
      const counts = sim.layers[i].unitCounts!;
      const meanRate = counts.reduce((s, n) => s + n, 0) / (l.units * 30 * T);
      assert.ok(Math.abs(meanRate - l.rate) < 1e-12);
      assert.ok(l.silentFraction! >= 0 && l.silentFraction! < 1);
      assert.ok(Math.abs(l.spikesPerImage - sim.layers[i].spikes / 30) < 1e-9);
    }
    assert.ok(Math.abs(a.spikesPerImage - a.layers.reduce((s, l) => s + l.spikesPerImage, 0)) < 1e-9);
    rates.push(a.layers.map((l) => l.rate));
  }
  assert.notDeepEqual(rates[0], rates[1]);
  const noCounts = activitySummary(await simulate(ort, snn.graph, data, { T: 4 }), snn.graph);
  assert.equal(noCounts.layers[0].histogram, null);
});

test('strategy variants: deng-gu expands to bias and v0, others to no shift, times each reset; bad names are refused', () => {
  const v = strategyVariants(['deng-gu', 'max-norm', 'percentile:v0'], ['soft', 'hard'], defaultConversionOptions);
  assert.deepEqual(
    v.map((x) => x.label),
    [
      'deng-gu, bias T_shift=32, soft reset',
      'deng-gu, v0=θ/2, soft reset',
      'max-norm, no shift, soft reset',
      'percentile p99.9, v0=θ/2, soft reset',
      'deng-gu, bias T_shift=32, hard reset',
      'deng-gu, v0=θ/2, hard reset',
      'max-norm, no shift, hard reset',
      'percentile p99.9, v0=θ/2, hard reset',
    ],
  );
  assert.equal(v[4].options.reset, 'hard');
  assert.equal(variantLabel(v[1].options), v[1].label);
  assert.throws(() => strategyVariants(['nope'], ['soft'], defaultConversionOptions), ConversionError);
  assert.throws(() => strategyVariants(['deng-gu:half'], ['soft'], defaultConversionOptions), ConversionError);
});

test('strategy comparison: one set of statistics, one accuracy curve per variant; the variants differ', async () => {
  const data = await dataPromise;
  const stats = await calibrate(ort, ann, data);
  const variants = strategyVariants(['max-norm', 'percentile:none'], ['soft', 'hard'], { ...defaultConversionOptions, percentile: 90 });
  const seen: string[] = [];
  const c = await compareStrategies(ort, ann, stats, data, variants, { T: 24, annAccuracy: 1, onVariant: (_i, v) => seen.push(v.label) });
  assert.deepEqual(
    seen,
    variants.map((v) => v.label),
  );
  assert.equal(c.variants.length, 4);
  assert.equal(c.calibrationImages, 30);
  assert.equal(c.images, 30);
  for (const v of c.variants) {
    assert.equal(v.accuracyAt.length, 24);
    assert.ok(v.spikesPerImage > 0);
    assert.ok(v.latency === null || (v.latency >= 1 && v.latency <= 24 && v.accuracyAt[v.latency - 1] >= 0.99));
  }
  const [maxSoft, pctSoft, maxHard] = c.variants;
  assert.ok(pctSoft.theta[0].max < maxSoft.theta[0].max, 'the 90th percentile is below the max');
  assert.notDeepEqual(maxSoft.accuracyAt, maxHard.accuracyAt);
  assert.ok(pctSoft.spikesPerImage > maxSoft.spikesPerImage, 'lower thresholds fire more');
});

test('raster: neurons that span the rates, spike times within 1..T, a membrane trace of T + 1 values from v(0)', async () => {
  const data = await dataPromise;
  const snn = convertToSnn(ann, await calibrate(ort, ann, data), { ...defaultConversionOptions, shift: 'v0' });
  const r = await recordRaster(ort, snn, data, { T: 20, image: 3, neuronsPerLayer: 5 });
  assert.equal(r.image, 3);
  assert.equal(r.T, 20);
  assert.deepEqual(
    r.layers.map((l) => l.node),
    ['act1', 'act2'],
  );
  for (const l of r.layers) {
    assert.ok(l.neurons.length > 0 && l.neurons.length <= 5);
    assert.equal(new Set(l.neurons.map((n) => n.unit)).size, l.neurons.length);
    for (const n of l.neurons) for (const t of n.spikeTimes) assert.ok(t >= 1 && t <= 20);
    const counts = l.neurons.map((n) => n.spikeTimes.length);
    assert.deepEqual(
      counts,
      [...counts].sort((a, b) => b - a),
      'neurons are ordered by rate',
    );
  }
  const m = r.membrane!;
  assert.ok(m);
  assert.equal(m.v.length, 21);
  assert.ok(Math.abs(m.v[0] - m.theta / 2) < 1e-6, 'v(0) = θ/2');
  assert.ok(m.spikeTimes.length > 0 && m.spikeTimes.length < 20);
  // the raster of another image differs
  const other = await recordRaster(ort, snn, data, { T: 20, image: 4, neuronsPerLayer: 5 });
  assert.notDeepEqual(other.layers, r.layers);
  await assert.rejects(recordRaster(ort, snn, data, { T: 20, image: 30 }), DataError);
});

test('pickNeurons spans the counts from the most active down, silent units only to fill', () => {
  const counts = Float64Array.from([0, 5, 3, 0, 9, 1, 7]);
  assert.deepEqual(pickNeurons(counts, 3), [4, 1, 5]);
  assert.deepEqual(pickNeurons(counts, 7).slice(0, 5), [4, 6, 1, 2, 5]);
  assert.equal(pickNeurons(counts, 7).length, 7);
  assert.deepEqual(pickNeurons(new Float64Array(3), 2), [0, 2]);
});

test('strategy variants × neuron kinds: refused combinations are kept with the reason, calibrated@T sets the target T', () => {
  const v = strategyVariants(['deng-gu:v0', 'calibrated@8'], ['soft', 'hard'], defaultConversionOptions, ['if', 'signed']);
  const run = v.filter((x) => x.skip === undefined).map((x) => x.label);
  assert.deepEqual(run, [
    'deng-gu, v0=θ/2, soft reset',
    'calibrated T*=8, v0=θ/2, soft reset',
    'deng-gu, v0=θ/2, hard reset',
    'calibrated T*=8, v0=θ/2, hard reset',
    'deng-gu, v0=θ/2, soft reset, signed neurons',
    'calibrated T*=8, v0=θ/2, soft reset, signed neurons',
  ]);
  const skipped = v.filter((x) => x.skip !== undefined);
  assert.equal(skipped.length, 2);
  for (const s of skipped) assert.match(s.skip!, /hard/);
  assert.ok(v.filter((x) => x.options.strategy === 'calibrated').every((x) => x.options.targetT === 8));
  assert.throws(() => strategyVariants(['deng-gu@8'], ['soft'], defaultConversionOptions), ConversionError);
  assert.throws(() => strategyVariants(['calibrated@0'], ['soft'], defaultConversionOptions), ConversionError);
  assert.throws(() => strategyVariants(['calibrated'], ['soft'], defaultConversionOptions), /needs a target T/);
});

test('strategy comparison: refine runs on every converted variant before it is simulated; skipped ones are listed', async () => {
  const data = await dataPromise;
  const stats = await calibrate(ort, ann, data);
  const variants = strategyVariants(['deng-gu:v0'], ['soft', 'hard'], defaultConversionOptions, ['if', 'signed']);
  const refined: string[] = [];
  const c = await compareStrategies(ort, ann, stats, data, variants, {
    T: 4,
    annAccuracy: 1,
    refine: async (snn, variant) => {
      refined.push(variant.label);
      return snn;
    },
  });
  assert.deepEqual(
    refined,
    c.variants.map((r) => r.label),
  );
  assert.equal(c.variants.length, 3);
  assert.deepEqual(
    c.skipped.map((s) => s.label),
    ['deng-gu, v0=θ/2, hard reset, signed neurons'],
  );
});

test('applicable strategies: qcfs only on a net with QuantClip, calibrated only with a target T', () => {
  assert.deepEqual(applicableStrategies(ann, defaultConversionOptions), ['deng-gu', 'max-norm', 'percentile']);
  const quantClip = { ...ann, nodes: ann.nodes.map((n) => (n.op === 'Relu' ? { ...n, op: 'QuantClip' as const, max: 1, levels: 4 } : n)) };
  assert.deepEqual(applicableStrategies(quantClip, { ...defaultConversionOptions, targetT: 8 }), [
    'deng-gu',
    'max-norm',
    'percentile',
    'qcfs',
    'calibrated',
  ]);
});
