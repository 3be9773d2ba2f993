import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kernels } from '../../src/backend/reference/reference-backend.js';
import { fanIn, isLinear, OP_TRAITS, type OpKind } from '../../src/ir/op-traits.js';
import type { Node } from '../../src/ir/graph.js';
import { smallCnn } from '../helpers/nets.js';

const KINDS: readonly OpKind[] = [
  'linear',
  'channel-wise',
  'average-pool',
  'max-pool',
  'shape',
  'pad',
  'merge',
  'activation',
  'softmax',
  'spike',
  'spike-pool',
];

test('the op-trait table has a row for every op the reference backend runs, and no other', () => {
  // Record<OpType, …> makes a missing op a compile error; this checks the table against an independent list.
  assert.deepEqual(Object.keys(OP_TRAITS).sort(), Object.keys(kernels).sort());
  for (const [op, traits] of Object.entries(OP_TRAITS)) {
    assert.ok(KINDS.includes(traits.kind), `${op}: ${traits.kind}`);
    assert.ok(!traits.flattens || traits.kind === 'shape', `${op} flattens but is not a shape op`);
  }
});

test('linear ops are the ones with weights; fanIn is the inputs per output unit', () => {
  const graph = smallCnn(1);
  for (const node of graph.nodes) assert.equal(isLinear(node), 'weight' in node, node.name);
  const conv = graph.nodes.find((n): n is Extract<Node, { op: 'Conv2d' }> => n.op === 'Conv2d')!;
  const [, perGroup, kh, kw] = conv.weight.shape;
  assert.equal(fanIn(conv), perGroup * kh * kw);
  const dense = graph.nodes.find((n): n is Extract<Node, { op: 'Dense' }> => n.op === 'Dense')!;
  assert.equal(fanIn(dense), dense.weight.shape[1]);
});
