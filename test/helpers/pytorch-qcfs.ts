/**
 * QCFS CNNs laid out as `torch.onnx.export` writes Bu et al.'s activation (x / up; clamp(0, 1);
 * floor(x·L + 0.5) / L through a straight-through floor; · up), in the forms the importer fuses:
 *
 *  - 'div':  Div(x, λ) → Clip(0, 1; Constant inputs) → Mul(·, L) → Add(·, 0.5) → Floor → Div(·, L) → Mul(·, λ),
 *            λ an initializer of shape [1] (nn.Parameter), L and ½ Constant nodes (Bu et al.'s order);
 *  - 'mul':  Mul(x, 1/λ) → Mul(L, ·) → Add(0.5, ·) → Floor → Mul(·, 1/L) → Max(·, 0) → Min(·, 1) → Mul(λ, ·),
 *            scalar initializers, constants first (the clamp after the floor).
 *
 * The model: Conv(1→4, 3×3, pad 1) → QCFS(λ₁) → AveragePool(2) → Conv(4→6) → QCFS(λ₂) → GlobalAveragePool
 * → Flatten → Gemm(6→10). Reads [N, 1, 8, 8].
 */
import type { onnx as O } from 'onnx-proto';
import { encodeModel, floatInitializer, node, valueInfo } from '../../src/onnx/builder.js';
import { mulberry32 } from '../../src/tensor/random.js';
import { tensor } from '../../src/tensor/tensor.js';

export type QcfsForm = 'div' | 'mul';

export interface QcfsModel {
  readonly bytes: Uint8Array;
  readonly lambdas: readonly number[];
  readonly levels: number;
}

export function qcfsCnn(form: QcfsForm, levels = 4, lambdas: readonly number[] = [0.8, 1.3], seed = 5): QcfsModel {
  const random = mulberry32(seed);
  const nodes: O.INodeProto[] = [];
  const inits: O.ITensorProto[] = [];
  const uniform = (shape: number[], bound: number) =>
    tensor(
      shape,
      Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => (2 * random() - 1) * bound),
    );
  const init = (name: string, shape: number[], values: number[] | ReturnType<typeof tensor>): string => {
    inits.push(floatInitializer(name, Array.isArray(values) ? tensor(shape, values) : values));
    return name;
  };
  const op = (scope: string, type: string, inputs: string[], attrs: Parameters<typeof node>[3] = {}): string => {
    const name = `${scope}/${type}_${nodes.length}`;
    nodes.push(node(type, inputs, [`${name}_output_0`], attrs, name));
    return `${name}_output_0`;
  };
  const constant = (scope: string, value: number): string =>
    op(scope, 'Constant', [], { value: floatInitializer('', tensor([], [value])) });

  const qcfs = (scope: string, x: string, lambda: number): string => {
    if (form === 'div') {
      const up = init(`${scope.slice(1)}.up`, [1], [lambda]);
      let v = op(scope, 'Div', [x, up]);
      v = op(scope, 'Clip', [v, constant(scope, 0), constant(scope, 1)]);
      v = op(scope, 'Mul', [v, constant(scope, levels)]);
      v = op(scope, 'Add', [v, constant(scope, 0.5)]);
      v = op(scope, 'Floor', [v]);
      v = op(scope, 'Div', [v, constant(scope, levels)]);
      return op(scope, 'Mul', [v, up]);
    }
    const s = (name: string, value: number) => init(`${scope.slice(1)}.${name}`, [], [value]);
    let v = op(scope, 'Mul', [x, s('inv_up', 1 / lambda)]);
    v = op(scope, 'Mul', [s('L', levels), v]);
    v = op(scope, 'Add', [s('half', 0.5), v]);
    v = op(scope, 'Floor', [v]);
    v = op(scope, 'Mul', [v, s('inv_L', 1 / levels)]);
    v = op(scope, 'Max', [v, s('zero', 0)]);
    v = op(scope, 'Min', [v, s('one', 1)]);
    return op(scope, 'Mul', [s('up', lambda), v]);
  };
  const conv = (scope: string, x: string, cin: number, cout: number): string => {
    const bound = 1 / Math.sqrt(cin * 9);
    const w = init(`${scope.slice(1)}.weight`, [], uniform([cout, cin, 3, 3], 2 * bound));
    const b = init(`${scope.slice(1)}.bias`, [], uniform([cout], bound));
    return op(scope, 'Conv', [x, w, b], { kernel_shape: [3, 3], pads: [1, 1, 1, 1], strides: [1, 1] });
  };

  let x = conv('/conv1', 'input', 1, 4);
  x = qcfs('/act1', x, lambdas[0]);
  x = op('/pool', 'AveragePool', [x], { kernel_shape: [2, 2], strides: [2, 2] });
  x = conv('/conv2', x, 4, 6);
  x = qcfs('/act2', x, lambdas[1]);
  x = op('/gap', 'GlobalAveragePool', [x]);
  x = op('', 'Flatten', [x], { axis: 1 });
  const w = init('fc.weight', [], uniform([10, 6], 1));
  const b = init('fc.bias', [], uniform([10], 0.1));
  op('/fc', 'Gemm', [x, w, b], { transB: 1 });
  nodes[nodes.length - 1].output = ['output'];
  const bytes = encodeModel({
    name: 'main_graph',
    opset: 13,
    nodes,
    initializers: inits,
    inputs: [valueInfo('input', [null, 1, 8, 8])],
    outputs: [valueInfo('output', [null, 10])],
  });
  return { bytes, lambdas, levels };
}
