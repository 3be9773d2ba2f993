import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { onnx as O } from 'onnx-proto';
import type { ClipNode, DenseNode, Graph, Node } from '../../src/ir/graph.js';
import { inferShapes } from '../../src/ir/shapes.js';
import { encodeModel, floatInitializer, int64Initializer, node, valueInfo } from '../../src/onnx/builder.js';
import { OnnxError } from '../../src/onnx/errors.js';
import { importOnnx } from '../../src/onnx/import.js';
import { readOnnxFile } from '../../src/node/onnx-file.js';
import { onnx } from '../../src/onnx/proto.js';
import { tensor, type Tensor } from '../../src/tensor/tensor.js';
import { buildPytorchLikeModels, mulberry32, residualModel } from '../helpers/pytorch-like.js';

interface Spec {
  nodes: O.INodeProto[];
  initializers?: O.ITensorProto[];
  input?: readonly (number | null)[];
  output?: readonly (number | null)[];
  opset?: number;
}

/** A model reading 'x' and writing 'y'. */
function model(spec: Spec): Uint8Array {
  return encodeModel({
    nodes: spec.nodes,
    initializers: spec.initializers ?? [],
    inputs: [valueInfo('x', spec.input ?? [null, 4])],
    outputs: [valueInfo('y', spec.output ?? [null, 3])],
    opset: spec.opset ?? 13,
  });
}

function random(shape: readonly number[], seed = 1): Tensor {
  const r = mulberry32(seed);
  return tensor(
    shape,
    Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => 2 * r() - 1),
  );
}

type NodeOf<K extends Node['op']> = Node extends infer N ? (N extends Node ? (K extends N['op'] ? N : never) : never) : never;

function only<K extends Node['op']>(graph: Graph, op: K): NodeOf<K> {
  const found = graph.nodes.filter((n) => n.op === op);
  assert.equal(found.length, 1, `expected one ${op}, got ${graph.nodes.map((n) => n.op).join(',')}`);
  return found[0] as NodeOf<K>;
}

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-6): void {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < actual.length; i++) {
    assert.ok(Math.abs(actual[i] - expected[i]) <= tol * (1 + Math.abs(expected[i])), `index ${i}: ${actual[i]} vs ${expected[i]}`);
  }
}

/** Expects an OnnxError whose message matches every pattern. */
function throwsOnnx(fn: () => unknown, ...patterns: RegExp[]): OnnxError {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof OnnxError, `expected an OnnxError, got ${String(caught)}`);
  for (const p of patterns) assert.match(caught.message, p);
  return caught;
}

