/**
 * The QCFS conversion (strategy 'qcfs': θ = λ, v(0) = θ/2, soft reset, no bias shift) and its
 * defining property: with a constant input current z, an IF neuron's spike count after L steps is
 * L·q(z)/λ exactly, so at T = L the first spiking layer equals the quantized ANN.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { referenceBackend } from '../../src/backend/reference/reference-backend.js';
import { strategyVariants } from '../../src/analysis/compare-strategies.js';
import { convertToSnn, defaultConversionOptions } from '../../src/convert/index.js';
import { InMemoryDataset } from '../../src/data/in-memory-dataset.js';
import type { Graph, Node } from '../../src/ir/graph.js';
import { simulateOracle } from '../../src/simulate/index.js';
import { mulberry32 } from '../../src/tensor/random.js';
import { tensor } from '../../src/tensor/tensor.js';
import { smallCnn } from '../helpers/nets.js';

const qcfs = { ...defaultConversionOptions, strategy: 'qcfs' };

/** Every Clip of smallCnn as a QuantClip with ceiling λ and L levels. */
function quantized(graph: Graph, lambda: number, levels: number): Graph {
  return { ...graph, nodes: graph.nodes.map((n): Node => (n.op === 'Clip' ? { ...n, op: 'QuantClip', max: lambda, levels } : n)) };
}

test('hand-checked: λ = 2, L = 4, constant currents z → spike counts L·q(z)/λ after L steps', () => {
  // 2z = −0.6, 0.2, 0.6, 1.2, 1.8, 2.2, 3.2, 3.6, 5, 10 → ⌊2z + ½⌋ clipped to [0, 4]:
  const z = [-0.3, 0.1, 0.3, 0.6, 0.9, 1.1, 1.6, 1.8, 2.5, 5];
  const expected = [0, 0, 1, 1, 2, 2, 3, 4, 4, 4];
  const n = z.length;
  const diag = new Float32Array(n * n);
  z.forEach((v, i) => (diag[i * n + i] = v));
  const ann: Graph = {
    input: { name: 'x', shape: [null, n, 1, 1] },
    output: 'y',
    nodes: [
      { op: 'Flatten', name: 'flat', inputs: ['x'], output: 'flat', axis: 1 },
      { op: 'Dense', name: 'in', inputs: ['flat'], output: 'in', weight: tensor([n, n], diag), bias: null },
      { op: 'QuantClip', name: 'q', inputs: ['in'], output: 'q', max: 2, levels: 4 },
      {
        op: 'Dense',
        name: 'y',
        inputs: ['q'],
        output: 'y',
        weight: tensor(
          [n, n],
          diag.map((v) => (v === 0 ? 0 : 1)),
        ),
        bias: null,
      },
    ],
  };
  const snn = convertToSnn(ann, null, qcfs);
  const spike = snn.graph.nodes.find((node) => node.name === 'q');
  assert.ok(spike?.op === 'Spike');
  assert.deepEqual([spike.threshold.data[0], spike.initialPotential.data[0], spike.reset], [2, 1, 'soft']);
  assert.deepEqual(snn.conversion.layers[0].source, 'QCFS λ (L = 4)');
  // One white image: the input current is z, constant in time.
  const white = new InMemoryDataset({
    name: 'white',
    images: new Uint8Array(n).fill(255),
    labels: Uint8Array.of(0),
    sampleShape: [n, 1, 1],
    numClasses: n,
  });
  const result = simulateOracle(snn.graph, white, { T: 4 });
  assert.deepEqual([...result.layers[0].unitCounts], expected);
});

test('a random conv layer: counts at T = L equal L·q/λ of the ANN for every unit (L = 2, 4, 8)', async () => {
  for (const levels of [2, 4, 8]) {
    const lambda = 0.7;
    const ann = quantized(smallCnn(3), lambda, levels);
    const snn = convertToSnn(ann, null, qcfs);
    const r = mulberry32(levels);
    const image = Uint8Array.from({ length: 64 }, () => Math.floor(r() * 256));
    const data = new InMemoryDataset({ name: 'one', images: image, labels: Uint8Array.of(0), sampleShape: [1, 8, 8], numClasses: 10 });
    const compiled = await referenceBackend.compile(ann, { outputs: ['act1'] });
    const batch = [...data.batches({ batchSize: 1 })][0];
    const q = (await compiled.run(batch.x)).get('act1')!.data;
    await compiled.dispose();
    const counts = simulateOracle(snn.graph, data, { T: levels }).layers[0].unitCounts;
    const want = [...q].map((v) => Math.round((levels * v) / lambda));
    assert.deepEqual([...counts], want, `L = ${levels}`);
    assert.ok(new Set(want).size > 2, 'several levels are hit');
  }
});

test('qcfs refuses a net without QuantClip (naming the site), and a conflicting --shift or --reset', () => {
  assert.throws(() => convertToSnn(smallCnn(1), null, qcfs), /strategy 'qcfs' needs QCFS activations .* node 'act1' is Clip/);
  const ann = quantized(smallCnn(1), 1, 4);
  assert.throws(() => convertToSnn(ann, null, { ...qcfs, shift: 'bias' }), /strategy 'qcfs' requires --shift v0; got --shift bias/);
  assert.throws(() => convertToSnn(ann, null, { ...qcfs, reset: 'hard' }), /strategy 'qcfs' requires --reset soft; got --reset hard/);
});

test('other strategies see a QuantClip as a clip with ceiling λ', () => {
  const ann = quantized(smallCnn(1), 1.5, 4);
  const snn = convertToSnn(ann, null, { ...defaultConversionOptions, strategy: 'deng-gu' });
  assert.deepEqual(
    snn.conversion.layers.map((l) => [l.theta[0], l.source]),
    [
      [1.5, 'Clip ceiling'],
      [1.5, 'Clip ceiling'],
    ],
  );
});

test("report's variants: bare 'qcfs' is v0; its hard-reset variant is listed as skipped with the reason", () => {
  const variants = strategyVariants(['qcfs', 'deng-gu:v0'], ['soft', 'hard'], defaultConversionOptions);
  assert.deepEqual(
    variants.map((v) => [v.label, v.skip ?? null]),
    [
      ['qcfs, v0=θ/2, soft reset', null],
      ['deng-gu, v0=θ/2, soft reset', null],
      ['qcfs, v0=θ/2, hard reset', "strategy 'qcfs' requires reset soft"],
      ['deng-gu, v0=θ/2, hard reset', null],
    ],
  );
});
