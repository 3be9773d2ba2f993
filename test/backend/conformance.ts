/**
 * Backend conformance: one table of small graphs that every Backend must run. Each case is checked
 * against values worked out by hand (tiny cases: they pin down the semantics the reference backend
 * defines) and, with seeded random data, against an oracle backend, to |a − b| ≤ 1e-5·max(1, |b|).
 *
 *   runConformance('ort', () => createOrtBackend(), { oracle: () => referenceBackend });
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BackendError, type Backend } from '../../src/backend/backend.js';
import type { AvgPoolNode, Conv2dNode, Graph, MaxPoolNode, Node, Pads2d, Pair } from '../../src/ir/graph.js';
import { inferShapes } from '../../src/ir/shapes.js';
import { tensor, type Tensor } from '../../src/tensor/tensor.js';
import { mulberry32, randomTensor, seedOf } from '../helpers/random.js';

export const RELATIVE_TOLERANCE = 1e-5;

// ── graph-building shorthands ────────────────────────────────────────────────────────────────────

type Random = () => number;

function graphOf(inputShape: readonly (number | null)[], nodes: readonly Node[], output?: string): Graph {
  return { input: { name: 'x', shape: inputShape }, output: output ?? nodes[nodes.length - 1].output, nodes };
}

function conv(
  name: string,
  input: string,
  weight: Tensor,
  options: { bias?: Tensor | null; strides?: Pair; pads?: Pads2d; dilations?: Pair; groups?: number } = {},
): Conv2dNode {
  return {
    op: 'Conv2d',
    name,
    inputs: [input],
    output: name,
    weight,
    bias: options.bias ?? null,
    strides: options.strides ?? [1, 1],
    pads: options.pads ?? [0, 0, 0, 0],
    dilations: options.dilations ?? [1, 1],
    groups: options.groups ?? 1,
  };
}

/** A conv with seeded random weights [out, in/groups, kh, kw] and bias. */
function randomConv(
  random: Random,
  name: string,
  input: string,
  [out, inPerGroup, kh, kw]: readonly [number, number, number, number],
  options: { bias?: boolean; strides?: Pair; pads?: Pads2d; dilations?: Pair; groups?: number } = {},
): Conv2dNode {
  const weight = randomTensor(random, [out, inPerGroup, kh, kw], -0.5, 0.5);
  const bias = options.bias === false ? null : randomTensor(random, [out], -0.2, 0.2);
  return conv(name, input, weight, { ...options, bias });
}

function dense(name: string, input: string, weight: Tensor, bias: Tensor | null): Node {
  return { op: 'Dense', name, inputs: [input], output: name, weight, bias };
}

function avgPool(
  name: string,
  input: string,
  kernel: Pair,
  strides: Pair,
  pads: Pads2d,
  ceilMode: boolean,
  countIncludePad: boolean,
): AvgPoolNode {
  return { op: 'AvgPool', name, inputs: [input], output: name, kernel, strides, pads, ceilMode, countIncludePad };
}

function maxPool(name: string, input: string, kernel: Pair, strides: Pair, pads: Pads2d, ceilMode: boolean): MaxPoolNode {
  return { op: 'MaxPool', name, inputs: [input], output: name, kernel, strides, pads, ceilMode };
}

function batchNorm(random: Random, name: string, input: string, channels: number, epsilon = 1e-5): Node {
  return {
    op: 'BatchNorm',
    name,
    inputs: [input],
    output: name,
    scale: randomTensor(random, [channels], 0.5, 1.5),
    bias: randomTensor(random, [channels], -0.5, 0.5),
    mean: randomTensor(random, [channels], -0.3, 0.3),
    variance: randomTensor(random, [channels], 0.2, 2),
    epsilon,
  };
}

const relu = (name: string, input: string): Node => ({ op: 'Relu', name, inputs: [input], output: name });
const add = (name: string, a: string, b: string): Node => ({ op: 'Add', name, inputs: [a, b], output: name });

// ── the table ────────────────────────────────────────────────────────────────────────────────────