describe('importOnnx: PyTorch-like models', () => {
  const expected: Record<string, string> = {
    'cnn-opset13': 'Conv2d,BatchNorm,Relu,Conv2d,Clip,Pad,AvgPool,MaxPool,Flatten,Dense,Relu,Dense',
    'cnn-opset9': 'Conv2d,BatchNorm,Relu,Conv2d,Clip,Dropout,Pad,AvgPool,MaxPool,Flatten,Identity,Dense,Relu,Dense',
    'residual-opset13': 'Conv2d,Relu,Conv2d,Relu,Conv2d,Add,Relu,GlobalAvgPool,Flatten,Dense',
    'constants-opset13': 'Conv2d,Clip,MaxPool,Reshape,Dense,Softmax',
    'view-chain-opset11': 'Conv2d,Relu,Reshape,Dense',
    'no-folding-opset13': 'Conv2d,Clip,Conv2d,Clip,GlobalAvgPool,Reshape,Dense',
    'reducemean-opset18': 'Conv2d,Relu,GlobalAvgPool,Flatten,Dense',
  };
  const models = buildPytorchLikeModels();

  test('the helper builds every model, deterministically', () => {
    assert.deepEqual(models.map((m) => m.name).sort(), Object.keys(expected).sort());
    const again = buildPytorchLikeModels();
    models.forEach((m, i) => assert.deepEqual(m.bytes, again[i].bytes));
    assert.notDeepEqual(buildPytorchLikeModels(2)[0].bytes, models[0].bytes);
  });

  for (const m of models) {
    test(`${m.name} imports with the expected nodes and shapes`, () => {
      const graph = importOnnx(m.bytes, m.name);
      assert.equal(graph.nodes.map((n) => n.op).join(','), expected[m.name]);
      assert.deepEqual(graph.input, { name: 'input', shape: [null, ...m.inputShape] });
      assert.equal(graph.output, 'output');
      const shapes = inferShapes(graph, 5);
      assert.deepEqual(shapes.get('output'), [5, m.outputSize]);
      assert.equal(new Set(graph.nodes.map((n) => n.name)).size, graph.nodes.length);
    });
  }

  test('cnn-opset13: attributes land in the IR', () => {
    const graph = importOnnx(models.find((m) => m.name === 'cnn-opset13')!.bytes);
    assert.equal(graph.nodes[0].name, '/conv1/Conv');
    const clip = only(graph, 'Clip');
    assert.deepEqual([clip.min, clip.max], [0, 1]);
    assert.deepEqual(only(graph, 'Pad').pads, [1, 1, 1, 1]);
    const avg = only(graph, 'AvgPool');
    assert.deepEqual([avg.kernel, avg.strides, avg.countIncludePad, avg.ceilMode], [[2, 2], [2, 2], false, false]);
    assert.equal(only(graph, 'MaxPool').ceilMode, true);
    const dense = graph.nodes.filter((n): n is DenseNode => n.op === 'Dense');
    assert.deepEqual(dense[0].weight.shape, [32, 1024]);
    assert.equal(only(graph, 'BatchNorm').epsilon, Math.fround(1e-5));
    const shapes = inferShapes(graph, 2);
    assert.deepEqual(shapes.get(only(graph, 'MaxPool').output), [2, 16, 8, 8]);
  });

  test('cnn-opset9: Clip bounds from attributes; the unused Dropout mask is ignored', () => {
    const graph = importOnnx(models.find((m) => m.name === 'cnn-opset9')!.bytes);
    const clip = only(graph, 'Clip');
    assert.deepEqual([clip.min, clip.max], [0, 1]);
    assert.equal(only(graph, 'Dropout').name, '/dropout/Dropout');
  });

  test('residual: MatMul + Add of a constant become one Dense with W = Bᵀ and the bias', () => {
    const m = residualModel(3);
    const decoded = onnx.ModelProto.decode(m.bytes);
    const init = (name: string): Float32Array => {
      const t = decoded.graph?.initializer?.find((i) => i.name === name);
      return new Float32Array(new Uint8Array(t?.rawData ?? []).buffer);
    };
    const b = init('onnx::MatMul_42'); // [8, 10]
    const graph = importOnnx(m.bytes);
    const dense = only(graph, 'Dense');
    assert.equal(dense.name, '/fc/MatMul');
    assert.equal(dense.output, 'output');
    assert.deepEqual(dense.weight.shape, [10, 8]);
    for (let o = 0; o < 10; o++) for (let i = 0; i < 8; i++) assert.equal(dense.weight.data[o * 8 + i], b[i * 10 + o]);
    assert.deepEqual(dense.bias?.data, init('fc.bias'));
    const add = only(graph, 'Add');
    assert.deepEqual(add.inputs, ['/block/conv2/Conv_output_0', '/stem_relu/Relu_output_0']);
  });

  test('constants: Clip bounds and the Reshape target come from Constant nodes', () => {
    const graph = importOnnx(models.find((m) => m.name === 'constants-opset13')!.bytes);
    const clip = only(graph, 'Clip');
    assert.deepEqual([clip.min, clip.max], [0, 6]);
    assert.deepEqual(only(graph, 'Reshape').shape, [-1, 216]);
    assert.equal(only(graph, 'Softmax').axis, 1);
  });

  test('view chain: Shape→Gather→Unsqueeze→Concat becomes Reshape [0, -1] (copy the batch)', () => {
    const graph = importOnnx(models.find((m) => m.name === 'view-chain-opset11')!.bytes);
    assert.deepEqual(only(graph, 'Reshape').shape, [0, -1]);
    assert.deepEqual(inferShapes(graph, 7).get('output'), [7, 10]);
  });
});

