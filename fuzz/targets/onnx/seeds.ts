/**
 * The models the ONNX target mutates: the small real models in models/, models/pytorch/ and
 * models/pytorch/pools/ (the raw ZeroPad2d exports: ConstantOfShape, Slice, Transpose folding) (≤ 500 kB,
 * so a case stays fast), and tiny graphs built with src/onnx/builder.ts that between them use every
 * imported op (Conv with groups, dilations and auto_pad, BatchNormalization, pools, Pad, Add of two
 * activations, Concat, Clip, ReduceMean, the Shape → Gather → Unsqueeze → Concat → Reshape chain,
 * MatMul + bias, Softmax, Dropout, Identity, Cast) and nested graphs (If, Loop).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { onnx as O } from 'onnx-proto';
import { encodeModel, floatInitializer, int64Initializer, node, typedInitializer, valueInfo } from '../../../src/onnx/builder.js';
import { onnx } from '../../../src/onnx/proto.js';
import { mulberry32 } from '../../../src/tensor/random.js';
import { tensor } from '../../../src/tensor/tensor.js';

export interface Seed {
  readonly name: string;
  readonly bytes: Uint8Array;
}

const MAX_REAL_BYTES = 500_000;
const repoRoot = new URL('../../../', import.meta.url).pathname;

function realModels(): Seed[] {
  const dirs = ['models', 'models/pytorch', 'models/pytorch/pools'];
  return dirs.flatMap((dir) =>
    readdirSync(join(repoRoot, dir))
      .filter((f) => f.endsWith('.onnx') && statSync(join(repoRoot, dir, f)).size <= MAX_REAL_BYTES)
      .sort()
      .map((f) => ({ name: `${dir}/${f}`, bytes: new Uint8Array(readFileSync(join(repoRoot, dir, f))) })),
  );
}

function weights(name: string, shape: readonly number[], seed: number): O.ITensorProto {
  const random = mulberry32(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return floatInitializer(
    name,
    tensor(
      shape,
      Float32Array.from({ length: n }, () => random() - 0.4),
    ),
  );
}

/** Conv(pads) → BatchNorm → Relu → MaxPool → Pad → AveragePool → Flatten → Gemm → Softmax. */
function tinyCnn(): Uint8Array {
  return encodeModel({
    opset: 13,
    inputs: [valueInfo('x', [null, 1, 6, 6])],
    outputs: [valueInfo('y', [null, 4])],
    initializers: [
      weights('c1.w', [3, 1, 3, 3], 1),
      weights('c1.b', [3], 2),
      floatInitializer('bn.scale', tensor([3], Float32Array.of(1, 0.5, 2))),
      floatInitializer('bn.bias', tensor([3], Float32Array.of(0, 0.1, -0.1))),
      floatInitializer('bn.mean', tensor([3], Float32Array.of(0.1, 0, 0.2))),
      floatInitializer('bn.var', tensor([3], Float32Array.of(1, 2, 0.5))),
      int64Initializer('pads', [0, 0, 1, 1, 0, 0, 0, 0]),
      weights('fc.w', [4, 12], 3),
      weights('fc.b', [4], 4),
    ],
    nodes: [
      node('Conv', ['x', 'c1.w', 'c1.b'], ['c1'], { pads: [1, 1, 1, 1], strides: [1, 1], kernel_shape: [3, 3] }),
      node('BatchNormalization', ['c1', 'bn.scale', 'bn.bias', 'bn.mean', 'bn.var'], ['bn'], { epsilon: { float: 1e-5 } }),
      node('Relu', ['bn'], ['r1']),
      node('MaxPool', ['r1'], ['p1'], { kernel_shape: [2, 2], strides: [2, 2] }),
      node('Pad', ['p1', 'pads'], ['pad'], { mode: 'constant' }),
      node('AveragePool', ['pad'], ['p2'], { kernel_shape: [2, 2], strides: [2, 2], ceil_mode: 0 }),
      node('Flatten', ['p2'], ['f'], { axis: 1 }),
      node('Gemm', ['f', 'fc.w', 'fc.b'], ['logits'], { transB: 1, alpha: { float: 1 }, beta: { float: 1 } }),
      node('Softmax', ['logits'], ['y'], { axis: -1 }),
    ],
  });
}