/** A tiny case with an explicit input and values worked out by hand. */
export interface HandCase {
  readonly name: string;
  readonly graph: Graph;
  readonly input: Tensor;
  readonly outputs?: readonly string[];
  readonly expected: Readonly<Record<string, { readonly shape: readonly number[]; readonly data: readonly number[] }>>;
}

/** A case with seeded random weights and inputs, run for each batch size and compared with the oracle. */
export interface RandomCase {
  readonly name: string;
  readonly build: (random: Random) => { readonly graph: Graph; readonly outputs?: readonly string[] };
  readonly batches?: readonly number[];
}

const x3x3 = tensor([1, 1, 3, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9]);

export const handCases: readonly HandCase[] = [
  {
    name: 'conv 2×2 with bias',
    graph: graphOf([null, 1, 3, 3], [conv('c', 'x', tensor([1, 1, 2, 2], [1, 2, 3, 4]), { bias: tensor([1], [0.5]) })]),
    input: x3x3,
    // y[0,0] = 1·1 + 2·2 + 3·4 + 4·5 = 37; then windows (2,3,5,6), (4,5,7,8), (5,6,8,9).
    expected: { c: { shape: [1, 1, 2, 2], data: [37.5, 47.5, 67.5, 77.5] } },
  },
  {
    name: 'conv 3×3 of ones, stride 2, pads 1',
    graph: graphOf([null, 1, 3, 3], [conv('c', 'x', tensor([1, 1, 3, 3], new Array(9).fill(1)), { strides: [2, 2], pads: [1, 1, 1, 1] })]),
    input: x3x3,
    // Each output is the sum of the 2×2 corner block it overlaps: 1+2+4+5, 2+3+5+6, 4+5+7+8, 5+6+8+9.
    expected: { c: { shape: [1, 1, 2, 2], data: [12, 16, 24, 28] } },
  },
  {
    name: 'conv dilation 2',
    graph: graphOf([null, 1, 5, 5], [conv('c', 'x', tensor([1, 1, 2, 2], [1, 0, 0, 1]), { dilations: [2, 2] })]),
    input: tensor(
      [1, 1, 5, 5],
      Array.from({ length: 25 }, (_, i) => i + 1),
    ),
    // y[i,j] = x[i,j] + x[i+2,j+2] = 2·(5i + j + 1) + 12
    expected: { c: { shape: [1, 1, 3, 3], data: [14, 16, 18, 24, 26, 28, 34, 36, 38] } },
  },
  {
    name: 'conv groups 2 (1×1, two outputs per group)',
    graph: graphOf([null, 2, 1, 1], [conv('c', 'x', tensor([4, 1, 1, 1], [1, 2, 3, 4]), { groups: 2 })]),
    input: tensor([1, 2, 1, 1], [3, 5]),
    // Outputs 0,1 read channel 0 (3); outputs 2,3 read channel 1 (5).
    expected: { c: { shape: [1, 4, 1, 1], data: [3, 6, 15, 20] } },
  },
  {
    name: 'conv asymmetric pads [top 1, left 0, bottom 0, right 1]',
    graph: graphOf([null, 1, 2, 2], [conv('c', 'x', tensor([1, 1, 2, 2], [1, 1, 1, 1]), { pads: [1, 0, 0, 1] })]),
    input: tensor([1, 1, 2, 2], [1, 2, 3, 4]),
    // Padded image rows: [0 0 0], [1 2 0], [3 4 0]; 2×2 sums of ones.
    expected: { c: { shape: [1, 1, 2, 2], data: [3, 2, 10, 6] } },
  },
  {
    name: 'avg pool 2×2 stride 2, ceil mode (partial windows divide by what they cover)',
    graph: graphOf([null, 1, 3, 3], [avgPool('p', 'x', [2, 2], [2, 2], [0, 0, 0, 0], true, true)]),
    input: x3x3,
    expected: { p: { shape: [1, 1, 2, 2], data: [3, 4.5, 7.5, 9] } },
  },
  {
    name: 'avg pool pads 1, count_include_pad = 1',
    graph: graphOf([null, 1, 3, 3], [avgPool('p', 'x', [2, 2], [2, 2], [1, 1, 1, 1], false, true)]),
    input: x3x3,
    // Windows: {1}, {2,3}, {4,7}, {5,6,8,9}, each divided by 4.
    expected: { p: { shape: [1, 1, 2, 2], data: [0.25, 1.25, 2.75, 7] } },
  },
  {
    name: 'avg pool pads 1, count_include_pad = 0',
    graph: graphOf([null, 1, 3, 3], [avgPool('p', 'x', [2, 2], [2, 2], [1, 1, 1, 1], false, false)]),
    input: x3x3,
    expected: { p: { shape: [1, 1, 2, 2], data: [1, 2.5, 5.5, 7] } },
  },
  {
    name: 'max pool pads 1: padding is −∞, not 0',
    graph: graphOf([null, 1, 3, 3], [maxPool('p', 'x', [2, 2], [2, 2], [1, 1, 1, 1], false)]),
    input: tensor([1, 1, 3, 3], [-1, -2, -3, -4, -5, -6, -7, -8, -9]),
    expected: { p: { shape: [1, 1, 2, 2], data: [-1, -2, -4, -5] } },
  },
  {
    name: 'zero Pad then MaxPool: the pad value 0 is a real value (ONNX Runtime must not fuse it into −∞ pads)',
    graph: graphOf(
      [null, 1, 3, 3],
      [
        { op: 'Pad', name: 'pad', inputs: ['x'], output: 'pad', pads: [1, 1, 1, 1], value: 0 },
        maxPool('p', 'pad', [2, 2], [2, 2], [0, 0, 0, 0], false),
      ],
    ),
    input: tensor([1, 1, 3, 3], [-1, -2, -3, -4, -5, -6, -7, -8, -9]),
    expected: { p: { shape: [1, 1, 2, 2], data: [0, 0, 0, -5] } },
  },
  {
    name: 'global average pool',
    graph: graphOf([null, 2, 2, 2], [{ op: 'GlobalAvgPool', name: 'g', inputs: ['x'], output: 'g' }]),
    input: tensor([1, 2, 2, 2], [1, 2, 3, 4, 5, 6, 7, 8]),
    expected: { g: { shape: [1, 2, 1, 1], data: [2.5, 6.5] } },
  },
  {
    name: 'dense with bias, batch 2',
    graph: graphOf([null, 3], [dense('d', 'x', tensor([2, 3], [1, 0, -1, 0.5, 0.5, 0.5]), tensor([2], [10, 20]))]),
    input: tensor([2, 3], [1, 2, 3, 4, 5, 6]),
    expected: { d: { shape: [2, 2], data: [8, 23, 8, 27.5] } },
  },
  {
    name: 'batch norm (ε = 1)',
    graph: graphOf(
      [null, 2, 1, 2],
      [
        {
          op: 'BatchNorm',
          name: 'bn',
          inputs: ['x'],
          output: 'bn',
          scale: tensor([2], [2, 1]),
          bias: tensor([2], [0, 1]),
          mean: tensor([2], [1, 3]),
          variance: tensor([2], [3, 0]),
          epsilon: 1,
        },
      ],
    ),
    input: tensor([1, 2, 1, 2], [1, 2, 3, 4]),
    // Channel 0: 2·(x − 1)/√4 + 0; channel 1: 1·(x − 3)/√1 + 1.
    expected: { bn: { shape: [1, 2, 1, 2], data: [0, 1, 1, 2] } },
  },
  {
    name: 'softmax along axis 1',
    graph: graphOf([null, 2], [{ op: 'Softmax', name: 's', inputs: ['x'], output: 's', axis: 1 }]),
    input: tensor([2, 2], [0, Math.log(3), 5, 5]),
    expected: { s: { shape: [2, 2], data: [0.25, 0.75, 0.5, 0.5] } },
  },
  {
    name: 'concat along channels',
    graph: graphOf(
      [null, 1, 1, 2],
      [
        { op: 'Identity', name: 'a', inputs: ['x'], output: 'a' },
        { op: 'Clip', name: 'b', inputs: ['x'], output: 'b', min: 0, max: 1.5 },
        { op: 'Concat', name: 'cat', inputs: ['a', 'b', 'x'], output: 'cat', axis: 1 },
      ],
    ),
    input: tensor([1, 1, 1, 2], [-1, 2]),
    expected: { cat: { shape: [1, 3, 1, 2], data: [-1, 2, 0, 1.5, -1, 2] } },
  },
  {
    // λ = 2, L = 4: y = 2·clip(⌊2x + ½⌋/4, 0, 1), levels 0, 0.5, 1, 1.5, 2 (half rounds up).
    name: 'QuantClip (QCFS) λ = 2, L = 4',
    graph: graphOf([null, 8], [{ op: 'QuantClip', name: 'q', inputs: ['x'], output: 'q', max: 2, levels: 4 }]),
    input: tensor([1, 8], [-1, 0.2, 0.25, 0.6, 0.74, 1.3, 1.9, 7]),
    expected: { q: { shape: [1, 8], data: [0, 0, 0.5, 0.5, 0.5, 1.5, 2, 2] } },
  },
  {
    name: 'pad [top 1, left 0, bottom 0, right 1] with 9',
    graph: graphOf([null, 1, 1, 2], [{ op: 'Pad', name: 'pad', inputs: ['x'], output: 'pad', pads: [1, 0, 0, 1], value: 9 }]),
    input: tensor([1, 1, 1, 2], [1, 2]),
    expected: { pad: { shape: [1, 1, 2, 3], data: [9, 9, 9, 1, 2, 9] } },
  },
  {
    name: 'relu, clip, residual add and intermediate outputs',
    graph: graphOf(
      [null, 3],
      [
        relu('r', 'x'),
        { op: 'Clip', name: 'c', inputs: ['x'], output: 'c', min: -0.5, max: 1 },
        add('sum', 'r', 'c'),
        { op: 'Dropout', name: 'drop', inputs: ['sum'], output: 'drop' },
      ],
    ),
    input: tensor([1, 3], [-1, 0.5, 2]),
    outputs: ['r', 'c', 'drop'],
    expected: {
      r: { shape: [1, 3], data: [0, 0.5, 2] },
      c: { shape: [1, 3], data: [-0.5, 0.5, 1] },
      drop: { shape: [1, 3], data: [-0.5, 1, 3] },
    },
  },
  {
    name: 'flatten and reshape',
    graph: graphOf(
      [null, 2, 1, 2],
      [
        { op: 'Flatten', name: 'f', inputs: ['x'], output: 'f', axis: 1 },
        { op: 'Reshape', name: 'rs', inputs: ['x'], output: 'rs', shape: [0, 2, -1] },
      ],
      'f',
    ),
    input: tensor([1, 2, 1, 2], [1, 2, 3, 4]),
    outputs: ['f', 'rs'],
    expected: { f: { shape: [1, 4], data: [1, 2, 3, 4] }, rs: { shape: [1, 2, 2], data: [1, 2, 3, 4] } },
  },
];

