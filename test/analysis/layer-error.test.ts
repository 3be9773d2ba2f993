import { test } from 'node:test';
import assert from 'node:assert/strict';
import { layerErrors, defaultErrorSteps, type LayerErrorAnalysis } from '../../src/analysis/layer-error.js';
import { calibrate, type ActivationStats } from '../../src/ann/calibrate.js';
import { createOrtBackend } from '../../src/backend/ort/ort-backend.js';
import { convertToSnn, defaultConversionOptions } from '../../src/convert/index.js';
import type { ConversionOptions } from '../../src/model/snn-model.js';
import type { Graph } from '../../src/ir/graph.js';
import { maxPoolCnn, smallCnn } from '../helpers/nets.js';
import { syntheticImages } from '../helpers/synthetic-data.js';

const ort = createOrtBackend({ threads: 1 });
const data = syntheticImages(40, [1, 8, 8]);
const statsCache = new Map<Graph, ActivationStats>();

async function analyse(ann: Graph, options: Partial<ConversionOptions>, T: number[] = [4, 16, 64]): Promise<LayerErrorAnalysis> {
  if (!statsCache.has(ann)) statsCache.set(ann, await calibrate(ort, ann, data));
  const snn = convertToSnn(ann, statsCache.get(ann)!, { ...defaultConversionOptions, ...options });
  return layerErrors(ort, snn, data, { T, limit: 40, batchSize: 20 });
}

const clipNet = smallCnn(11);
const reluNet = smallCnn(11, 'relu');

test('the error is measured at every T and shrinks as T grows', async () => {
  const e = await analyse(clipNet, { shift: 'none' });
  assert.deepEqual(e.T, [4, 16, 64]);
  assert.equal(e.images, 40);
  assert.deepEqual(
    e.layers.map((l) => l.node),
    ['act1', 'act2'],
  );
  for (const l of e.layers) {
    assert.equal(l.atT.length, 3);
    assert.ok(l.meanActivation > 0);
    const [t4, t16, t64] = l.atT;
    assert.ok(t4.local.flooring > t16.local.flooring && t16.local.flooring > t64.local.flooring, `${l.node} flooring must fall with T`);
    assert.ok(t4.accumulated.total > t64.accumulated.total, `${l.node} accumulated error must fall with T`);
    // the floor biases the output down by about θ/(2T)
    assert.ok(t64.local.signed < 0, `${l.node}: a floor quantizer has a negative bias`);
  }
});

test('local soft-reset IF with constant input is the ideal quantizer: rest ≈ 0; the first layer is exact inside the SNN too', async () => {
  for (const shift of ['none', 'bias', 'v0'] as const) {
    const e = await analyse(clipNet, { shift });
    for (const l of e.layers) {
      for (const at of l.atT) {
        assert.ok(Math.abs(at.local.rest) < 1e-4, `${shift} ${l.node} T=${at.T}: local rest ${at.local.rest}`);
        assert.ok(at.local.deviation < 1e-4, `${shift} ${l.node} T=${at.T}: local deviation ${at.local.deviation}`);
      }
    }
    // direct encoding: the first spiking layer gets the ANN's exact input inside the SNN as well
    for (const at of e.layers[0].atT) assert.ok(Math.abs(at.accumulated.total - at.local.total) < 1e-6);
  }
});

test('v0 = θ/2 halves the flooring error of shift none; the bias shift is tuned for T_shift only', async () => {
  const none = await analyse(clipNet, { shift: 'none' });
  const v0 = await analyse(clipNet, { shift: 'v0' });
  const bias = await analyse(clipNet, { shift: 'bias', tShift: 16 });
  for (let l = 0; l < 2; l++) {
    for (let k = 0; k < 3; k++) {
      const a = none.layers[l].atT[k];
      const b = v0.layers[l].atT[k];
      assert.ok(b.local.flooring < 0.75 * a.local.flooring, `layer ${l} T=${a.T}: v0 ${b.local.flooring} vs none ${a.local.flooring}`);
      // the comparison of quantizers does not depend on the model's own shift
      assert.ok(Math.abs(a.flooringByShift.v0 - b.local.flooring) < 1e-9);
      assert.ok(Math.abs(b.flooringByShift.none - a.local.flooring) < 1e-9);
    }
    // bias shift with T_shift = 16 rounds exactly at T = 16 (same as v0 there) …
    const at16 = bias.layers[l].atT[1];
    assert.ok(Math.abs(at16.local.flooring - at16.flooringByShift.v0) < 1e-6, 'bias shift at T = T_shift equals rounding');
    // … and at T = 64 it over-shoots: no better than the plain floor
    const at64 = bias.layers[l].atT[2];
    assert.ok(
      at64.local.flooring > 1.5 * at64.flooringByShift.v0,
      `bias shift at T=64: ${at64.local.flooring} vs v0 ${at64.flooringByShift.v0}`,
    );
  }
});