describe('importOnnx: Cast (torch.onnx.export with do_constant_folding=False)', () => {
  const io = { input: [null, 4], output: [null, 4] } as const;
  const FLOAT = onnx.TensorProto.DataType.FLOAT;
  const INT64 = onnx.TensorProto.DataType.INT64;
  const clipOf = (bytes: Uint8Array): ClipNode => only(importOnnx(bytes), 'Clip');

  test('int64 and float Constants cast to FLOAT become Clip bounds', () => {
    const clip = clipOf(
      model({
        ...io,
        nodes: [
          node('Constant', [], ['a'], { value: { dims: [], dataType: INT64, int64Data: [0] } }),
          node('Cast', ['a'], ['lo'], { to: FLOAT }),
          node('Cast', ['hi6'], ['hi'], { to: FLOAT }),
          node('Clip', ['x', 'lo', 'hi'], ['y']),
        ],
        initializers: [floatInitializer('hi6', tensor([], [6]))],
      }),
    );
    assert.deepEqual([clip.min, clip.max], [0, 6]);
  });

  test('float → integer truncates toward zero; → BOOL is 0/1; shape values pass through integer casts', () => {
    // Reshape targets built from casts: [Cast(x.size(0)), Cast(14.9) = 14] and [Cast(-1.9) = -1, Cast(14 → BOOL) = 1].
    const graph = importOnnx(
      model({
        input: [null, 2, 7],
        output: [null, 14],
        nodes: [
          node('Shape', ['x'], ['s']),
          node('Cast', ['s'], ['s32'], { to: onnx.TensorProto.DataType.INT32 }),
          node('Gather', ['s32', 'zero'], ['n']),
          node('Cast', ['f'], ['fi'], { to: INT64 }),
          node('Concat', ['n', 'fi'], ['target'], { axis: 0 }),
          node('Reshape', ['x', 'target'], ['y']),
        ],
        initializers: [int64Initializer('zero', [0]), floatInitializer('f', tensor([1], [14.9]))],
      }),
    );
    assert.deepEqual(only(graph, 'Reshape').shape, [0, 14]);
    // [-1, 1] moves the batch out of dimension 0 ([N, 14] → [14·N, 1]): the IR cannot hold it.
    const neg = () =>
      importOnnx(
        model({
          input: [null, 14],
          output: [null, 14],
          nodes: [
            node('Cast', ['f'], ['fi'], { to: INT64 }),
            node('Cast', ['b'], ['bi'], { to: onnx.TensorProto.DataType.BOOL }),
            node('Concat', ['fi', 'bi'], ['target'], { axis: 0 }),
            node('Reshape', ['x', 'target'], ['y']),
          ],
          initializers: [floatInitializer('f', tensor([1], [-1.9])), floatInitializer('b', tensor([1], [14]))],
        }),
      );
    assert.throws(neg, /node 'Reshape_y': output 'y' is \[14, 1\] for one image but \[28, 1\] for two: the batch must stay dimension 0/);
  });

  test('an activation cast to FLOAT is the identity; to an integer or FLOAT16 it is refused', () => {
    const graph = importOnnx(model({ ...io, nodes: [node('Cast', ['x'], ['c'], { to: FLOAT }), node('Relu', ['c'], ['y'])] }));
    assert.equal(graph.nodes.map((n) => n.op).join(','), 'Identity,Relu');
    throwsOnnx(
      () => importOnnx(model({ ...io, nodes: [node('Cast', ['x'], ['y'], { to: INT64 }, 'cast')] })),
      /node 'cast'/,
      /casting an activation to INT64 is not supported/,
    );
    throwsOnnx(
      () => importOnnx(model({ ...io, nodes: [node('Cast', ['x'], ['y'], { to: onnx.TensorProto.DataType.FLOAT16 }, 'cast')] })),
      /node 'cast'/,
      /casting to FLOAT16 is not supported/,
    );
  });
});

describe('importOnnx: ReduceMean over H and W (x.mean((2, 3)))', () => {
  const io = { input: [null, 3, 5, 5], output: [null, 3] } as const;

  test('keepdims=1 → GlobalAvgPool; keepdims=0 → GlobalAvgPool + Flatten; axes as attribute (< 18) or input (≥ 18)', () => {
    const keep = importOnnx(model({ ...io, output: [null, 3, 1, 1], nodes: [node('ReduceMean', ['x'], ['y'], { axes: [2, 3] }, 'mean')] }));
    assert.equal(keep.nodes.map((n) => `${n.op}:${n.name}:${n.output}`).join(','), 'GlobalAvgPool:mean:y');
    const flat = importOnnx(model({ ...io, nodes: [node('ReduceMean', ['x'], ['y'], { axes: [3, -2], keepdims: 0 }, 'mean')] }));
    assert.equal(flat.nodes.map((n) => n.op).join(','), 'GlobalAvgPool,Flatten');
    assert.equal(flat.output, 'y');
    assert.deepEqual(inferShapes(flat, 2).get('y'), [2, 3]);
    assert.equal(new Set(flat.nodes.map((n) => n.name)).size, 2);
    const opset18 = importOnnx(
      model({
        ...io,
        opset: 18,
        nodes: [node('ReduceMean', ['x', 'axes'], ['y'], { keepdims: 0 })],
        initializers: [int64Initializer('axes', [2, 3])],
      }),
    );
    assert.equal(opset18.nodes.map((n) => n.op).join(','), 'GlobalAvgPool,Flatten');
  });

  test('other axes (or all axes) are refused, naming the node', () => {
    throwsOnnx(
      () =>
        importOnnx(model({ ...io, output: [null, 5, 5], nodes: [node('ReduceMean', ['x'], ['y'], { axes: [1], keepdims: 0 }, 'mean')] })),
      /node 'mean'/,
      /only a mean over the spatial axes \[2, 3\].*over axes \[1\] of a rank-4 input/,
    );
    throwsOnnx(
      () => importOnnx(model({ ...io, output: [1, 1, 1, 1], nodes: [node('ReduceMean', ['x'], ['y'], {}, 'mean')] })),
      /over all axes/,
    );
  });
});