export const randomCases: readonly RandomCase[] = [
  {
    name: 'conv odd shapes: stride [2,1], dilation [1,2], asymmetric pads',
    build: (r) => ({
      graph: graphOf([null, 3, 7, 9], [randomConv(r, 'c', 'x', [5, 3, 3, 2], { strides: [2, 1], dilations: [1, 2], pads: [1, 0, 2, 1] })]),
    }),
  },
  {
    name: 'conv 3×3 stride 2 pads 1',
    build: (r) => ({ graph: graphOf([null, 4, 8, 8], [randomConv(r, 'c', 'x', [6, 4, 3, 3], { strides: [2, 2], pads: [1, 1, 1, 1] })]) }),
  },
  {
    name: 'conv dilation 2, no bias',
    build: (r) => ({ graph: graphOf([null, 2, 9, 7], [randomConv(r, 'c', 'x', [3, 2, 3, 3], { dilations: [2, 2], bias: false })]) }),
  },
  {
    name: 'conv groups 2',
    build: (r) => ({ graph: graphOf([null, 4, 6, 5], [randomConv(r, 'c', 'x', [6, 2, 3, 3], { groups: 2, pads: [1, 1, 1, 1] })]) }),
  },
  {
    name: 'depthwise conv (groups = channels) stride 2',
    build: (r) => ({
      graph: graphOf([null, 4, 7, 7], [randomConv(r, 'c', 'x', [4, 1, 3, 3], { groups: 4, strides: [2, 2], pads: [1, 1, 1, 1] })]),
    }),
  },
  {
    name: 'conv asymmetric pads [0, 2, 1, 0], 1×1 and 5×5 kernels',
    build: (r) => ({
      graph: graphOf(
        [null, 3, 6, 6],
        [randomConv(r, 'c1', 'x', [4, 3, 5, 5], { pads: [0, 2, 1, 0] }), randomConv(r, 'c2', 'c1', [2, 4, 1, 1], { bias: false })],
      ),
    }),
  },
  {
    name: 'conv with pads larger than the kernel (1×1, pads 2)',
    build: (r) => ({ graph: graphOf([null, 2, 3, 4], [randomConv(r, 'c', 'x', [3, 2, 1, 1], { pads: [2, 1, 0, 2] })]) }),
  },
  ...[false, true].flatMap((countIncludePad) =>
    [false, true].map((ceilMode): RandomCase => ({
      name: `avg pool 3×3 stride 2 pads [1,0,2,1], count_include_pad ${countIncludePad ? 1 : 0}, ceil_mode ${ceilMode ? 1 : 0}`,
      build: () => ({ graph: graphOf([null, 3, 8, 7], [avgPool('p', 'x', [3, 3], [2, 2], [1, 0, 2, 1], ceilMode, countIncludePad)]) }),
    })),
  ),
  {
    name: 'avg pool 2×2 stride 2 ceil mode on odd sizes',
    build: () => ({ graph: graphOf([null, 2, 5, 7], [avgPool('p', 'x', [2, 2], [2, 2], [0, 0, 0, 0], true, false)]) }),
  },
  ...[false, true].map((ceilMode): RandomCase => ({
    name: `max pool 3×3 stride 2 pads [1,1,1,1], ceil_mode ${ceilMode ? 1 : 0}`,
    build: () => ({ graph: graphOf([null, 3, 8, 6], [maxPool('p', 'x', [3, 3], [2, 2], [1, 1, 1, 1], ceilMode)]) }),
  })),
  {
    name: 'max pool 2×3 kernel, stride [1,2], asymmetric pads',
    build: () => ({ graph: graphOf([null, 2, 5, 8], [maxPool('p', 'x', [2, 3], [1, 2], [0, 1, 1, 2], false)]) }),
  },
  {
    name: 'pools with pads reaching the kernel (as fold-pad writes them): max, stride 3 so no window is padding alone',
    build: () => ({ graph: graphOf([null, 2, 5, 6], [maxPool('p', 'x', [2, 3], [2, 3], [0, 1, 2, 3], false)]) }),
  },
  {
    name: 'pools with pads reaching the kernel: average with count_include_pad, ceil mode with a kept bottom pad',
    build: () => ({
      graph: graphOf(
        [null, 3, 6, 5],
        [avgPool('a', 'x', [3, 2], [2, 2], [1, 1, 2, 3], false, true), avgPool('b', 'x', [2, 2], [2, 2], [2, 0, 1, 0], true, true)],
        'a',
      ),
      outputs: ['a', 'b'],
    }),
  },
  {
    name: 'global average pool after conv',
    build: (r) => ({
      graph: graphOf(
        [null, 3, 5, 6],
        [randomConv(r, 'c', 'x', [4, 3, 3, 3]), { op: 'GlobalAvgPool', name: 'g', inputs: ['c'], output: 'g' }],
      ),
    }),
  },
  {
    name: 'dense with and without bias, batch norm on features, softmax',
    build: (r) => ({
      graph: graphOf(
        [null, 13],
        [
          dense('d1', 'x', randomTensor(r, [7, 13]), randomTensor(r, [7])),
          batchNorm(r, 'bn', 'd1', 7),
          relu('r', 'bn'),
          dense('d2', 'r', randomTensor(r, [5, 7]), null),
          { op: 'Softmax', name: 's', inputs: ['d2'], output: 's', axis: 1 },
        ],
      ),
      outputs: ['d1', 'bn', 's'],
    }),
  },
  {
    name: 'batch norm on NCHW with integer ε',
    build: (r) => ({ graph: graphOf([null, 3, 4, 5], [batchNorm(r, 'bn', 'x', 3, 1)]) }),
  },
  {
    name: 'concat of two conv branches along channels',
    build: (r) => ({
      graph: graphOf(
        [null, 3, 6, 6],
        [
          randomConv(r, 'a', 'x', [2, 3, 3, 3], { pads: [1, 1, 1, 1] }),
          randomConv(r, 'b', 'x', [5, 3, 1, 1]),
          { op: 'Concat', name: 'cat', inputs: ['a', 'b'], output: 'cat', axis: 1 },
        ],
      ),
    }),
  },
  {
    name: 'residual block: conv-bn-relu-conv + x, relu',
    build: (r) => ({
      graph: graphOf(
        [null, 4, 6, 6],
        [
          randomConv(r, 'c1', 'x', [4, 4, 3, 3], { pads: [1, 1, 1, 1] }),
          batchNorm(r, 'bn1', 'c1', 4),
          relu('r1', 'bn1'),
          randomConv(r, 'c2', 'r1', [4, 4, 3, 3], { pads: [1, 1, 1, 1] }),
          add('sum', 'c2', 'x'),
          relu('out', 'sum'),
        ],
      ),
      outputs: ['r1', 'out'],
    }),
  },
  {
    name: 'softmax on a middle axis of NCHW',
    build: () => ({ graph: graphOf([null, 3, 2, 4], [{ op: 'Softmax', name: 's', inputs: ['x'], output: 's', axis: -2 }]) }),
  },
  {
    name: 'flatten (axis 1 and 2) and reshape [0, -1] / [-1, 12]',
    build: () => ({
      graph: graphOf(
        [null, 3, 2, 2],
        [
          { op: 'Flatten', name: 'f1', inputs: ['x'], output: 'f1', axis: 1 },
          { op: 'Flatten', name: 'f2', inputs: ['x'], output: 'f2', axis: 2 },
          { op: 'Reshape', name: 'r1', inputs: ['x'], output: 'r1', shape: [0, -1] },
          { op: 'Reshape', name: 'r2', inputs: ['x'], output: 'r2', shape: [-1, 12] },
        ],
        'f1',
      ),
      outputs: ['f1', 'f2', 'r1', 'r2'],
    }),
  },
  {
    name: 'pad then avg pool, clip, identity',
    build: () => ({
      graph: graphOf(
        [null, 2, 5, 5],
        [
          { op: 'Pad', name: 'pad', inputs: ['x'], output: 'pad', pads: [2, 1, 0, 1], value: -0.25 },
          avgPool('p', 'pad', [2, 2], [2, 2], [0, 0, 0, 0], false, false),
          { op: 'Clip', name: 'clip', inputs: ['p'], output: 'clip', min: 0, max: 0.3 },
          { op: 'Identity', name: 'id', inputs: ['clip'], output: 'id' },
        ],
      ),
      outputs: ['pad', 'id'],
    }),
  },
  {
    name: 'conv then QuantClip (QCFS, λ = 0.7, L = 3)',
    build: (r) => ({
      graph: graphOf(
        [null, 2, 5, 5],
        [
          randomConv(r, 'conv', 'x', [3, 2, 3, 3], { pads: [1, 1, 1, 1] }),
          { op: 'QuantClip', name: 'q', inputs: ['conv'], output: 'q', max: 0.7, levels: 3 },
        ],
      ),
    }),
  },
  {
    name: 'small MNIST-like CNN, every intermediate output requested',
    build: (r) => {
      const nodes: Node[] = [
        randomConv(r, 'conv1', 'x', [4, 1, 3, 3], { pads: [1, 1, 1, 1] }),
        { op: 'Clip', name: 'act1', inputs: ['conv1'], output: 'act1', min: 0, max: 0.8 },
        avgPool('pool1', 'act1', [2, 2], [2, 2], [0, 0, 0, 0], false, false),
        randomConv(r, 'conv2', 'pool1', [6, 4, 3, 3]),
        batchNorm(r, 'bn2', 'conv2', 6),
        relu('act2', 'bn2'),
        maxPool('pool2', 'act2', [2, 2], [2, 2], [0, 0, 0, 0], true),
        { op: 'Flatten', name: 'flat', inputs: ['pool2'], output: 'flat', axis: 1 },
        dense('fc', 'flat', randomTensor(r, [10, 6 * 3 * 3], -0.3, 0.3), randomTensor(r, [10], -0.1, 0.1)),
      ];
      return { graph: graphOf([null, 1, 14, 14], nodes), outputs: nodes.map((n) => n.output) };
    },
  },
];

