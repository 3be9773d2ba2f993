/**
 * The constant folding of ops/fold.ts against hand-computed values (ONNX semantics): ConstantOfShape
 * (value default float 0), Slice (negative starts/ends, steps, axes, clamping), Transpose (perm
 * default: reversed axes), Reshape of a constant (0 copies, -1 inferred); refusals are OnnxErrors
 * naming the node, and a huge ConstantOfShape is refused before allocating.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Node } from '../../src/ir/graph.js';
import { encodeModel, int64Initializer, node, valueInfo } from '../../src/onnx/builder.js';
import { OnnxError } from '../../src/onnx/errors.js';
import { makeContext, type Attribute, type ConstTensor, type Value } from '../../src/onnx/import-context.js';
import { importOnnx } from '../../src/onnx/import.js';
import { importers } from '../../src/onnx/op-table.js';

function ints(dims: readonly number[], values: readonly number[]): Value {
  return { kind: 'constant', tensor: { name: 'c', dims, isFloat: false, data: Float64Array.from(values) } };
}

function floats(dims: readonly number[], values: readonly number[]): Value {
  return { kind: 'constant', tensor: { name: 'c', dims, isFloat: true, data: Float32Array.from(values) } };
}

/** Runs one importer on `inputs` (undefined: omitted) and returns the constant it defines. */
function fold(opType: string, inputs: readonly (Value | undefined)[], attributes: Record<string, Attribute> = {}, opset = 17): ConstTensor {
  const values = new Map<string, Value>();
  const names = inputs.map((v, i) => (v === undefined ? '' : `in${i}`));
  inputs.forEach((v, i) => v !== undefined && values.set(`in${i}`, v));
  const onnxNode = {
    index: 0,
    name: `my_${opType}`,
    opType,
    inputs: names,
    outputs: ['out'],
    attributes: new Map(Object.entries(attributes)),
  };
  const ir: Node[] = [];
  const ctx = makeContext(
    onnxNode,
    opset,
    null,
    'test',
    values,
    new Map(),
    ir,
    () => [1, 4],
    () => {},
  );
  importers[opType](ctx);
  assert.equal(ir.length, 0, 'emits no IR node');
  const out = values.get('out');
  assert.ok(out?.kind === 'constant', `defines a constant, got ${out?.kind}`);
  return out.tensor;
}

function assertTensor(t: ConstTensor, dims: readonly number[], data: readonly number[], isFloat: boolean): void {
  assert.deepEqual([...t.dims], dims);
  assert.deepEqual([...t.data], data);
  assert.equal(t.isFloat, isFloat);
}

const activation: Value = { kind: 'activation', ir: 'x' };
const BIG = 2 ** 62;

describe('ConstantOfShape', () => {
  test('value defaults to float 0', () => assertTensor(fold('ConstantOfShape', [ints([2], [2, 3])]), [2, 3], [0, 0, 0, 0, 0, 0], true));
  test('the value attribute sets the type and the fill', () => {
    const value: Attribute = { type: 'tensor', value: { name: 'v', dims: [1], isFloat: false, data: Float64Array.of(7) } };
    assertTensor(fold('ConstantOfShape', [ints([1], [3])], { value }), [3], [7, 7, 7], false);
  });
  test('an empty shape gives a scalar; a 0 dimension an empty tensor', () => {
    assertTensor(fold('ConstantOfShape', [ints([0], [])]), [], [0], true);
    assertTensor(fold('ConstantOfShape', [ints([2], [4, 0])]), [4, 0], [], true);
  });
  test('a huge or negative shape is refused before allocating, naming the node', () => {
    assert.throws(
      () => fold('ConstantOfShape', [ints([3], [1e6, 1e6, 1e6])]),
      (e: unknown) => e instanceof OnnxError && /my_ConstantOfShape.*ConstantOfShape.*too many/.test(e.message),
    );
    assert.throws(() => fold('ConstantOfShape', [ints([1], [BIG])]), OnnxError);
    assert.throws(() => fold('ConstantOfShape', [ints([2], [-1, 3])]), /not a size/);
  });
  test('a shape computed from activations is refused', () => {
    assert.throws(
      () => fold('ConstantOfShape', [activation]),
      (e: unknown) => e instanceof OnnxError && /my_ConstantOfShape.*must be a constant/.test(e.message),
    );
  });
});