describe('importOnnx: Gemm and MatMul folding', () => {
  const B = random([4, 3], 2); // [I, O] for transB=0
  const Bt = random([3, 4], 3); // [O, I] for transB=1

  test('transB=0 with alpha and beta: W = α·Bᵀ, b = β·C (C as [1, O])', () => {
    const C = random([1, 3], 4);
    const graph = importOnnx(
      model({
        nodes: [node('Gemm', ['x', 'B', 'C'], ['y'], { alpha: 0.5, beta: 2.5 }, 'fc')],
        initializers: [floatInitializer('B', B), floatInitializer('C', C)],
      }),
    );
    const dense = only(graph, 'Dense');
    assert.equal(dense.name, 'fc');
    assert.deepEqual(dense.weight.shape, [3, 4]);
    for (let o = 0; o < 3; o++)
      for (let i = 0; i < 4; i++) assert.equal(dense.weight.data[o * 4 + i], Math.fround(0.5 * B.data[i * 3 + o]));
    assertClose(
      dense.bias!.data,
      Array.from(C.data, (c) => 2.5 * c),
    );
  });

  test('transB=1: W = α·B, scalar C broadcast to every output', () => {
    const graph = importOnnx(
      model({
        nodes: [node('Gemm', ['x', 'B', 'C'], ['y'], { alpha: { float: 2 }, transB: 1 })],
        initializers: [floatInitializer('B', Bt), floatInitializer('C', tensor([], [0.25]))],
      }),
    );
    const dense = only(graph, 'Dense');
    assertClose(
      dense.weight.data,
      Array.from(Bt.data, (v) => 2 * v),
    );
    assert.deepEqual(Array.from(dense.bias!.data), [0.25, 0.25, 0.25]);
  });

  test('no C (or beta = 0) → no bias', () => {
    const graph = importOnnx(model({ nodes: [node('Gemm', ['x', 'B'], ['y'])], initializers: [floatInitializer('B', B)] }));
    assert.equal(only(graph, 'Dense').bias, null);
    const zeroBeta = importOnnx(
      model({
        nodes: [node('Gemm', ['x', 'B', 'C'], ['y'], { beta: { float: 0 } })],
        initializers: [floatInitializer('B', B), floatInitializer('C', random([3]))],
      }),
    );
    assert.equal(only(zeroBeta, 'Dense').bias, null);
  });

  test('refuses transA=1, a non-constant B and a C that is not a bias', () => {
    throwsOnnx(
      () => importOnnx(model({ nodes: [node('Gemm', ['x', 'B'], ['y'], { transA: 1 }, 'g')], initializers: [floatInitializer('B', B)] })),
      /node 'g'/,
      /transA/,
    );
    throwsOnnx(
      () =>
        importOnnx(
          model({
            nodes: [node('Relu', ['x'], ['r']), node('Gemm', ['x', 'r'], ['y'], {}, 'g')],
            output: [null, 4],
          }),
        ),
      /node 'g'/,
      /must be a constant/,
    );
    throwsOnnx(
      () =>
        importOnnx(
          model({
            nodes: [node('Gemm', ['x', 'B', 'C'], ['y'], {}, 'g')],
            initializers: [floatInitializer('B', B), floatInitializer('C', random([2, 3]))],
          }),
        ),
      /node 'g'/,
      /C of shape \[2, 3\]/,
    );
  });

  test('MatMul alone → Dense without bias', () => {
    const graph = importOnnx(model({ nodes: [node('MatMul', ['x', 'B'], ['y'], {}, 'mm')], initializers: [floatInitializer('B', B)] }));
    const dense = only(graph, 'Dense');
    assert.equal(dense.bias, null);
    assert.equal(dense.weight.data[1 * 4 + 2], B.data[2 * 3 + 1]);
  });

  test('Add of a constant after Conv without bias folds into it ([1, O, 1, 1])', () => {
    const w = random([2, 1, 3, 3], 5);
    const graph = importOnnx(
      model({
        nodes: [node('Conv', ['x', 'w'], ['c'], { pads: [1, 1, 1, 1] }, 'conv'), node('Add', ['c', 'b'], ['y'], {}, 'bias')],
        initializers: [floatInitializer('w', w), floatInitializer('b', tensor([1, 2, 1, 1], [0.5, -0.5]))],
        input: [null, 1, 5, 5],
        output: [null, 2, 5, 5],
      }),
    );
    const conv = only(graph, 'Conv2d');
    assert.deepEqual(Array.from(conv.bias!.data), [0.5, -0.5]);
    assert.equal(conv.output, 'y');
    assert.equal(graph.output, 'y');
  });

  test('refuses an Add of a constant that cannot be a bias', () => {
    throwsOnnx(
      () =>
        importOnnx(
          model({
            nodes: [node('Relu', ['x'], ['r']), node('Add', ['r', 'b'], ['y'], {}, 'shift')],
            initializers: [floatInitializer('b', random([4]))],
            output: [null, 4],
          }),
        ),
      /node 'shift'/,
      /only a bias directly after a Dense/,
    );
    throwsOnnx(
      () =>
        importOnnx(
          model({
            nodes: [node('MatMul', ['x', 'B'], ['m']), node('Add', ['m', 'b'], ['y'], {}, 'wide')],
            initializers: [floatInitializer('B', B), floatInitializer('b', random([2, 3]))],
          }),
        ),
      /node 'wide'/,
      /not a per-channel bias/,
    );
  });
});