// ── comparison ───────────────────────────────────────────────────────────────────────────────────

/** Asserts equal shapes and |a − b| ≤ 1e-5·max(1, |b|) everywhere (b is the expectation; ±∞ must match exactly). */
export function assertClose(
  actual: Tensor,
  expected: { readonly shape: readonly number[]; readonly data: ArrayLike<number> },
  what: string,
): void {
  assert.deepEqual([...actual.shape], [...expected.shape], `${what}: shape`);
  assert.equal(actual.data.length, expected.data.length, `${what}: length`);
  for (let i = 0; i < actual.data.length; i++) {
    const a = actual.data[i];
    const b = expected.data[i];
    if (a !== b && !(Math.abs(a - b) <= RELATIVE_TOLERANCE * Math.max(1, Math.abs(b)))) {
      assert.fail(`${what}: element ${i} is ${a}, expected ${b} (|Δ| = ${Math.abs(a - b)})`);
    }
  }
}

async function runOnce(backend: Backend, graph: Graph, input: Tensor, outputs?: readonly string[]): Promise<ReadonlyMap<string, Tensor>> {
  const compiled = await backend.compile(graph, outputs ? { outputs } : undefined);
  try {
    assert.deepEqual([...compiled.outputs], [...new Set(outputs ?? [graph.output])]);
    const before = input.data.slice();
    const result = await compiled.run(input);
    assert.deepEqual(input.data, before, 'run must not mutate its input');
    return result;
  } finally {
    await compiled.dispose();
  }
}

