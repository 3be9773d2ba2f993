/**
 * Numerical round trip: ONNX Runtime on the original bytes vs the reference backend on the
 * imported IR, for every PyTorch-like model and for models that exercise each folding rule.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { onnx as O } from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { referenceBackend } from '../../src/backend/reference/reference-backend.js';
import { encodeModel, floatInitializer, int64Initializer, node, valueInfo } from '../../src/onnx/builder.js';
import { importOnnx } from '../../src/onnx/import.js';
import { tensor, type Tensor } from '../../src/tensor/tensor.js';
import { buildPytorchLikeModels, mulberry32 } from '../helpers/pytorch-like.js';

function random(shape: readonly number[], seed: number, lo = -1, hi = 1): Tensor {
  const r = mulberry32(seed);
  return tensor(
    shape,
    Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => lo + (hi - lo) * r()),
  );
}

/** Runs `bytes` in ONNX Runtime and the imported graph on the reference backend; |Δ| ≤ 1e-4·(|expected| + 1e-2·max|expected|). */
async function compare(bytes: Uint8Array, input: Tensor, source: string): Promise<void> {
  const session = await ort.InferenceSession.create(bytes);
  const fed = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', input.data, [...input.shape]) });
  const expected = fed[session.outputNames[0]];
  const graph = importOnnx(bytes, source);
  const compiled = await referenceBackend.compile(graph);
  const actual = (await compiled.run(input)).get(graph.output)!;
  await compiled.dispose();
  assert.deepEqual(actual.shape, expected.dims);
  const want = expected.data as Float32Array;
  const scale = want.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  for (let i = 0; i < want.length; i++) {
    const tol = 1e-4 * (Math.abs(want[i]) + 1e-2 * scale);
    assert.ok(Math.abs(actual.data[i] - want[i]) <= tol, `${source}[${i}]: reference ${actual.data[i]}, onnxruntime ${want[i]}`);
  }
}

function model(
  nodes: O.INodeProto[],
  initializers: O.ITensorProto[],
  input: readonly (number | null)[],
  output: readonly (number | null)[],
  opset = 13,
): Uint8Array {
  return encodeModel({ nodes, initializers, inputs: [valueInfo('x', input)], outputs: [valueInfo('y', output)], opset });
}

