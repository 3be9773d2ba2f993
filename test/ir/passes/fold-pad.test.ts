import { test } from 'node:test';
import assert from 'node:assert/strict';
import { foldPad } from '../../../src/ir/passes/fold-pad.js';
import type { Graph, Node } from '../../../src/ir/graph.js';
import { inferShapes } from '../../../src/ir/shapes.js';
import { assertClose, assertEquivalent, conv, evaluate, graph, pad, pool, random } from './eval-graph.js';

function ops(g: Graph): string[] {
  return g.nodes.map((n) => n.op);
}

function only(g: Graph): Node {
  assert.equal(g.nodes.length, 1);
  return g.nodes[0];
}

test('zero Pad → Conv2d folds into the conv pads (asymmetric, strided, with own pads)', async () => {
  const g = graph(
    [null, 2, 7, 6],
    [pad('pad', 'x', 'p', [1, 0, 2, 3], 0), conv('conv', 'p', 'y', [3, 2, 3, 3], 1, { strides: [2, 1], pads: [1, 1, 0, 1] })],
  );
  const out = foldPad(g);
  const c = only(out);
  assert.equal(c.op, 'Conv2d');
  assert.deepEqual(c.inputs, ['x']);
  assert.deepEqual(c.op === 'Conv2d' && c.pads, [2, 1, 2, 4]);
  await assertEquivalent(g, out, [2, 2, 7, 6]);
});

test('−∞ Pad → MaxPool folds; a zero Pad before MaxPool and a −∞ Pad before a conv do not', async () => {
  const g = graph(
    [null, 2, 5, 5],
    [pad('pad', 'x', 'p', [1, 1, 0, 1], -Infinity), pool('MaxPool', 'mp', 'p', 'y', [3, 3], [2, 2], [0, 1, 1, 0])],
  );
  const out = foldPad(g);
  const mp = only(out);
  assert.deepEqual(mp.op === 'MaxPool' && mp.pads, [1, 2, 1, 1]);
  await assertEquivalent(g, out, [2, 2, 5, 5]);

  const zeroMax = graph([null, 1, 4, 4], [pad('pad', 'x', 'p', [1, 1, 1, 1], 0), pool('MaxPool', 'mp', 'p', 'y', [2, 2], [2, 2])]);
  assert.deepEqual(ops(foldPad(zeroMax)), ['Pad', 'MaxPool']);
  const infConv = graph([null, 1, 4, 4], [pad('pad', 'x', 'p', [1, 1, 1, 1], -Infinity), conv('conv', 'p', 'y', [1, 1, 3, 3], 2)]);
  assert.deepEqual(ops(foldPad(infConv)), ['Pad', 'Conv2d']);
  const oneConv = graph([null, 1, 4, 4], [pad('pad', 'x', 'p', [1, 1, 1, 1], 1), conv('conv', 'p', 'y', [1, 1, 3, 3], 2)]);
  assert.deepEqual(ops(foldPad(oneConv)), ['Pad', 'Conv2d']);
});

test('zero Pad → AvgPool(countIncludePad) folds by adding pads', async () => {
  const g = graph(
    [null, 3, 6, 5],
    [pad('pad', 'x', 'p', [0, 1, 1, 2], 0), pool('AvgPool', 'ap', 'p', 'y', [3, 4], [2, 2], [1, 0, 1, 1], { countIncludePad: true })],
  );
  const out = foldPad(g);
  const ap = only(out);
  assert.deepEqual(ap.op === 'AvgPool' && [ap.pads, ap.countIncludePad], [[1, 1, 2, 3], true]);
  await assertEquivalent(g, out, [2, 3, 6, 5]);
});

test('zero Pad → AvgPool(!countIncludePad) without own pads becomes AvgPool(pads, countIncludePad)', async () => {
  const g = graph([null, 2, 5, 5], [pad('pad', 'x', 'p', [1, 1, 1, 1], 0), pool('AvgPool', 'ap', 'p', 'y', [3, 3], [2, 2])]);
  const out = foldPad(g);
  const ap = only(out);
  assert.deepEqual(ap.op === 'AvgPool' && [ap.pads, ap.countIncludePad], [[1, 1, 1, 1], true]);
  await assertEquivalent(g, out, [2, 2, 5, 5]);
});

test('zero Pad → AvgPool(!countIncludePad) with own pads is not folded (no exact equivalent)', async () => {
  const padNode = pad('pad', 'x', 'p', [1, 1, 1, 1], 0);
  const ap = pool('AvgPool', 'ap', 'p', 'y', [3, 3], [2, 2], [1, 1, 1, 1]);
  const g = graph([null, 1, 4, 4], [padNode, ap]);
  assert.deepEqual(ops(foldPad(g)), ['Pad', 'AvgPool']);
  // Both naive rewrites change the border divisors, so the refusal matters:
  const x = random([1, 1, 4, 4], 5);
  const reference = evaluate(g, x);
  for (const countIncludePad of [true, false]) {
    const naive = graph([null, 1, 4, 4], [{ ...ap, inputs: ['x'], pads: [2, 2, 2, 2], countIncludePad } as Node]);
    assert.throws(() => assertClose(evaluate(naive, x), reference));
  }
});