export interface ConformanceOptions {
  /** A second backend to compare every random case against (the reference for ort, ort for the reference). */
  readonly oracle?: () => Backend;
}

/** Registers the conformance tests (node:test) for the backend that `factory` makes. */
export function runConformance(label: string, factory: () => Backend, options: ConformanceOptions = {}): void {
  describe(`${label} backend conformance`, () => {
    const backend = factory();

    describe('hand-computed values', () => {
      for (const c of handCases) {
        test(c.name, async () => {
          const result = await runOnce(backend, c.graph, c.input, c.outputs);
          for (const [name, expected] of Object.entries(c.expected)) {
            const actual = result.get(name);
            assert.ok(actual, `output '${name}' missing`);
            assertClose(actual, expected, `${c.name} / ${name}`);
          }
        });
      }
    });

    describe(`seeded random cases${options.oracle ? ' against the oracle' : ''}`, () => {
      const oracle = options.oracle?.();
      for (const c of randomCases) {
        for (const batch of c.batches ?? [1, 5]) {
          test(`${c.name} (batch ${batch})`, async () => {
            const random = mulberry32(seedOf(c.name));
            const { graph, outputs } = c.build(random);
            const input = randomTensor(
              random,
              graph.input.shape.map((d) => d ?? batch),
            );
            const shapes = inferShapes(graph, batch);
            const result = await runOnce(backend, graph, input, outputs);
            const expected = oracle ? await runOnce(oracle, graph, input, outputs) : null;
            for (const name of outputs ?? [graph.output]) {
              const actual = result.get(name);
              assert.ok(actual, `output '${name}' missing`);
              assert.deepEqual([...actual.shape], [...(shapes.get(name) ?? [])], `${name}: shape differs from inferShapes`);
              assert.ok(!actual.data.some(Number.isNaN), `${name}: NaN values`);
              if (expected) assertClose(actual, expected.get(name) as Tensor, `${c.name} / ${name}`);
            }
          });
        }
      }
    });

    describe('contract', () => {
      const random = mulberry32(7);
      const convNode = randomConv(random, 'conv', 'x', [2, 1, 3, 3]);

      test('a Spike node is refused with a BackendError naming it', async () => {
        const graph = graphOf(
          [null, 1, 5, 5],
          [
            convNode,
            {
              op: 'Spike',
              name: 'if1',
              inputs: ['conv'],
              output: 'if1',
              neuron: 'if',
              reset: 'soft',
              threshold: tensor([1], [1]),
              initialPotential: tensor([1], [0.5]),
              maxSpikesPerStep: 1,
            },
          ],
        );
        await assert.rejects(backend.compile(graph), (e: Error) => e instanceof BackendError && e.message.includes("'if1'"));
      });

      test('a SpikeMaxPool node is refused with a BackendError naming it', async () => {
        const graph = graphOf(
          [null, 1, 6, 6],
          [convNode, { op: 'SpikeMaxPool', name: 'pool1', inputs: ['conv'], output: 'pool1', kernel: [2, 2] }],
        );
        await assert.rejects(backend.compile(graph), (e: Error) => e instanceof BackendError && e.message.includes("'pool1'"));
      });

      test('an unknown requested output is refused, naming it', async () => {
        const graph = graphOf([null, 1, 5, 5], [convNode]);
        await assert.rejects(
          backend.compile(graph, { outputs: ['conv', 'nope'] }),
          (e: Error) => e instanceof BackendError && e.message.includes("'nope'"),
        );
      });

      test('an input of the wrong shape is refused, naming the input', async () => {
        const compiled = await backend.compile(graphOf([null, 1, 5, 5], [convNode]));
        try {
          await assert.rejects(compiled.run(tensor([1, 1, 5, 4])), (e: Error) => e instanceof BackendError && e.message.includes("'x'"));
          await assert.rejects(compiled.run(tensor([2, 25])), BackendError);
        } finally {
          await compiled.dispose();
        }
      });

      test('one compiled graph runs many batch sizes; results do not alias each other', async () => {
        const graph = graphOf([null, 1, 5, 5], [convNode, relu('r', 'conv'), { op: 'Identity', name: 'id', inputs: ['r'], output: 'id' }]);
        const compiled = await backend.compile(graph, { outputs: ['r', 'id'] });
        try {
          for (const batch of [3, 1, 2]) {
            const result = await compiled.run(randomTensor(random, [batch, 1, 5, 5]));
            const [r, id] = [result.get('r') as Tensor, result.get('id') as Tensor];
            assert.equal(r.shape[0], batch);
            assert.deepEqual(r.data, id.data);
            assert.notEqual(r.data.buffer, id.data.buffer);
          }
        } finally {
          await compiled.dispose();
        }
      });

      test('a result stays valid after the next run (no reused output buffers)', async () => {
        const compiled = await backend.compile(graphOf([null, 1, 5, 5], [convNode]));
        try {
          const first = (await compiled.run(randomTensor(random, [2, 1, 5, 5]))).get('conv') as Tensor;
          const copy = first.data.slice();
          await compiled.run(randomTensor(random, [2, 1, 5, 5]));
          assert.deepEqual(first.data, copy);
        } finally {
          await compiled.dispose();
        }
      });

      test('run after dispose is refused', async () => {
        const compiled = await backend.compile(graphOf([null, 1, 5, 5], [convNode]));
        await compiled.dispose();
        await assert.rejects(compiled.run(tensor([1, 1, 5, 5])), BackendError);
      });
    });
  });
}
