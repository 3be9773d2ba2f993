import { test } from 'node:test';
import assert from 'node:assert/strict';
import { convertToSnn, defaultConversionOptions } from '../../src/convert/index.js';
import type { Graph, Node } from '../../src/ir/graph.js';
import { conv3x3, maxPool, maxPoolCnn, randomTensor } from '../helpers/nets.js';
import { mulberry32 } from '../../src/tensor/random.js';

const options = { ...defaultConversionOptions, strategy: 'deng-gu' };

function edited(net: Graph, edit: (n: Node) => Node | readonly Node[]): Graph {
  return { ...net, nodes: net.nodes.flatMap((n) => edit(n)) };
}

test('MaxPool with kernel = stride after an activation becomes a SpikeMaxPool; the ANN keeps its MaxPool', () => {
  for (const k of [2, 3]) {
    const ann = maxPoolCnn(1, k);
    const snn = convertToSnn(ann, null, options);
    const pools = snn.graph.nodes.filter((n) => n.name.startsWith('pool'));
    assert.deepEqual(
      pools.map((n) => [n.op, n.op === 'SpikeMaxPool' && n.kernel]),
      [
        ['SpikeMaxPool', [k, k]],
        ['SpikeMaxPool', [k, k]],
      ],
    );
    assert.deepEqual(
      snn.ann.nodes.filter((n) => n.name.startsWith('pool')).map((n) => n.op),
      ['MaxPool', 'MaxPool'],
    );
  }
});

test('a MaxPool on the analog input stays a MaxPool; a ceil-mode pool without partial windows converts', () => {
  const withInputPool = edited(maxPoolCnn(2), (n) => (n.name === 'conv1' ? [maxPool('in_pool', 'x', 1), n] : n));
  const inputPool = edited(withInputPool, (n) => (n.name === 'conv1' ? { ...n, inputs: ['in_pool'] } : n));
  assert.equal(convertToSnn(inputPool, null, options).graph.nodes[0].op, 'MaxPool');
  const ceil = edited(maxPoolCnn(2), (n) => (n.op === 'MaxPool' ? { ...n, ceilMode: true } : n));
  assert.ok(convertToSnn(ceil, null, options).graph.nodes.some((n) => n.op === 'SpikeMaxPool'));
});

test('MaxPools that cannot be exact are refused by name, with the reason', () => {
  const ann = maxPoolCnn(3);
  const refuses = (net: Graph, pattern: RegExp) => assert.throws(() => convertToSnn(net, null, options), pattern);
  const overlapping = edited(ann, (n) => (n.name === 'pool2' && n.op === 'MaxPool' ? { ...n, kernel: [3, 3], pads: [1, 1, 1, 1] } : n));
  refuses(overlapping, /'pool2': overlapping or gapped windows \(kernel 3×3, strides 2×2\)/);
  refuses(
    edited(ann, (n) => (n.name === 'pool1' && n.op === 'MaxPool' ? { ...n, pads: [0, 0, 1, 1] } : n)),
    /'pool1': padding \[0, 0, 1, 1\]/,
  );
  // pool2 4×4 in ceil mode on 6×6: two windows a side, the second of them partial.
  const r = mulberry32(4);
  refuses(
    edited(ann, (n) => {
      if (n.name === 'pool2' && n.op === 'MaxPool') return { ...n, kernel: [4, 4], strides: [4, 4], ceilMode: true };
      return n.name === 'fc' && n.op === 'Dense' ? { ...n, weight: randomTensor([10, 24], 0.3, r) } : n;
    }),
    /'pool2': ceil mode makes partial windows on input 6×6×6/,
  );
  // Conv → MaxPool → activation: the pool would see currents, not spikes.
  const poolBeforeAct = edited(ann, (n): Node | Node[] => {
    if (n.name === 'conv2') return conv3x3(r, 'conv2', 'pool1', 4, 6);
    if (n.name === 'act2') return [maxPool('pool_z', 'conv2', 1), { ...n, inputs: ['pool_z'] }];
    return n;
  });
  refuses(poolBeforeAct, /'pool_z': reads 'conv2' \(Conv2d\), not an activation's output.*move the MaxPool after the activation/);
});