describe('importOnnx: Clip bounds', () => {
  const clipOf = (bytes: Uint8Array): ClipNode => only(importOnnx(bytes), 'Clip');
  const io = { input: [null, 4], output: [null, 4] } as const;

  test('opset < 11: min/max attributes, missing → ±∞', () => {
    const both = clipOf(model({ ...io, opset: 9, nodes: [node('Clip', ['x'], ['y'], { min: { float: -1 }, max: 2.5 })] }));
    assert.deepEqual([both.min, both.max], [-1, 2.5]);
    const minOnly = clipOf(model({ ...io, opset: 6, nodes: [node('Clip', ['x'], ['y'], { min: { float: 0 } })] }));
    assert.deepEqual([minOnly.min, minOnly.max], [0, Infinity]);
    const none = clipOf(model({ ...io, opset: 9, nodes: [node('Clip', ['x'], ['y'])] }));
    assert.deepEqual([none.min, none.max], [-Infinity, Infinity]);
  });

  test('opset ≥ 11: optional constant inputs (initializers or Constant nodes), missing → ±∞', () => {
    const lo = floatInitializer('lo', tensor([], [0]));
    const hi = floatInitializer('hi', tensor([], [6]));
    const both = clipOf(model({ ...io, nodes: [node('Clip', ['x', 'lo', 'hi'], ['y'])], initializers: [lo, hi] }));
    assert.deepEqual([both.min, both.max], [0, 6]);
    const maxOnly = clipOf(model({ ...io, opset: 11, nodes: [node('Clip', ['x', '', 'hi'], ['y'])], initializers: [hi] }));
    assert.deepEqual([maxOnly.min, maxOnly.max], [-Infinity, 6]);
    const minOnly = clipOf(
      model({
        ...io,
        nodes: [node('Constant', [], ['c'], { value_float: { float: 0.5 } }), node('Clip', ['x', 'c'], ['y'])],
      }),
    );
    assert.deepEqual([minOnly.min, minOnly.max], [0.5, Infinity]);
  });

  test('a bound computed at run time is refused', () => {
    throwsOnnx(
      () => importOnnx(model({ ...io, nodes: [node('Relu', ['x'], ['r']), node('Clip', ['x', 'r'], ['y'], {}, 'clip')] })),
      /node 'clip'/,
      /min \('r'\) must be a constant/,
    );
  });
});

