import { test } from 'node:test';
import assert from 'node:assert/strict';
import { simplifyGraph } from '../../../src/ir/passes/index.js';
import type { FlattenNode, Graph } from '../../../src/ir/graph.js';
import { GraphError } from '../../../src/ir/graph.js';
import { assertEquivalent, batchNorm, conv, dense, graph, pad, pool, simple } from './eval-graph.js';

const flatten: FlattenNode = { op: 'Flatten', name: 'flat', inputs: ['m2'], output: 'f', axis: 1 };

function exported(): Graph {
  // What a PyTorch export of conv-bn-relu-pool-dropout-fc-bn can look like.
  return graph(
    [null, 1, 8, 8],
    [
      pad('pad0', 'x', 'p0', [1, 1, 1, 1], 0),
      conv('conv', 'p0', 'c', [4, 1, 3, 3], 1),
      simple('Dropout', 'drop0', ['c'], 'd0'),
      batchNorm('bn', 'd0', 'b', 4, 10),
      simple('Relu', 'relu', ['b'], 'r'),
      pad('pad1', 'r', 'p1', [0, 0, 1, 1], -Infinity),
      pool('MaxPool', 'mp', 'p1', 'm', [2, 2], [2, 2]),
      simple('Identity', 'id', ['m'], 'm2'),
      flatten,
      dense('fc', 'f', 'h', [10, 64], 2),
      batchNorm('bn1', 'h', 'z', 10, 20),
      simple('Identity', 'out', ['z'], 'logits'),
    ],
  );
}

test('simplifyGraph removes identities, pads and BatchNorms, keeping the output', async () => {
  const g = exported();
  const s = simplifyGraph(g);
  assert.deepEqual(
    s.nodes.map((n) => n.op),
    ['Conv2d', 'Relu', 'MaxPool', 'Flatten', 'Dense'],
  );
  assert.equal(s.output, 'logits');
  await assertEquivalent(g, s, [3, 1, 8, 8], 4);
  assert.equal(g.nodes.length, 12, 'input graph untouched');
});

test('simplifyGraph leaves what it cannot fold and validates the result', () => {
  const g = graph(
    [null, 2, 4, 4],
    [conv('conv', 'x', 'c', [2, 2, 3, 3], 1, { pads: [1, 1, 1, 1] }), simple('Relu', 'relu', ['c'], 'r'), batchNorm('bn', 'r', 'y', 2, 3)],
  );
  assert.deepEqual(
    simplifyGraph(g).nodes.map((n) => n.op),
    ['Conv2d', 'Relu', 'BatchNorm'],
  );
  const broken = graph([null, 2, 4, 4], [conv('conv', 'x', 'c', [2, 3, 3, 3], 1)]);
  assert.throws(() => simplifyGraph(broken), GraphError);
});
