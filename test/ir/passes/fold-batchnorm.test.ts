import { test } from 'node:test';
import assert from 'node:assert/strict';
import { foldBatchNorm } from '../../../src/ir/passes/fold-batchnorm.js';
import type { Graph } from '../../../src/ir/graph.js';
import { assertEquivalent, batchNorm, conv, dense, graph, simple } from './eval-graph.js';

function ops(g: Graph): string[] {
  return g.nodes.map((n) => n.op);
}

test('Conv2d → BatchNorm folds into the conv, which takes over the BatchNorm output name', async () => {
  const g = graph(
    [null, 3, 6, 6],
    [conv('conv', 'x', 'c', [4, 3, 3, 3], 1, { pads: [1, 1, 1, 1] }), batchNorm('bn', 'c', 'b', 4, 10), simple('Relu', 'relu', ['b'], 'y')],
  );
  const folded = foldBatchNorm(g);
  assert.deepEqual(ops(folded), ['Conv2d', 'Relu']);
  assert.equal(folded.nodes[0].name, 'conv');
  assert.equal(folded.nodes[0].output, 'b');
  assert.deepEqual(folded.nodes[1].inputs, ['b']);
  await assertEquivalent(g, folded, [2, 3, 6, 6]);
});

test('grouped, strided conv without bias folds per output channel', async () => {
  const g = graph(
    [null, 4, 7, 7],
    [conv('dw', 'x', 'c', [8, 4, 3, 3], 3, { groups: 4, strides: [2, 2], bias: null }), batchNorm('bn', 'c', 'y', 8, 20)],
  );
  const folded = foldBatchNorm(g);
  assert.deepEqual(ops(folded), ['Conv2d']);
  assert.equal(folded.output, 'y');
  await assertEquivalent(g, folded, [3, 4, 7, 7]);
});

test('Dense → BatchNorm folds, with and without bias; the graph output stays produced', async () => {
  for (const bias of [true, false]) {
    const g = graph([null, 5], [dense('fc', 'x', 'h', [6, 5], 4, bias), batchNorm('bn', 'h', 'y', 6, 30)]);
    const folded = foldBatchNorm(g);
    assert.deepEqual(ops(folded), ['Dense']);
    assert.equal(folded.nodes[0].output, 'y');
    assert.notEqual((folded.nodes[0] as { bias: unknown }).bias, null);
    await assertEquivalent(g, folded, [4, 5]);
  }
});

test('BatchNorm stays when the conv output has another consumer', async () => {
  const g = graph(
    [null, 2, 5, 5],
    [conv('conv', 'x', 'c', [2, 2, 1, 1], 5), batchNorm('bn', 'c', 'b', 2, 40), simple('Add', 'add', ['b', 'c'], 'y')],
  );
  const folded = foldBatchNorm(g);
  assert.deepEqual(ops(folded), ['Conv2d', 'BatchNorm', 'Add']);
  await assertEquivalent(g, folded, [1, 2, 5, 5]);
});

test('BatchNorm stays after a non-linear layer, on the graph input, or when the conv output is the graph output', async () => {
  const afterRelu = graph(
    [null, 2, 4, 4],
    [conv('conv', 'x', 'c', [3, 2, 3, 3], 6), simple('Relu', 'relu', ['c'], 'r'), batchNorm('bn', 'r', 'y', 3, 50)],
  );
  assert.deepEqual(ops(foldBatchNorm(afterRelu)), ['Conv2d', 'Relu', 'BatchNorm']);

  const onInput = graph([null, 2, 4, 4], [batchNorm('bn', 'x', 'b', 2, 60), conv('conv', 'b', 'y', [3, 2, 3, 3], 7)]);
  assert.deepEqual(ops(foldBatchNorm(onInput)), ['BatchNorm', 'Conv2d']);

  const convIsOutput = graph([null, 2, 4, 4], [conv('conv', 'x', 'c', [3, 2, 3, 3], 6), batchNorm('bn', 'c', 'b', 3, 50)], 'c');
  assert.deepEqual(ops(foldBatchNorm(convIsOutput)), ['Conv2d', 'BatchNorm']);
});

test('folding is pure: the input graph and its tensors are untouched', async () => {
  const g = graph([null, 3, 4, 4], [conv('conv', 'x', 'c', [2, 3, 3, 3], 8), batchNorm('bn', 'c', 'y', 2, 70)]);
  const weight = g.nodes[0].op === 'Conv2d' ? g.nodes[0].weight.data.slice() : new Float32Array();
  foldBatchNorm(g);
  assert.deepEqual(ops(g), ['Conv2d', 'BatchNorm']);
  assert.deepEqual(g.nodes[0].op === 'Conv2d' ? g.nodes[0].weight.data : null, weight);
  const unchanged = graph([null, 3], [dense('fc', 'x', 'y', [2, 3], 9)]);
  assert.equal(foldBatchNorm(unchanged), unchanged);
});