describe('importOnnx: unsupported models are refused up front', () => {
  test('lists every unsupported node (name and op type) in one message', () => {
    const bytes = model({
      nodes: [node('LSTM', ['x'], ['h'], {}, 'lstm1'), node('Gelu', ['h'], ['g'], {}, 'gelu'), node('Relu', ['g'], ['y'], {}, 'relu')],
      output: [null, 4],
    });
    const err = throwsOnnx(() => importOnnx(bytes, 'model.onnx'));
    assert.equal(err.message, "model.onnx: 2 unsupported nodes: 'lstm1' (LSTM), 'gelu' (Gelu)");
    assert.equal(err.source, 'model.onnx');
  });

  test('names nodes of other domains, and generated names for unnamed nodes', () => {
    const fused: O.INodeProto = { ...node('FusedConv', ['x'], ['f'], {}, ''), domain: 'com.microsoft' };
    const bytes = encodeModel({
      nodes: [fused, node('Erf', ['f'], ['y'], {}, '')],
      initializers: [],
      inputs: [valueInfo('x', [null, 4])],
      outputs: [valueInfo('y', [null, 4])],
      extraOpsets: { 'com.microsoft': 1 },
    });
    throwsOnnx(() => importOnnx(bytes), /^<bytes>: 2 unsupported nodes: 'FusedConv_0' \(com\.microsoft\.FusedConv\), 'Erf_1' \(Erf\)$/);
  });

  test('an unsupported attribute value names the node', () => {
    const conv3d = model({
      nodes: [node('Conv', ['x', 'w'], ['y'], {}, 'conv3d')],
      initializers: [floatInitializer('w', random([2, 1, 3, 3, 3]))],
      input: [null, 1, 5, 5, 5],
    });
    throwsOnnx(() => importOnnx(conv3d, 'm.onnx'), /^m\.onnx: node 'conv3d': only 2-D convolution/);
    const reflect = model({
      nodes: [node('Pad', ['x', 'p'], ['y'], { mode: 'reflect' }, 'pad')],
      initializers: [int64Initializer('p', [0, 0, 1, 1, 0, 0, 1, 1])],
      input: [null, 1, 4, 4],
    });
    throwsOnnx(() => importOnnx(reflect), /node 'pad'/, /mode 'reflect' is not supported/);
    const channelPad = model({
      nodes: [node('Pad', ['x', 'p'], ['y'], {}, 'pad')],
      initializers: [int64Initializer('p', [0, 1, 0, 0, 0, 0, 0, 0])],
      input: [null, 1, 4, 4],
    });
    throwsOnnx(() => importOnnx(channelPad), /node 'pad'/, /only H\/W padding/);
    const dilatedPool = model({
      nodes: [node('MaxPool', ['x'], ['y'], { kernel_shape: [2, 2], dilations: [2, 2] }, 'pool')],
      input: [null, 1, 6, 6],
    });
    throwsOnnx(() => importOnnx(dilatedPool), /node 'pool'/, /dilations/);
    const indices = model({
      nodes: [node('MaxPool', ['x'], ['p', 'idx'], { kernel_shape: [2, 2] }, 'pool'), node('Add', ['p', 'idx'], ['y'])],
      input: [null, 1, 6, 6],
    });
    throwsOnnx(() => importOnnx(indices), /node 'pool'/, /Indices/);
  });

  test('exactly one input and one output', () => {
    const twoIn = encodeModel({
      nodes: [node('Add', ['a', 'b'], ['y'])],
      initializers: [],
      inputs: [valueInfo('a', [null, 2]), valueInfo('b', [null, 2])],
      outputs: [valueInfo('y', [null, 2])],
    });
    throwsOnnx(() => importOnnx(twoIn), /exactly one graph input is supported, found 2: 'a', 'b'/);
    const twoOut = encodeModel({
      nodes: [node('Relu', ['x'], ['y']), node('Relu', ['y'], ['z'])],
      initializers: [],
      inputs: [valueInfo('x', [null, 2])],
      outputs: [valueInfo('y', [null, 2]), valueInfo('z', [null, 2])],
    });
    throwsOnnx(() => importOnnx(twoOut), /exactly one graph output is supported, found 2/);
  });

  test('initializers listed among the inputs (old exporters) are not the model input', () => {
    const bytes = encodeModel({
      nodes: [node('Gemm', ['x', 'B'], ['y'])],
      initializers: [floatInitializer('B', random([4, 3]))],
      inputs: [valueInfo('x', [null, 4]), valueInfo('B', [4, 3])],
      outputs: [valueInfo('y', [null, 3])],
    });
    assert.equal(importOnnx(bytes).input.name, 'x');
  });

  test('the batch dimension: symbolic or 0 → null; other symbolic dimensions are refused', () => {
    assert.deepEqual(importOnnx(model({ nodes: [node('Relu', ['x'], ['y'])], input: [0, 4], output: [null, 4] })).input.shape, [null, 4]);
    assert.deepEqual(importOnnx(model({ nodes: [node('Relu', ['x'], ['y'])], input: [2, 4], output: [null, 4] })).input.shape, [2, 4]);
    throwsOnnx(
      () => importOnnx(model({ nodes: [node('Relu', ['x'], ['y'])], input: [null, null], output: [null, 4] })),
      /input 'x' dimension 1 is symbolic \('N'\)/,
    );
  });

  test('a fixed batch folded into a Reshape target ([b, -1] from x.view(x.size(0), -1)) becomes "copy dimension 0"', () => {
    const reshapeTo = (target: number[], input: (number | null)[]) =>
      only(
        importOnnx(
          model({
            nodes: [node('Reshape', ['x', 's'], ['y'])],
            initializers: [int64Initializer('s', target)],
            input,
            output: [null, 12],
          }),
        ),
        'Reshape',
      ).shape;
    assert.deepEqual(reshapeTo([1, -1], [1, 3, 2, 2]), [0, -1]);
    assert.deepEqual(reshapeTo([2, 12], [2, 3, 2, 2]), [0, 12]);
    // Without a fixed batch, or when dimension 0 is not the batch, the target is kept, and a target
    // that folds the batch away is refused (every value must be [N, …]).
    assert.throws(() => reshapeTo([1, -1], [null, 3, 2, 2]), /the batch must stay dimension 0/);
    assert.throws(() => reshapeTo([2, 6], [1, 3, 2, 2]), /only works for a batch of one image: with two, cannot reshape/);
  });

  test('shape errors found by validation name the node', () => {
    const bytes = model({
      nodes: [node('Gemm', ['x', 'B'], ['y'], {}, 'fc')],
      initializers: [floatInitializer('B', random([5, 3]))],
    });
    const err = throwsOnnx(() => importOnnx(bytes, 'bad.onnx'), /^bad\.onnx: node 'fc': input has 4 features/);
    assert.equal(err.nodeName, 'fc');
  });
});

