/**
 * The reference backend's op table, checked against things it does not define: the op list is read
 * from the IR's source (src/ir/graph.ts, every `op: '…'` of the Node union), and every kernel is
 * called straight from the table on inputs whose outputs were worked out by hand below. A missing
 * kernel, an extra one, or a kernel that computes the wrong thing fails here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BackendError } from '../../src/backend/backend.js';
import { createOrtBackend } from '../../src/backend/ort/ort-backend.js';
import { kernels, referenceBackend } from '../../src/backend/reference/reference-backend.js';
import { conv2d } from '../../src/backend/reference/ops/conv2d.js';
import type { Node } from '../../src/ir/graph.js';
import { ShapeError, tensor, type Tensor } from '../../src/tensor/tensor.js';
import { runConformance } from './conformance.js';

runConformance('reference', () => referenceBackend, { oracle: () => createOrtBackend() });

/** The op types of the IR, parsed from its source: `readonly op: 'A' | 'B';` lines of src/ir/graph.ts. */
function irOpsFromSource(): string[] {
  const source = readFileSync(fileURLToPath(new URL('../../src/ir/graph.ts', import.meta.url)), 'utf8');
  const ops = [...source.matchAll(/readonly op: ([^;]+);/g)].flatMap((m) => [...m[1].matchAll(/'(\w+)'/g)].map((q) => q[1]));
  return [...new Set(ops)].sort();
}

/** One kernel call worked out by hand: node fields, input tensors, and the expected output. */
interface KernelCase {
  readonly node: Record<string, unknown>;
  readonly inputs: readonly Tensor[];
  readonly expected: Tensor;
}

const t = (shape: number[], values: number[]): Tensor => tensor(shape, Float32Array.from(values));

/**
 * The expected values, by hand. Spike and SpikeMaxPool are not backend ops: their kernels must throw
 * a BackendError (the simulator runs them), checked separately.
 */
const cases: Readonly<Record<string, KernelCase>> = {
  // x = [[1,2,3],[4,5,6],[7,8,9]], W = [[1,0],[0,−1]], b = 10: y = 10 + x[i][j] − x[i+1][j+1]
  Conv2d: {
    node: { weight: t([1, 1, 2, 2], [1, 0, 0, -1]), bias: t([1], [10]), strides: [1, 1], pads: [0, 0, 0, 0], dilations: [1, 1], groups: 1 },
    inputs: [t([1, 1, 3, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9])],
    expected: t([1, 1, 2, 2], [6, 6, 6, 6]),
  },
  // y = x Wᵀ + b: [1, 2] · [[1, 1], [2, −1], [0, 3]]ᵀ + [0, 1, −1] = [3, 1, 5]
  Dense: {
    node: { weight: t([3, 2], [1, 1, 2, -1, 0, 3]), bias: t([3], [0, 1, -1]) },
    inputs: [t([1, 2], [1, 2])],
    expected: t([1, 3], [3, 1, 5]),
  },
  // channel 0: 2·(x − 1)/√(3 + 1) + 0.5 = (x − 1) + 0.5; channel 1: 1·(x − 0)/√(0 + 1) − 1
  BatchNorm: {
    node: { scale: t([2], [2, 1]), bias: t([2], [0.5, -1]), mean: t([2], [1, 0]), variance: t([2], [3, 0]), epsilon: 1 },
    inputs: [t([1, 2, 1, 2], [1, 3, 4, -2])],
    expected: t([1, 2, 1, 2], [0.5, 2.5, 3, -3]),
  },
  // 2×2 windows, stride 2 on a 2×4 map: means of [1,2,5,6] and [3,4,7,8]
  AvgPool: {
    node: { kernel: [2, 2], strides: [2, 2], pads: [0, 0, 0, 0], ceilMode: false, countIncludePad: false },
    inputs: [t([1, 1, 2, 4], [1, 2, 3, 4, 5, 6, 7, 8])],
    expected: t([1, 1, 1, 2], [3.5, 5.5]),
  },
  MaxPool: {
    node: { kernel: [2, 2], strides: [2, 2], pads: [0, 0, 0, 0], ceilMode: false },
    inputs: [t([1, 1, 2, 4], [1, -2, 3, 9, -5, 6, 7, 8])],
    expected: t([1, 1, 1, 2], [6, 9]),
  },
  GlobalAvgPool: {
    node: {},
    inputs: [t([1, 2, 1, 2], [1, 3, -4, 0])],
    expected: t([1, 2, 1, 1], [2, -2]),
  },
  Flatten: {
    node: { axis: 1 },
    inputs: [t([2, 1, 1, 2], [1, 2, 3, 4])],
    expected: t([2, 2], [1, 2, 3, 4]),
  },
  // 0 copies dimension 0 (2), −1 takes the rest (3)
  Reshape: {
    node: { shape: [0, -1] },
    inputs: [t([2, 3, 1, 1], [1, 2, 3, 4, 5, 6])],
    expected: t([2, 3], [1, 2, 3, 4, 5, 6]),
  },
  Add: {
    node: {},
    inputs: [t([1, 3], [1, -2, 0.5]), t([1, 3], [10, 2, 0.25])],
    expected: t([1, 3], [11, 0, 0.75]),
  },
  Concat: {
    node: { axis: 1 },
    inputs: [t([1, 1, 1, 2], [1, 2]), t([1, 2, 1, 2], [3, 4, 5, 6])],
    expected: t([1, 3, 1, 2], [1, 2, 3, 4, 5, 6]),
  },
  Relu: {
    node: {},
    inputs: [t([1, 4], [-1, 0, 0.5, 3])],
    expected: t([1, 4], [0, 0, 0.5, 3]),
  },
  Clip: {
    node: { min: 0, max: 2 },
    inputs: [t([1, 4], [-1, 0.5, 2, 7])],
    expected: t([1, 4], [0, 0.5, 2, 2]),
  },
  // λ = 2, L = 4: y = 2 · clip(⌊x·2 + 1/2⌋ / 4, 0, 1): x = 0.2 → ⌊0.9⌋ = 0; 0.3 → ⌊1.1⌋ = 1 → 0.5;
  // 1.1 → ⌊2.7⌋ = 2 → 1; 5 → ⌊10.5⌋ = 10 → 1 (clipped) → 2; −3 → 0
  QuantClip: {
    node: { max: 2, levels: 4 },
    inputs: [t([1, 5], [0.2, 0.3, 1.1, 5, -3])],
    expected: t([1, 5], [0, 0.5, 1, 2, 0]),
  },
  Identity: {
    node: {},
    inputs: [t([1, 2], [-3, 4])],
    expected: t([1, 2], [-3, 4]),
  },
  Dropout: {
    node: {},
    inputs: [t([1, 2], [-3, 4])],
    expected: t([1, 2], [-3, 4]),
  },
  // e^0 / (e^0 + e^(ln 3)) = 1/4
  Softmax: {
    node: { axis: 1 },
    inputs: [t([1, 2], [0, Math.log(3)])],
    expected: t([1, 2], [0.25, 0.75]),
  },
  // [top 1, left 0, bottom 0, right 1] with 9 around [[1, 2]]
  Pad: {
    node: { pads: [1, 0, 0, 1], value: 9 },
    inputs: [t([1, 1, 1, 2], [1, 2])],
    expected: t([1, 1, 2, 3], [9, 9, 9, 1, 2, 9]),
  },
};
const simulatorOps = ['Spike', 'SpikeMaxPool'];

