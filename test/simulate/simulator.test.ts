import { test } from 'node:test';
import assert from 'node:assert/strict';
import { calibrate } from '../../src/ann/calibrate.js';
import { evaluateAnn } from '../../src/ann/evaluate.js';
import { createOrtBackend } from '../../src/backend/ort/ort-backend.js';
import { convertToSnn, defaultConversionOptions } from '../../src/convert/index.js';
import type { ConversionOptions } from '../../src/model/snn-model.js';
import type { Graph } from '../../src/ir/graph.js';
import { poissonEncoder, simulate } from '../../src/simulate/index.js';
import { smallCnn, smallResidual } from '../helpers/nets.js';
import { syntheticImages } from '../helpers/synthetic-data.js';

const ort = createOrtBackend({ threads: 1 });

/** A data set labelled by the ANN itself, so the ANN is 100% accurate on it. */
async function labelledByAnn(graph: Graph, count: number, shape: readonly [number, number, number]) {
  const unlabelled = syntheticImages(count, shape);
  const { predictions } = await evaluateAnn(ort, graph, unlabelled);
  return syntheticImages(count, shape, 5, 10, Uint8Array.from(predictions));
}

async function convert(graph: Graph, data: Awaited<ReturnType<typeof labelledByAnn>>, options: Partial<ConversionOptions>) {
  const stats = await calibrate(ort, graph, data);
  return convertToSnn(graph, stats, { ...defaultConversionOptions, ...options });
}

test('rate × θ of every layer converges to the ANN activation as T grows', async () => {
  const ann = smallCnn(11);
  const data = await labelledByAnn(ann, 40, [1, 8, 8]);
  const snn = await convert(ann, data, { strategy: 'deng-gu', shift: 'v0' });
  const annCompiled = await ort.compile(ann, { outputs: ['act1', 'act2'] });
  const meanActivation = new Map<string, Float64Array>();
  for (const batch of data.batches({ batchSize: 40 })) {
    const out = await annCompiled.run(batch.x);
    for (const name of ['act1', 'act2']) {
      const t = out.get(name)!;
      const units = t.data.length / 40;
      const mean = new Float64Array(units);
      for (let i = 0; i < t.data.length; i++) mean[i % units] += t.data[i] / 40;
      meanActivation.set(name, mean);
    }
  }
  await annCompiled.dispose();
  const errors: number[][] = [];
  for (const T of [4, 16, 64]) {
    const result = await simulate(ort, snn.graph, data, { T, unitCounts: true, batchSize: 40 });
    errors.push(
      result.layers.map((layer) => {
        const theta = snn.conversion.layers.find((l) => l.node === layer.node)!.theta[0];
        const ann = meanActivation.get(layer.node)!;
        let err = 0;
        for (let u = 0; u < layer.units; u++) err += Math.abs((theta * layer.unitCounts![u]) / (40 * T) - ann[u]);
        return err / layer.units;
      }),
    );
  }
  for (let l = 0; l < 2; l++) {
    assert.ok(errors[2][l] < errors[0][l], `layer ${l}: error at T=64 (${errors[2][l]}) not below T=4 (${errors[0][l]})`);
  }
  assert.ok(errors[2][0] < 0.02, `first layer error at T=64: ${errors[2][0]}`);
});

test('SNN accuracy approaches the ANN with T, and every t is reported', async () => {
  const ann = smallCnn(12);
  const data = await labelledByAnn(ann, 60, [1, 8, 8]);
  const snn = await convert(ann, data, { strategy: 'deng-gu' });
  const result = await simulate(ort, snn.graph, data, { T: 64, chunk: 5 });
  assert.equal(result.accuracyAt.length, 64);
  assert.ok(result.accuracyAt[63] >= 0.9, `accuracy at T=64: ${result.accuracyAt[63]}`);
  assert.ok(result.accuracyAt[63] >= result.accuracyAt[0]);
  assert.ok(result.layers.every((l) => l.spikes > 0));
});

test('chunk size does not change the result (state carries over chunks)', async () => {
  const ann = smallCnn(13);
  const data = await labelledByAnn(ann, 20, [1, 8, 8]);
  const snn = await convert(ann, data, { strategy: 'max-norm', shift: 'bias', tShift: 16 });
  const a = await simulate(ort, snn.graph, data, { T: 20, chunk: 20, unitCounts: true, engine: 'dense' });
  const b = await simulate(ort, snn.graph, data, { T: 20, chunk: 3, unitCounts: true, engine: 'dense' });
  assert.deepEqual([...a.correctAt], [...b.correctAt]);
  assert.deepEqual(
    a.layers.map((l) => l.spikes),
    b.layers.map((l) => l.spikes),
  );
});

test('residual networks, hard reset, spiking readout and poisson input all simulate', async () => {
  const ann = smallResidual(16);
  const data = await labelledByAnn(ann, 30, [2, 6, 6]);
  const soft = await simulate(ort, (await convert(ann, data, { strategy: 'max-norm', shift: 'v0' })).graph, data, { T: 64 });
  const hard = await simulate(ort, (await convert(ann, data, { strategy: 'max-norm', shift: 'none', reset: 'hard' })).graph, data, {
    T: 64,
  });
  const spiking = await simulate(ort, (await convert(ann, data, { readout: 'spikes' })).graph, data, { T: 64 });
  assert.ok(soft.accuracyAt[63] >= 0.8, `soft ${soft.accuracyAt[63]}`);
  assert.ok(hard.layers.reduce((s, l) => s + l.spikes, 0) < soft.layers.reduce((s, l) => s + l.spikes, 0));
  assert.equal(spiking.layers.length, 4);
  const p1 = await simulate(ort, (await convert(ann, data, {})).graph, data, { T: 16, encoder: poissonEncoder(7) });
  const p2 = await simulate(ort, (await convert(ann, data, {})).graph, data, { T: 16, encoder: poissonEncoder(7), chunk: 3 });
  assert.deepEqual([...p1.correctAt], [...p2.correctAt]);
});