describe('importOnnx: node names', () => {
  test('empty names become `${opType}_${index}`; duplicates are made unique', () => {
    const bytes = model({
      nodes: [node('Relu', ['x'], ['a'], {}, ''), node('Relu', ['a'], ['b'], {}, 'dup'), node('Relu', ['b'], ['y'], {}, 'dup')],
      output: [null, 4],
    });
    assert.deepEqual(
      importOnnx(bytes).nodes.map((n) => n.name),
      ['Relu_0', 'dup', 'dup_2'],
    );
  });

  test('a generated name never takes a name given to a later node', () => {
    const bytes = model({
      nodes: [node('Relu', ['x'], ['a'], {}, ''), node('Relu', ['a'], ['y'], {}, 'Relu_0')],
      output: [null, 4],
    });
    assert.deepEqual(
      importOnnx(bytes).nodes.map((n) => n.name),
      ['Relu_0_2', 'Relu_0'],
    );
  });
});

describe('importOnnx: windows and padding', () => {
  test('Conv auto_pad SAME_UPPER / SAME_LOWER pads are computed from the input shape', () => {
    const convWith = (autoPad: string): Node =>
      only(
        importOnnx(
          model({
            nodes: [node('Conv', ['x', 'w'], ['y'], { auto_pad: autoPad, strides: [2, 2] })],
            initializers: [floatInitializer('w', random([2, 1, 4, 4]))],
            input: [null, 1, 7, 8],
            output: [null, 2, 4, 4],
          }),
        ),
        'Conv2d',
      );
    // H: out 4, total = 3·2 + 4 − 7 = 3; W: out 4, total = 3·2 + 4 − 8 = 2.
    assert.deepEqual((convWith('SAME_UPPER') as { pads: unknown }).pads, [1, 1, 2, 1]);
    assert.deepEqual((convWith('SAME_LOWER') as { pads: unknown }).pads, [2, 1, 1, 1]);
    assert.deepEqual((convWith('VALID') as { pads: unknown }).pads, [0, 0, 0, 0]);
  });

  test('a window field beyond 2^20 (the .snn reader bound) is refused at import, naming the node', () => {
    const bytes = model({
      nodes: [node('Conv', ['x', 'w'], ['y'], { auto_pad: 'SAME_UPPER', strides: [2 ** 31, 2] }, 'Conv_g')],
      initializers: [floatInitializer('w', random([2, 1, 3, 3]))],
      input: [null, 1, 7, 8],
      output: [null, 2, 1, 4],
    });
    assert.throws(
      () => importOnnx(bytes),
      (e: Error) => /Conv_g/.test(e.message) && /exceed 1,048,576/.test(e.message),
    );
  });

  test('Pad (opset 11+): ONNX [n0, c0, h0, w0, n1, c1, h1, w1] → IR [top, left, bottom, right]', () => {
    const graph = importOnnx(
      model({
        nodes: [node('Pad', ['x', 'p', 'v'], ['y'])],
        initializers: [int64Initializer('p', [0, 0, 1, 2, 0, 0, 3, 4]), floatInitializer('v', tensor([], [-0.5]))],
        input: [null, 1, 4, 4],
        output: [null, 1, 8, 10],
      }),
    );
    const pad = only(graph, 'Pad');
    assert.deepEqual(pad.pads, [1, 2, 3, 4]);
    assert.equal(pad.value, -0.5);
  });

  test('Pad (opset 18) with an axes input', () => {
    const graph = importOnnx(
      model({
        opset: 18,
        nodes: [node('Pad', ['x', 'p', '', 'a'], ['y'])],
        initializers: [int64Initializer('p', [1, 2, 3, 4]), int64Initializer('a', [-2, -1])],
        input: [null, 1, 4, 4],
        output: [null, 1, 8, 10],
      }),
    );
    assert.deepEqual(only(graph, 'Pad').pads, [1, 2, 3, 4]);
  });

  test('Pad (opset < 11) reads attributes', () => {
    const graph = importOnnx(
      model({
        opset: 9,
        nodes: [node('Pad', ['x'], ['y'], { pads: [0, 0, 0, 1, 0, 0, 2, 0], value: 1.5 })],
        input: [null, 1, 4, 4],
        output: [null, 1, 6, 5],
      }),
    );
    assert.deepEqual(only(graph, 'Pad').pads, [0, 1, 2, 0]);
    assert.equal(only(graph, 'Pad').value, 1.5);
  });
});