describe('Slice', () => {
  const data = ints([2, 4], [0, 1, 2, 3, 10, 11, 12, 13]);
  test('starts and ends on the leading axes when axes and steps are omitted', () =>
    assertTensor(fold('Slice', [data, ints([2], [1, 1]), ints([2], [2, 3])]), [1, 2], [11, 12], false));
  test('negative starts and ends count from the end', () =>
    assertTensor(fold('Slice', [data, ints([1], [-3]), ints([1], [-1]), ints([1], [-1])]), [2, 2], [1, 2, 11, 12], false));
  test('negative steps run backwards; INT64 extremes clamp (x[::-1])', () =>
    assertTensor(
      fold('Slice', [data, ints([1], [-1]), ints([1], [-BIG]), ints([1], [1]), ints([1], [-1])]),
      [2, 4],
      [3, 2, 1, 0, 13, 12, 11, 10],
      false,
    ));
  test('steps > 1 and ends past the size', () =>
    assertTensor(fold('Slice', [data, ints([1], [0]), ints([1], [BIG]), ints([1], [1]), ints([1], [2])]), [2, 2], [0, 2, 10, 12], false));
  test('negative axes; floats keep their type', () =>
    assertTensor(fold('Slice', [floats([3], [0.5, 1.5, 2.5]), ints([1], [1]), ints([1], [3]), ints([1], [-1])]), [2], [1.5, 2.5], true));
  test('an empty range gives an empty tensor', () =>
    assertTensor(fold('Slice', [data, ints([1], [3]), ints([1], [1]), ints([1], [1])]), [2, 0], [], false));
  test('opset < 10 reads starts, ends and axes from attributes', () => {
    const a = (v: number[]): Attribute => ({ type: 'ints', value: v });
    assertTensor(fold('Slice', [data], { starts: a([1]), ends: a([3]), axes: a([1]) }, 9), [2, 2], [1, 2, 11, 12], false);
  });
  test('a zero step, a repeated axis and an activation are refused', () => {
    assert.throws(() => fold('Slice', [data, ints([1], [0]), ints([1], [1]), ints([1], [0]), ints([1], [0])]), /step is 0/);
    assert.throws(() => fold('Slice', [data, ints([2], [0, 0]), ints([2], [1, 1]), ints([2], [1, -1])]), /repeat/);
    assert.throws(
      () => fold('Slice', [activation, ints([1], [0]), ints([1], [1])]),
      (e: unknown) => e instanceof OnnxError && /my_Slice.*Slice on activations/.test(e.message),
    );
  });
});

describe('Transpose', () => {
  const data = ints([2, 3], [1, 2, 3, 4, 5, 6]);
  test('perm defaults to reversing the axes', () => assertTensor(fold('Transpose', [data]), [3, 2], [1, 4, 2, 5, 3, 6], false));
  test('a rank-3 perm', () =>
    assertTensor(
      fold('Transpose', [ints([2, 1, 3], [1, 2, 3, 4, 5, 6])], { perm: { type: 'ints', value: [2, 0, 1] } }),
      [3, 2, 1],
      [1, 4, 2, 5, 3, 6],
      false,
    ));
  test('a perm that is not a permutation is refused', () =>
    assert.throws(() => fold('Transpose', [data], { perm: { type: 'ints', value: [0, 0] } }), /not a permutation/));
  test('an activation is refused', () => assert.throws(() => fold('Transpose', [activation]), /my_Transpose.*must be a constant/));
});

describe('Reshape of a constant', () => {
  const data = ints([2, 3], [1, 2, 3, 4, 5, 6]);
  test('-1 is inferred, 0 copies the dimension', () => {
    assertTensor(fold('Reshape', [data, ints([2], [-1, 2])]), [3, 2], [1, 2, 3, 4, 5, 6], false);
    assertTensor(fold('Reshape', [data, ints([3], [0, 3, 1])]), [2, 3, 1], [1, 2, 3, 4, 5, 6], false);
  });
  test('a target of another size is refused', () => assert.throws(() => fold('Reshape', [data, ints([1], [4])]), /cannot reshape/));
});

test('Concat → Cast of folded constants reaches Pad: a ZeroPad2d chain in miniature', () => {
  const bytes = encodeModel({
    nodes: [
      node('ConstantOfShape', ['shape'], ['zeros'], { value: int64Initializer('v', [0], [1]) }),
      node('Concat', ['lr', 'zeros'], ['cat'], { axis: 0 }),
      node('Reshape', ['cat', 'pairs'], ['r'], {}),
      node('Slice', ['r', 'start', 'end', 'axis0', 'step'], ['s']),
      node('Transpose', ['s'], ['t'], { perm: [1, 0] }),
      node('Reshape', ['t', 'flat'], ['f']),
      node('Cast', ['f'], ['pads'], { to: 7 }),
      node('Pad', ['x', 'pads'], ['y']),
    ],
    initializers: [
      int64Initializer('shape', [4]),
      int64Initializer('lr', [1, 2, 0, 1]),
      int64Initializer('pairs', [-1, 2]),
      int64Initializer('start', [-1]),
      int64Initializer('end', [-BIG]),
      int64Initializer('axis0', [0]),
      int64Initializer('step', [-1]),
      int64Initializer('flat', [-1]),
    ],
    inputs: [valueInfo('x', [null, 1, 5, 5])],
    outputs: [valueInfo('y', [null, 1, 6, 8])],
    opset: 13,
  });
  const graph = importOnnx(bytes, 'mini');
  const pad = graph.nodes.find((n) => n.op === 'Pad');
  assert.deepEqual(pad?.op === 'Pad' ? pad.pads : undefined, [0, 1, 1, 2]);
});

test('a huge ConstantOfShape in a file is an OnnxError naming the node', () => {
  const bytes = encodeModel({
    nodes: [node('ConstantOfShape', ['shape'], ['pads'], {}, 'hostile'), node('Pad', ['x', 'pads'], ['y'])],
    initializers: [int64Initializer('shape', [2 ** 40, 2 ** 40])],
    inputs: [valueInfo('x', [null, 1, 5, 5])],
    outputs: [valueInfo('y', [null, 1, 5, 5])],
    opset: 13,
  });
  assert.throws(
    () => importOnnx(bytes, 'hostile.onnx'),
    (e: unknown) => e instanceof OnnxError && e.nodeName === 'hostile' && /too many/.test(e.message),
  );
});
