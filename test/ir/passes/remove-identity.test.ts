import { test } from 'node:test';
import assert from 'node:assert/strict';
import { removeIdentity } from '../../../src/ir/passes/remove-identity.js';
import type { Graph } from '../../../src/ir/graph.js';
import { assertEquivalent, conv, dense, graph, simple } from './eval-graph.js';

function ops(g: Graph): string[] {
  return g.nodes.map((n) => n.op);
}

test('Identity and Dropout in the middle vanish and consumers read their inputs', async () => {
  const g = graph(
    [null, 2, 5, 5],
    [
      conv('conv', 'x', 'c', [3, 2, 3, 3], 1),
      simple('Dropout', 'drop', ['c'], 'd'),
      simple('Relu', 'relu', ['d'], 'r'),
      simple('Identity', 'id', ['r'], 'i'),
      conv('conv2', 'i', 'y', [2, 3, 1, 1], 2),
    ],
  );
  const out = removeIdentity(g);
  assert.deepEqual(ops(out), ['Conv2d', 'Relu', 'Conv2d']);
  assert.deepEqual(out.nodes[1].inputs, ['c']);
  assert.deepEqual(out.nodes[2].inputs, ['r']);
  assert.equal(out.output, 'y');
  await assertEquivalent(g, out, [2, 2, 5, 5]);
});

test('a chain of identities writing the graph output: the output name is kept by the real producer', async () => {
  const g = graph(
    [null, 4],
    [
      dense('fc', 'x', 'h', [3, 4], 3),
      simple('Identity', 'id1', ['h'], 'a'),
      simple('Dropout', 'drop', ['a'], 'b'),
      simple('Identity', 'id2', ['b'], 'logits'),
    ],
  );
  const out = removeIdentity(g);
  assert.deepEqual(ops(out), ['Dense']);
  assert.equal(out.output, 'logits');
  assert.equal(out.nodes[0].output, 'logits');
  await assertEquivalent(g, out, [3, 4]);
});

test('renaming for the output also rewires the other readers of the renamed value', async () => {
  const g = graph(
    [null, 4],
    [
      dense('fc', 'x', 'h', [4, 4], 4),
      simple('Identity', 'id', ['h'], 'y'),
      simple('Add', 'add', ['h', 'h'], 'unused'), // a reader after the output node
    ],
    'y',
  );
  const out = removeIdentity(g);
  assert.deepEqual(ops(out), ['Dense', 'Add']);
  assert.deepEqual(out.nodes[1].inputs, ['y', 'y']);
  await assertEquivalent(g, out, [2, 4]);
});

test('an identity with several readers: all of them are rewired', async () => {
  const g = graph(
    [null, 3],
    [dense('fc', 'x', 'h', [3, 3], 5), simple('Dropout', 'drop', ['h'], 'd'), simple('Add', 'add', ['d', 'd'], 'y')],
  );
  const out = removeIdentity(g);
  assert.deepEqual(ops(out), ['Dense', 'Add']);
  assert.deepEqual(out.nodes[1].inputs, ['h', 'h']);
  await assertEquivalent(g, out, [2, 3]);
});

test('identities from the graph input straight to the output leave exactly one node', async () => {
  const g = graph([null, 3], [simple('Identity', 'a', ['x'], 'h'), simple('Dropout', 'b', ['h'], 'y')]);
  const out = removeIdentity(g);
  assert.deepEqual(ops(out), ['Dropout']);
  assert.deepEqual(out.nodes[0].inputs, ['x']);
  await assertEquivalent(g, out, [2, 3]);
  assert.equal(g.nodes.length, 2, 'input graph untouched');
});