describe('importOnnx: tensors', () => {
  test('float_data and int64_data fields (not raw bytes) are read', () => {
    const B: O.ITensorProto = {
      name: 'B',
      dims: [4, 3],
      dataType: onnx.TensorProto.DataType.FLOAT,
      floatData: Array.from(random([4, 3]).data),
    };
    const shape: O.ITensorProto = { name: 's', dims: [2], dataType: onnx.TensorProto.DataType.INT64, int64Data: [-1, 3] };
    const graph = importOnnx(
      model({
        nodes: [node('MatMul', ['x', 'B'], ['m']), node('Reshape', ['m', 's'], ['y'])],
        initializers: [B, shape],
      }),
    );
    assert.deepEqual(only(graph, 'Reshape').shape, [-1, 3]);
    assert.equal(only(graph, 'Dense').weight.data[0], Math.fround(B.floatData![0]));
  });

  test('a tensor whose dims claim more data than present is refused, naming it, without allocating', () => {
    const huge: O.ITensorProto = {
      name: 'fc.weight',
      dims: [1_000_000, 1_000_000],
      dataType: onnx.TensorProto.DataType.FLOAT,
      rawData: new Uint8Array(16),
    };
    const bytes = model({ nodes: [node('Gemm', ['x', 'fc.weight'], ['y'])], initializers: [huge] });
    throwsOnnx(
      () => importOnnx(bytes, 'hostile.onnx'),
      /^hostile\.onnx: tensor 'fc\.weight': declares shape \[1000000, 1000000\]/,
      /holds 16 bytes/,
    );
    const fewFloats: O.ITensorProto = { name: 'B', dims: [4, 3], dataType: onnx.TensorProto.DataType.FLOAT, floatData: [1, 2] };
    throwsOnnx(
      () => importOnnx(model({ nodes: [node('Gemm', ['x', 'B'], ['y'])], initializers: [fewFloats] })),
      /tensor 'B': declares shape \[4, 3\] \(12 values\) but holds 2 values/,
    );
    const constant: O.ITensorProto = { dims: [1 << 30], dataType: onnx.TensorProto.DataType.INT64, rawData: new Uint8Array(8) };
    throwsOnnx(
      () =>
        importOnnx(
          model({
            nodes: [node('Constant', [], ['s'], { value: constant }, 'shape'), node('Reshape', ['x', 's'], ['y'])],
            output: [null, 4],
          }),
        ),
      /node 'shape'/,
      /tensor 'shape\.value'/,
    );
  });

  test('external data is refused with a clear message naming the tensor', () => {
    const external: O.ITensorProto = {
      name: 'conv.weight',
      dims: [4, 3],
      dataType: onnx.TensorProto.DataType.FLOAT,
      dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
      externalData: [
        { key: 'location', value: 'weights.bin' },
        { key: 'offset', value: '0' },
      ],
    };
    throwsOnnx(
      () => importOnnx(model({ nodes: [node('Gemm', ['x', 'conv.weight'], ['y'])], initializers: [external] }), 'big.onnx'),
      /^big\.onnx: tensor 'conv\.weight'/,
      /weights\.bin/,
      /external data is not supported/,
      /re-save the model with all tensors inside/,
    );
  });
});

describe('importOnnx: corrupt bytes and files', () => {
  const valid = buildPytorchLikeModels()[0].bytes;

  test('truncated protobuf → OnnxError naming the source and the byte offset', () => {
    const err = throwsOnnx(
      () => importOnnx(valid.subarray(0, Math.floor(valid.length / 2)), 'cut.onnx'),
      /^cut\.onnx: /,
      /truncated or corrupt at byte \d+/,
    );
    assert.equal(typeof err.byteOffset, 'number');
    // Every cut point gives an OnnxError (never another error type, never a graph).
    for (let cut = 1; cut < valid.length; cut += Math.ceil(valid.length / 97)) throwsOnnx(() => importOnnx(valid.subarray(0, cut)));
  });

  test('garbage bytes → OnnxError', () => {
    const r = mulberry32(11);
    for (let k = 0; k < 20; k++) {
      const junk = Uint8Array.from({ length: 64 + k * 13 }, () => Math.floor(r() * 256));
      throwsOnnx(() => importOnnx(junk, 'junk.bin'), /^junk\.bin: /);
    }
    throwsOnnx(() => importOnnx(new Uint8Array(0)), /no graph/);
  });

  test('readOnnxFile: a missing file names the path; a real file imports', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ann2snn-import-'));
    try {
      const missing = join(dir, 'nope', 'model.onnx');
      await assert.rejects(readOnnxFile(missing), (err: unknown) => {
        assert.ok(err instanceof OnnxError);
        assert.ok(err.message.includes(missing), err.message);
        assert.match(err.message, /no such file/);
        return true;
      });
      const path = join(dir, 'model.onnx');
      await writeFile(path, valid);
      const graph = await readOnnxFile(path);
      assert.equal(graph.nodes.length, 12);
      await writeFile(path, valid.subarray(0, 100));
      await assert.rejects(readOnnxFile(path), (err: unknown) => err instanceof OnnxError && err.message.startsWith(`${path}: `));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
