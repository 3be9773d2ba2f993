import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createOrtBackend } from '../../src/backend/ort/ort-backend.js';
import { kernels, referenceBackend } from '../../src/backend/reference/reference-backend.js';
import { conv2d } from '../../src/backend/reference/ops/conv2d.js';
import type { OpType } from '../../src/ir/graph.js';
import { ShapeError, tensor } from '../../src/tensor/tensor.js';
import { mulberry32 } from '../helpers/random.js';
import { handCases, randomCases, runConformance } from './conformance.js';

runConformance('reference', () => referenceBackend, { oracle: () => createOrtBackend() });

/** Every op of the IR's Node union, written out: a new op fails to compile here until it is listed. */
const irOps: Readonly<Record<OpType, true>> = {
  Conv2d: true,
  Dense: true,
  BatchNorm: true,
  AvgPool: true,
  MaxPool: true,
  GlobalAvgPool: true,
  Flatten: true,
  Reshape: true,
  Add: true,
  Concat: true,
  Relu: true,
  Clip: true,
  QuantClip: true,
  Identity: true,
  Dropout: true,
  Softmax: true,
  Pad: true,
  Spike: true,
  SpikeMaxPool: true,
};
const sorted = (ops: Iterable<string>): string[] => [...ops].sort();

test('the op table has a kernel for exactly the ops of the IR', () => {
  assert.equal(referenceBackend.name, 'reference');
  assert.deepEqual(sorted(Object.keys(kernels)), sorted(Object.keys(irOps)));
  for (const op of Object.keys(irOps) as OpType[]) assert.equal(typeof kernels[op], 'function', op);
});

test('the conformance table covers every IR op', () => {
  // Spike and SpikeMaxPool are not backend ops: the contract cases check that every backend refuses them.
  const expected = sorted(Object.keys(irOps).filter((op) => op !== 'Spike' && op !== 'SpikeMaxPool'));
  const handOps = new Set(handCases.flatMap((c) => c.graph.nodes.map((n) => n.op)));
  assert.deepEqual(sorted(handOps), expected, 'ops with a hand-computed case');
  // Dropout is Identity at inference; its hand case is enough.
  const randomOps = new Set(randomCases.flatMap((c) => c.build(mulberry32(1)).graph.nodes.map((n) => n.op)));
  assert.deepEqual(
    sorted(randomOps),
    expected.filter((op) => op !== 'Dropout'),
    'ops with a seeded random case',
  );
});

test('kernels refuse inconsistent shapes with a ShapeError', () => {
  const x = tensor([1, 3, 4, 4]);
  const w = tensor([2, 2, 3, 3]);
  assert.throws(() => conv2d(x, w, null, { strides: [1, 1], pads: [0, 0, 0, 0], dilations: [1, 1], groups: 1 }), ShapeError);
});