/** Conv → Relu → Conv → Add(·, x) → Relu → Concat with x → Clip → GlobalAveragePool → Reshape [batch, -1] → MatMul → Add. */
function tinyResidual(): Uint8Array {
  return encodeModel({
    opset: 17,
    inputs: [valueInfo('x', [null, 2, 5, 5])],
    outputs: [valueInfo('y', [null, 3])],
    initializers: [
      weights('a.w', [2, 2, 3, 3], 5),
      weights('b.w', [2, 2, 3, 3], 6),
      floatInitializer('lo', tensor([], Float32Array.of(0))),
      floatInitializer('hi', tensor([], Float32Array.of(2))),
      int64Initializer('zero', [0], []),
      int64Initializer('axes0', [0]),
      int64Initializer('minus1', [-1]),
      weights('m.w', [4, 3], 7),
      weights('m.b', [3], 8),
    ],
    nodes: [
      node('Conv', ['x', 'a.w'], ['a'], { pads: [1, 1, 1, 1] }),
      node('Relu', ['a'], ['ra']),
      node('Conv', ['ra', 'b.w'], ['b'], { pads: [1, 1, 1, 1], dilations: [1, 1] }),
      node('Add', ['b', 'x'], ['s']),
      node('Relu', ['s'], ['rs']),
      node('Concat', ['rs', 'x'], ['cat'], { axis: 1 }),
      node('Clip', ['cat', 'lo', 'hi'], ['clip']),
      node('GlobalAveragePool', ['clip'], ['gap']),
      node('Shape', ['gap'], ['shape']),
      node('Gather', ['shape', 'zero'], ['n'], { axis: 0 }),
      node('Unsqueeze', ['n', 'axes0'], ['n1']),
      node('Concat', ['n1', 'minus1'], ['target'], { axis: 0 }),
      node('Reshape', ['gap', 'target'], ['flat']),
      node('MatMul', ['flat', 'm.w'], ['mm']),
      node('Add', ['mm', 'm.b'], ['y']),
    ],
  });
}

/** Grouped, strided Conv with auto_pad → Cast → Clip (attributes, opset 10) → ReduceMean → Gemm → Dropout → Identity. */
function tinyGrouped(): Uint8Array {
  return encodeModel({
    opset: 10,
    inputs: [valueInfo('x', [null, 4, 4, 4])],
    outputs: [valueInfo('y', [null, 2])],
    initializers: [weights('g.w', [4, 2, 3, 3], 9), weights('fc.w', [4, 2], 10), typedInitializer('mask', 'bool', [1], Uint8Array.of(0))],
    nodes: [
      node('Conv', ['x', 'g.w'], ['g'], { group: 2, strides: [2, 2], auto_pad: 'SAME_UPPER', dilations: [1, 1] }),
      node('Cast', ['g'], ['gc'], { to: onnx.TensorProto.DataType.FLOAT }),
      node('Clip', ['gc'], ['c'], { min: 0, max: { float: 1.5 } }),
      node('ReduceMean', ['c'], ['m'], { axes: [2, 3], keepdims: 0 }),
      node('Gemm', ['m', 'fc.w'], ['fc']),
      node('Dropout', ['fc'], ['d']),
      node('Identity', ['d'], ['y']),
    ],
  });
}

/** A dense net on a flat input, whose last layer sits in both branches of an If (and a Loop that runs once). */
function tinyNested(): Uint8Array {
  const G = onnx.AttributeProto.AttributeType.GRAPH;
  const branch = (name: string): O.IGraphProto => ({
    name,
    node: [node('Relu', ['h'], [`${name}_out`])],
    output: [valueInfo(`${name}_out`, [null, 5])],
  });
  const body: O.IGraphProto = {
    name: 'body',
    input: [valueInfo('i', [], 'int64'), valueInfo('cond_in', [], 'bool')],
    node: [node('Identity', ['cond_in'], ['cond_out']), node('Relu', ['h'], ['loop_out'])],
    output: [valueInfo('cond_out', [], 'bool'), valueInfo('loop_out', [null, 5])],
  };
  const ifNode = node('If', ['cond'], ['branch']);
  ifNode.attribute = [
    { name: 'then_branch', type: G, g: branch('then') },
    { name: 'else_branch', type: G, g: branch('else') },
  ];
  const loopNode = node('Loop', ['trip', 'cond'], ['looped']);
  loopNode.attribute = [{ name: 'body', type: G, g: body }];
  return encodeModel({
    opset: 13,
    inputs: [valueInfo('x', [null, 16])],
    outputs: [valueInfo('y', [null, 5])],
    initializers: [
      weights('w1', [5, 16], 11),
      weights('b1', [5], 12),
      typedInitializer('cond', 'bool', [], Uint8Array.of(1)),
      int64Initializer('trip', [1], []),
    ],
    nodes: [node('Gemm', ['x', 'w1', 'b1'], ['h'], { transB: 1 }), ifNode, loopNode, node('Add', ['branch', 'looped'], ['y'])],
  });
}

/** A dense net on a flat input: Gemm → Relu → Gemm (transB = 0). */
function tinyDense(): Uint8Array {
  return encodeModel({
    opset: 9,
    inputs: [valueInfo('x', [null, 16])],
    outputs: [valueInfo('y', [null, 3])],
    initializers: [weights('w1', [8, 16], 13), weights('b1', [8], 14), weights('w2', [8, 3], 15)],
    nodes: [node('Gemm', ['x', 'w1', 'b1'], ['h'], { transB: 1 }), node('Relu', ['h'], ['r']), node('Gemm', ['r', 'w2'], ['y'])],
  });
}

export interface Seeds {
  readonly tiny: readonly Seed[];
  readonly real: readonly Seed[];
}

let cache: Seeds | null = null;

/** All seeds (built once per process). */
export function seeds(): Seeds {
  cache ??= {
    tiny: [
      { name: 'tiny-cnn', bytes: tinyCnn() },
      { name: 'tiny-residual', bytes: tinyResidual() },
      { name: 'tiny-grouped', bytes: tinyGrouped() },
      { name: 'tiny-nested', bytes: tinyNested() },
      { name: 'tiny-dense', bytes: tinyDense() },
    ],
    real: realModels(),
  };
  return cache;
}