function runKernel(op: string, fields: Record<string, unknown>, inputs: readonly Tensor[]): Tensor {
  const names = inputs.map((_, i) => `in${i}`);
  const node = { op, name: `${op.toLowerCase()}-case`, inputs: names, output: 'y', ...fields } as unknown as Node;
  const kernel = (kernels as unknown as Record<string, ((node: Node, inputs: readonly Tensor[]) => Tensor) | undefined>)[op];
  assert.ok(kernel, `the reference backend has no kernel for ${op}`);
  return kernel(node, inputs);
}

test('the op table has a kernel for exactly the op types declared in src/ir/graph.ts', () => {
  const irOps = irOpsFromSource();
  assert.ok(irOps.length >= 19, `parsed ${irOps.length} op types from graph.ts`);
  assert.equal(referenceBackend.name, 'reference');
  assert.deepEqual(Object.keys(kernels).sort(), irOps);
});

test('every IR op type has a hand-computed kernel case here (or is a simulator op)', () => {
  assert.deepEqual([...Object.keys(cases), ...simulatorOps].sort(), irOpsFromSource());
});

for (const [op, c] of Object.entries(cases)) {
  test(`kernel ${op} gives the hand-computed values`, () => {
    const y = runKernel(op, c.node, c.inputs);
    assert.deepEqual([...y.shape], [...c.expected.shape], `${op}: shape`);
    y.data.forEach((v, i) => assert.ok(Math.abs(v - c.expected.data[i]) <= 1e-6, `${op}: y[${i}] = ${v}, expected ${c.expected.data[i]}`));
  });
}

test('Spike and SpikeMaxPool kernels refuse to run (the simulator runs them) with a BackendError naming the node', () => {
  for (const op of simulatorOps)
    assert.throws(
      () => runKernel(op, {}, [t([1, 1], [1])]),
      (e: unknown) => e instanceof BackendError && e.message.includes(`${op.toLowerCase()}-case`),
    );
});

test('kernels refuse inconsistent shapes with a ShapeError', () => {
  const x = tensor([1, 3, 4, 4]);
  const w = tensor([2, 2, 3, 3]);
  assert.throws(() => conv2d(x, w, null, { strides: [1, 1], pads: [0, 0, 0, 0], dilations: [1, 1], groups: 1 }), ShapeError);
});
