import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createOrtBackend } from '../../../src/backend/ort/ort-backend.js';
import { convertToSnn, defaultConversionOptions } from '../../../src/convert/index.js';
import type { SnnModel } from '../../../src/model/snn-model.js';
import type { Graph } from '../../../src/ir/graph.js';
import { mulberry32 } from '../../../src/tensor/random.js';
import { labelledByAnn } from '../../helpers/labelled.js';
import type { InMemoryDataset } from '../../../src/data/in-memory-dataset.js';
import { nirReaderVariants, readNir, snnToNir, writeNir } from '../../../src/export/nir/index.js';
import { simulate } from '../../../src/simulate/index.js';
import { conv3x3, randomTensor, smallCnn, smallResidual } from '../../helpers/nets.js';
import { concatNet, converted } from './nets.js';

const ort = createOrtBackend({ threads: 1 });
const T = 12;

/** simulate(readNir(writeNir(m))) = simulate(m): accuracy at every t exactly, spikes per unit up to float noise. */
async function assertRoundTrip(model: SnnModel, data: InMemoryDataset, shift = 'bias'): Promise<void> {
  const file = await writeNir(model);
  const back = await readNir(file.bytes, 'round-trip.nir');
  const original = await simulate(ort, model.graph, data, { T, unitCounts: true });
  const read = await simulate(ort, back.graph, data, { T, unitCounts: true });
  assert.deepEqual([...read.correctAt], [...original.correctAt], 'correct images at every t');
  assert.deepEqual(
    read.layers.map((l) => l.node),
    original.layers.map((l) => l.node),
  );
  for (let i = 0; i < original.layers.length; i++) {
    const a = original.layers[i].unitCounts!;
    const b = read.layers[i].unitCounts!;
    let differing = 0;
    for (let u = 0; u < a.length; u++) differing += Math.abs(a[u] - b[u]);
    // Float noise: θ moves from the comparison (v ≥ θ) into the weights (W/θ, v ≥ 1).
    assert.ok(
      differing <= 0.002 * original.layers[i].spikes + 2,
      `${original.layers[i].node}: ${differing} of ${original.layers[i].spikes} spikes differ`,
    );
  }
  assert.equal(back.conversion.options.reset, 'soft');
  assert.equal(back.conversion.options.shift, shift);
  assert.equal(back.conversion.options.readout, model.conversion.options.readout);
}

test('NIR round trip: CNN with AvgPool (per-layer θ)', async () => {
  const { model, data } = await converted(ort, smallCnn(31, 'relu'), [1, 8, 8], { strategy: 'max-norm' });
  assert.ok(
    model.conversion.layers.some((l) => l.theta[0] !== 1),
    'θ ≠ 1 somewhere',
  );
  await assertRoundTrip(model, data);
});

test('NIR round trip: residual Add and GlobalAvgPool, per-channel θ', async () => {
  const { model, data } = await converted(ort, smallResidual(32), [2, 6, 6], { strategy: 'max-norm', thresholdScope: 'channel' });
  assert.ok(model.conversion.layers.some((l) => l.theta.length > 1));
  await assertRoundTrip(model, data);
});

test('NIR round trip: channel Concat of spikes (split into the next weights), per-channel θ, spiking readout', async () => {
  const { model, data } = await converted(ort, concatNet(33), [1, 6, 6], { thresholdScope: 'channel', readout: 'spikes' });
  await assertRoundTrip(model, data);
});

test('NIR round trip: channel Concat of currents (placed by widened convolutions), no shift', async () => {
  const { model, data } = await converted(ort, concatNet(36, true), [1, 6, 6], { thresholdScope: 'channel', shift: 'none' });
  const { graph } = snnToNir(model);
  const left = graph.nodes.get('left')!;
  assert.ok(left.type === 'Conv2d');
  assert.deepEqual(left.weight.shape, [6, 4, 3, 3], 'widened to all six channels of the concatenation');
  await assertRoundTrip(model, data, 'none');
});

test('NIR round trip: CNN, per-channel θ, hard reset kept from the metadata', async () => {
  const { model, data } = await converted(ort, smallCnn(34, 'relu'), [1, 8, 8], {
    strategy: 'max-norm',
    thresholdScope: 'channel',
    reset: 'hard',
  });
  const back = await readNir((await writeNir(model)).bytes);
  assert.equal(back.conversion.options.reset, 'hard');
  assert.ok(back.graph.nodes.filter((n) => n.op === 'Spike').every((n) => n.reset === 'hard'));
  const original = await simulate(ort, model.graph, data, { T });
  const read = await simulate(ort, back.graph, data, { T });
  assert.deepEqual([...read.correctAt], [...original.correctAt]);
});

test('reader variants: both start at v = 0, one subtracts, one resets to zero; readNir({ reset }) matches them', async () => {
  const { model, data } = await converted(ort, smallCnn(35), [1, 8, 8], { shift: 'v0' });
  const variants = nirReaderVariants(model);
  assert.deepEqual(
    variants.map((v) => v.name),
    ['subtract', 'zero'],
  );
  const file = await writeNir(model);
  assert.match(file.warnings.join('\n'), /v\(0\) = θ\/2 is not expressible/);
  for (const variant of variants) {
    for (const n of variant.model.graph.nodes) if (n.op === 'Spike') assert.ok(n.initialPotential.data.every((v) => v === 0));
    const reset = variant.name === 'subtract' ? 'soft' : 'hard';
    assert.ok(variant.model.graph.nodes.every((n) => n.op !== 'Spike' || n.reset === reset));
    const asRead = await readNir(file.bytes, 'x.nir', { reset });
    const a = await simulate(ort, variant.model.graph, data, { T });
    const b = await simulate(ort, asRead.graph, data, { T });
    assert.deepEqual([...b.correctAt], [...a.correctAt], variant.description);
  }
});

test('NIR round trip: Concat of a current and of earlier spikes into one spiking layer (0/1 placement), θ = 1', async () => {
  const r = mulberry32(38);
  const ann: Graph = {
    input: { name: 'x', shape: [null, 1, 6, 6] },
    output: 'fc',
    nodes: [
      conv3x3(r, 'c1', 'x', 1, 4),
      { op: 'Clip', name: 'a1', inputs: ['c1'], output: 'a1', min: 0, max: 1 },
      conv3x3(r, 'c2', 'a1', 4, 3),
      { op: 'Concat', name: 'cat', inputs: ['c2', 'a1'], output: 'cat', axis: 1 },
      { op: 'Clip', name: 'a2', inputs: ['cat'], output: 'a2', min: 0, max: 1 },
      { op: 'Flatten', name: 'flat', inputs: ['a2'], output: 'flat', axis: 1 },
      { op: 'Dense', name: 'fc', inputs: ['flat'], output: 'fc', weight: randomTensor([3, 7 * 36], 0.3, r), bias: null },
    ],
  };
  const data = await labelledByAnn(ort, ann, 40, [1, 6, 6]);
  const model = convertToSnn(ann, null, { ...defaultConversionOptions, shift: 'none' });
  const { graph } = snnToNir(model);
  assert.deepEqual(
    graph.edges.filter(([, to]) => to === 'a2'),
    [
      ['c2', 'a2'],
      ['a1_place', 'a2'],
    ],
  );
  await assertRoundTrip(model, data, 'none');
});