test('accumulated error ≥ local error in the deeper layer (errors of the first layer propagate)', async () => {
  for (const shift of ['none', 'v0'] as const) {
    const e = await analyse(clipNet, { shift });
    for (const at of e.layers[1].atT) {
      assert.ok(
        at.accumulated.total >= at.local.total,
        `${shift} T=${at.T}: accumulated ${at.accumulated.total} < local ${at.local.total}`,
      );
    }
    assert.ok(e.layers[1].atT[1].accumulated.rest > 0);
  }
});

test('hard reset adds an error that is neither clipping nor flooring', async () => {
  const soft = await analyse(clipNet, { shift: 'v0', reset: 'soft' }, [32]);
  const hard = await analyse(clipNet, { shift: 'v0', reset: 'hard' }, [32]);
  assert.equal(hard.reset, 'hard');
  for (let l = 0; l < 2; l++) {
    const s = soft.layers[l].atT[0];
    const h = hard.layers[l].atT[0];
    assert.equal(h.local.flooring, s.local.flooring);
    assert.ok(h.local.rest > 5 * Math.abs(s.local.rest) && h.local.rest > 1e-3, `layer ${l}: hard-reset rest ${h.local.rest}`);
  }
});

test('the strategy changes the split: a percentile threshold below the max clips, max-norm does not', async () => {
  const maxNorm = await analyse(reluNet, { strategy: 'max-norm', shift: 'v0' }, [16]);
  const pct = await analyse(reluNet, { strategy: 'percentile', percentile: 95, shift: 'v0' }, [16]);
  // max-norm on the calibration data itself: θ = max a, so nothing is clipped
  for (const l of maxNorm.layers) {
    assert.equal(l.clippedFraction, 0);
    assert.equal(l.atT[0].local.clipping, 0);
  }
  for (const [i, l] of pct.layers.entries()) {
    assert.ok(l.thetaMax < maxNorm.layers[i].thetaMax);
    assert.ok(l.clippedFraction > 0.01 && l.clippedFraction < 0.2, `${l.node}: clipped ${l.clippedFraction}`);
    assert.ok(l.atT[0].local.clipping > 0);
    // a lower θ means a finer quantization step θ/T
    assert.ok(l.atT[0].local.flooring < maxNorm.layers[i].atT[0].local.flooring);
  }
});

test('the clipping part is mean max(a − θ, 0) of the ANN activations', async () => {
  const e = await analyse(reluNet, { strategy: 'percentile', percentile: 90, shift: 'none' }, [8]);
  const compiled = await ort.compile(reluNet, { outputs: ['act1'] });
  const [batch] = [...data.batches({ batchSize: 40 })];
  const a = (await compiled.run(batch.x)).get('act1')!.data;
  await compiled.dispose();
  const theta = e.layers[0].thetaMax;
  let expected = 0;
  for (const v of a) expected += Math.max(v - theta, 0);
  expected /= a.length;
  assert.ok(expected > 0);
  assert.ok(
    Math.abs(e.layers[0].atT[0].local.clipping - expected) < 1e-6 * Math.max(1, expected),
    `${e.layers[0].atT[0].local.clipping} vs ${expected}`,
  );
});

test('exact max pools are measured too: the pool of the ideal quantizer locally, and the first pool is exact inside the SNN', async () => {
  const net = maxPoolCnn(11);
  const images = syntheticImages(20, [1, 12, 12]);
  const snn = convertToSnn(net, await calibrate(ort, net, images), { ...defaultConversionOptions, shift: 'v0' });
  const e = await layerErrors(ort, snn, images, { T: [4, 16], limit: 20 });
  assert.deepEqual(
    e.layers.map((l) => l.node),
    ['act1', 'pool1', 'act2', 'pool2'],
  );
  assert.deepEqual(e.skipped, []);
  for (const l of e.layers) {
    assert.ok(l.meanActivation > 0, l.node);
    for (const at of l.atT) assert.ok(at.local.deviation < 1e-4 && Math.abs(at.local.rest) < 1e-4, `${l.node} T=${at.T}`);
  }
  // pool1 pools the first spiking layer, which sees the ANN's exact input: the full SNN's pool1 is its local one.
  for (const at of e.layers[1].atT) assert.ok(Math.abs(at.accumulated.total - at.local.total) < 1e-6, `pool1 T=${at.T}`);
});

test('defaultErrorSteps and argument checks', async () => {
  assert.deepEqual(defaultErrorSteps(64), [8, 16, 32, 64]);
  assert.deepEqual(defaultErrorSteps(4), [1, 2, 4]);
  const snn = convertToSnn(clipNet, null, defaultConversionOptions);
  await assert.rejects(layerErrors(ort, snn, data, { T: [0] }), { name: 'SimulationError' });
  await assert.rejects(layerErrors(ort, snn, data, { T: [] }), { name: 'SimulationError' });
});