test('ceilMode: Pads touching bottom/right are kept (the last window could vanish), top/left fold', async () => {
  // H = 2, bottom pad 2, kernel 3, stride 3, ceil: 2 output rows explicitly, 1 with the pad folded.
  const tail = graph(
    [null, 1, 2, 3],
    [pad('pad', 'x', 'p', [0, 0, 2, 0], -Infinity), pool('MaxPool', 'mp', 'p', 'y', [3, 3], [3, 3], [0, 0, 0, 0], { ceilMode: true })],
  );
  assert.deepEqual(ops(foldPad(tail)), ['Pad', 'MaxPool']);
  const naive = graph([null, 1, 2, 3], [{ ...tail.nodes[1], inputs: ['x'], pads: [0, 0, 2, 0] } as Node]);
  assert.deepEqual(inferShapes(tail).get('y'), [1, 1, 2, 1]);
  assert.deepEqual(inferShapes(naive).get('y'), [1, 1, 1, 1]);

  for (const op of ['MaxPool', 'AvgPool'] as const) {
    const head = graph(
      [null, 2, 5, 6],
      [
        pad('pad', 'x', 'p', [1, 1, 0, 0], op === 'MaxPool' ? -Infinity : 0),
        pool(op, 'pool', 'p', 'y', [2, 3], [2, 2], [0, 1, 1, 0], { ceilMode: true, countIncludePad: true }),
      ],
    );
    const out = foldPad(head);
    assert.deepEqual(ops(out), [op]);
    await assertEquivalent(head, out, [2, 2, 5, 6]);
  }
  const avgExclusive = graph(
    [null, 1, 5, 5],
    [pad('pad', 'x', 'p', [1, 1, 0, 0], 0), pool('AvgPool', 'ap', 'p', 'y', [2, 2], [2, 2], [0, 0, 0, 0], { ceilMode: true })],
  );
  assert.deepEqual(ops(foldPad(avgExclusive)), ['Pad', 'AvgPool']);
});

test('a Pad with two readers, a Pad that is the graph output, or a negative pad stays', async () => {
  const twoReaders = graph(
    [null, 1, 4, 4],
    [pad('pad', 'x', 'p', [1, 1, 1, 1], 0), conv('c1', 'p', 'a', [1, 1, 3, 3], 1), conv('c2', 'p', 'y', [1, 1, 3, 3], 2)],
  );
  assert.deepEqual(ops(foldPad(twoReaders)), ['Pad', 'Conv2d', 'Conv2d']);
  const isOutput = graph([null, 1, 4, 4], [pad('pad', 'x', 'p', [1, 1, 1, 1], 0), conv('c1', 'p', 'y', [1, 1, 3, 3], 1)], 'p');
  assert.deepEqual(ops(foldPad(isOutput)), ['Pad', 'Conv2d']);
  const negative = graph([null, 1, 6, 6], [pad('pad', 'x', 'p', [-1, 0, 0, 0], 0), conv('c1', 'p', 'y', [1, 1, 3, 3], 1)]);
  assert.deepEqual(ops(foldPad(negative)), ['Pad', 'Conv2d']);
});

test('pool pads stay smaller than the kernel: a fold that would exceed it is not made', () => {
  for (const op of ['MaxPool', 'AvgPool'] as const) {
    const value = op === 'MaxPool' ? -Infinity : 0;
    const over = graph(
      [null, 1, 6, 6],
      [pad('pad', 'x', 'p', [1, 0, 0, 0], value), pool(op, 'pool', 'p', 'y', [2, 2], [2, 2], [1, 0, 0, 0], { countIncludePad: true })],
    );
    assert.deepEqual(ops(foldPad(over)), ['Pad', op]);
    const wide = graph([null, 1, 6, 6], [pad('pad', 'x', 'p', [0, 3, 0, 0], value), pool(op, 'pool', 'p', 'y', [3, 3], [1, 1])]);
    assert.deepEqual(ops(foldPad(wide)), ['Pad', op]);
  }
  // Convolutions have no such limit.
  const conv2 = graph([null, 1, 4, 4], [pad('pad', 'x', 'p', [3, 3, 3, 3], 0), conv('c', 'p', 'y', [1, 1, 2, 2], 1)]);
  assert.deepEqual(ops(foldPad(conv2)), ['Conv2d']);
});