describe('import: ONNX Runtime vs reference backend', () => {
  for (const m of buildPytorchLikeModels()) {
    test(`${m.name} (${m.description})`, async () => {
      await compare(m.bytes, random([3, ...m.inputShape], 17, 0, 1), m.name);
    });
  }

  const cases: { name: string; bytes: Uint8Array; input: readonly number[] }[] = [
    {
      name: 'Gemm transB=0, alpha, beta, C [1, O]',
      bytes: model(
        [node('Gemm', ['x', 'B', 'C'], ['y'], { alpha: 0.5, beta: 2.5 })],
        [floatInitializer('B', random([6, 4], 1)), floatInitializer('C', random([1, 4], 2))],
        [null, 6],
        [null, 4],
      ),
      input: [5, 6],
    },
    {
      name: 'Gemm transB=1, scalar C',
      bytes: model(
        [node('Gemm', ['x', 'B', 'C'], ['y'], { alpha: { float: 1.5 }, transB: 1 })],
        [floatInitializer('B', random([4, 6], 3)), floatInitializer('C', tensor([], [0.3]))],
        [null, 6],
        [null, 4],
      ),
      input: [5, 6],
    },
    ...['SAME_UPPER', 'SAME_LOWER'].map((autoPad) => ({
      name: `Conv auto_pad ${autoPad}, stride 2`,
      bytes: model(
        [node('Conv', ['x', 'w', 'b'], ['y'], { auto_pad: autoPad, strides: [2, 2] })],
        [floatInitializer('w', random([3, 2, 4, 3], 4)), floatInitializer('b', random([3], 5))],
        [null, 2, 7, 8],
        [null, 3, 4, 4],
      ),
      input: [2, 2, 7, 8],
    })),
    {
      name: 'grouped, dilated Conv without bias + Add [1, O, 1, 1]',
      bytes: model(
        [node('Conv', ['x', 'w'], ['c'], { group: 2, dilations: [2, 1], pads: [1, 0, 2, 1] }), node('Add', ['c', 'b'], ['y'])],
        [floatInitializer('w', random([4, 1, 3, 3], 6)), floatInitializer('b', random([1, 4, 1, 1], 7))],
        [null, 2, 8, 8],
        [null, 4, 7, 7],
      ),
      input: [2, 2, 8, 8],
    },
    ...[0, 1].map((countIncludePad) => ({
      name: `AveragePool count_include_pad=${countIncludePad}, pads, ceil_mode`,
      bytes: model(
        [
          node('AveragePool', ['x'], ['y'], {
            kernel_shape: [3, 3],
            strides: [2, 2],
            pads: [1, 1, 1, 1],
            ceil_mode: 1,
            count_include_pad: countIncludePad,
          }),
        ],
        [],
        [null, 2, 8, 8],
        [null, 2, 5, 5],
      ),
      input: [2, 2, 8, 8],
    })),
    {
      name: 'MaxPool with pads and ceil_mode',
      bytes: model(
        [node('MaxPool', ['x'], ['y'], { kernel_shape: [3, 2], strides: [2, 2], pads: [1, 0, 1, 1], ceil_mode: 1 })],
        [],
        [null, 2, 8, 7],
        [null, 2, 5, 4],
      ),
      input: [2, 2, 8, 7],
    },
    {
      name: 'Pad (opset 11) asymmetric with a constant value, then Conv',
      bytes: model(
        [node('Pad', ['x', 'p', 'v'], ['q']), node('Conv', ['q', 'w'], ['y'])],
        [
          int64Initializer('p', [0, 0, 1, 2, 0, 0, 0, 1]),
          floatInitializer('v', tensor([], [-0.5])),
          floatInitializer('w', random([2, 1, 3, 3], 8)),
        ],
        [null, 1, 5, 5],
        [null, 2, 4, 6],
        11,
      ),
      input: [2, 1, 5, 5],
    },
    {
      name: 'Concat of two convolutions, Relu, Flatten, Softmax (opset 11 default axis)',
      bytes: model(
        [
          node('Conv', ['x', 'w1'], ['a']),
          node('Conv', ['x', 'w2'], ['b']),
          node('Concat', ['a', 'b'], ['c'], { axis: -3 }),
          node('Relu', ['c'], ['r']),
          node('Flatten', ['r'], ['f']),
          node('Softmax', ['f'], ['y']),
        ],
        [floatInitializer('w1', random([2, 1, 3, 3], 9)), floatInitializer('w2', random([3, 1, 3, 3], 10))],
        [null, 1, 5, 5],
        [null, 45],
        11,
      ),
      input: [3, 1, 5, 5],
    },
    {
      name: 'MatMul + Add (bias first), Clip with only max',
      bytes: model(
        [node('MatMul', ['x', 'B'], ['m']), node('Add', ['c', 'm'], ['a']), node('Clip', ['a', '', 'hi'], ['y'])],
        [floatInitializer('B', random([6, 4], 11)), floatInitializer('c', random([4], 12)), floatInitializer('hi', tensor([], [0.2]))],
        [null, 6],
        [null, 4],
      ),
      input: [5, 6],
    },
    {
      name: 'BatchNormalization on a Dense output (rank 2)',
      bytes: model(
        [node('Gemm', ['x', 'B'], ['g']), node('BatchNormalization', ['g', 's', 'b', 'm', 'v'], ['y'], { epsilon: 1e-3 })],
        [
          floatInitializer('B', random([6, 4], 13)),
          floatInitializer('s', random([4], 14)),
          floatInitializer('b', random([4], 15)),
          floatInitializer('m', random([4], 16)),
          floatInitializer('v', random([4], 17, 0.5, 2)),
        ],
        [null, 6],
        [null, 4],
      ),
      input: [5, 6],
    },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      await compare(c.bytes, random(c.input, 23), c.name);
    });
  }
});
