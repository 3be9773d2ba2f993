/**
 * ONNX models laid out the way `torch.onnx.export` (opsets 9–17) lays them out — node names like
 * '/conv1/Conv', initializers like 'conv1.weight', a symbolic batch dimension — with seeded random
 * weights (PyTorch's default init bounds: U(±1/√fan_in)). Used by the importer tests, the backend
 * conformance tests and the ANN evaluation tests.
 *
 *   for (const m of buildPytorchLikeModels()) {
 *     const graph = importOnnx(m.bytes, m.name);          // reads float32 [N, ...m.inputShape]
 *   }
 *
 * Every model reads [N, 1, 28, 28] (MNIST-shaped) and writes [N, 10].
 */
import { encodeModel, floatInitializer, int64Initializer, node, valueInfo, type AttrValue } from '../../src/onnx/builder.js';
import { onnx } from '../../src/onnx/proto.js';
import { tensor, type Tensor } from '../../src/tensor/tensor.js';

import { mulberry32 } from '../../src/tensor/random.js';
export { mulberry32 };

export interface PytorchLikeModel {
  /** Short id, e.g. 'cnn-opset13'; also a good `source` for importOnnx. */
  readonly name: string;
  /** The layer sequence, for test titles and failure messages. */
  readonly description: string;
  /** The encoded ONNX model. */
  readonly bytes: Uint8Array;
  /** Per-sample input shape, WITHOUT the batch dimension: the model reads float32 [N, ...inputShape]. */
  readonly inputShape: readonly number[];
  /** Number of outputs per sample (the model writes [N, outputSize]). */
  readonly outputSize: number;
  /** Default-domain opset the model imports. */
  readonly opset: number;
}

const INPUT_SHAPE = [1, 28, 28] as const;
const CLASSES = 10;

/** All PyTorch-like models, built with weights from `seed` (the same seed gives the same bytes). */
export function buildPytorchLikeModels(seed = 1): PytorchLikeModel[] {
  return [
    cnnModel(seed),
    cnnOpset9Model(seed + 1),
    residualModel(seed + 2),
    constantsModel(seed + 3),
    viewChainModel(seed + 4),
    noFoldingModel(seed + 5),
    reduceMeanModel(seed + 6),
  ];
}

// ---------------------------------------------------------------------------------------------

/** Uniform weights in ±bound. */
function uniform(random: () => number, shape: readonly number[], bound: number): Tensor {
  const t = tensor(shape);
  for (let i = 0; i < t.data.length; i++) (t.data as Float32Array)[i] = (2 * random() - 1) * bound;
  return t;
}

/** Collects nodes and initializers while a model is laid out. */
class Layout {
  readonly nodes: ReturnType<typeof node>[] = [];
  readonly initializers: ReturnType<typeof floatInitializer>[] = [];
  constructor(readonly random: () => number) {}

  /** A node named like PyTorch's exporter ('/scope/Op'), writing '/scope/Op_output_0'. */
  op(scope: string, opType: string, inputs: readonly string[], attrs: Record<string, AttrValue> = {}, outputs = 1): string {
    const name = `${scope}/${opType}`;
    const outs = Array.from({ length: outputs }, (_, i) => `${name}_output_${i}`);
    this.nodes.push(node(opType, inputs, outs, attrs, name));
    return outs[0];
  }

  float(name: string, t: Tensor): string {
    this.initializers.push(floatInitializer(name, t));
    return name;
  }

  int64(name: string, values: readonly number[], dims?: readonly number[]): string {
    this.initializers.push(int64Initializer(name, values, dims));
    return name;
  }

  /** Conv2d with PyTorch's default init; returns the output value. */
  conv(scope: string, x: string, cin: number, cout: number, k: number, stride = 1, pad = 0, bias = true): string {
    const bound = 1 / Math.sqrt(cin * k * k);
    const w = this.float(`${scope.slice(1).replaceAll('/', '.')}.weight`, uniform(this.random, [cout, cin, k, k], bound));
    const inputs = [x, w];
    if (bias) inputs.push(this.float(`${scope.slice(1).replaceAll('/', '.')}.bias`, uniform(this.random, [cout], bound)));
    return this.op(scope, 'Conv', inputs, {
      dilations: [1, 1],
      group: 1,
      kernel_shape: [k, k],
      pads: [pad, pad, pad, pad],
      strides: [stride, stride],
    });
  }

  /** nn.Linear as Gemm(transB=1), weight [out, in]. */
  linear(scope: string, x: string, fin: number, fout: number): string {
    const bound = 1 / Math.sqrt(fin);
    const prefix = scope.slice(1).replaceAll('/', '.');
    const w = this.float(`${prefix}.weight`, uniform(this.random, [fout, fin], bound));
    const b = this.float(`${prefix}.bias`, uniform(this.random, [fout], bound));
    return this.op(scope, 'Gemm', [x, w, b], { alpha: { float: 1 }, beta: { float: 1 }, transB: 1 });
  }

  /** BatchNorm2d with non-trivial running statistics. */
  batchNorm(scope: string, x: string, channels: number): string {
    const prefix = scope.slice(1).replaceAll('/', '.');
    const r = this.random;
    const vec = (lo: number, hi: number): Tensor =>
      tensor(
        [channels],
        Array.from({ length: channels }, () => lo + (hi - lo) * r()),
      );
    const inputs = [
      x,
      this.float(`${prefix}.weight`, vec(0.5, 1.5)),
      this.float(`${prefix}.bias`, vec(-0.2, 0.2)),
      this.float(`${prefix}.running_mean`, vec(-0.2, 0.2)),
      this.float(`${prefix}.running_var`, vec(0.5, 1.5)),
    ];
    return this.op(scope, 'BatchNormalization', inputs, { epsilon: { float: 1e-5 }, momentum: { float: 0.9 } });
  }

  /** Encodes the model; like the exporter, the last node writes the graph output 'output'. */
  encode(opset: number): Uint8Array {
    const last = this.nodes[this.nodes.length - 1];
    last.output = ['output', ...(last.output ?? []).slice(1)];
    return encodeModel({
      name: 'main_graph',
      opset,
      nodes: this.nodes,
      initializers: this.initializers,
      inputs: [valueInfo('input', [null, ...INPUT_SHAPE])],
      outputs: [valueInfo('output', [null, CLASSES])],
    });
  }
}

function model(name: string, description: string, opset: number, bytes: Uint8Array): PytorchLikeModel {
  return { name, description, bytes, inputShape: INPUT_SHAPE, outputSize: CLASSES, opset };
}

/**
 * (a) A CNN, opset 13: Conv→BatchNormalization→Relu→Conv→Clip(0, 1 as initializer inputs)→
 * Pad(1)+AveragePool(2, count_include_pad=0)→MaxPool(2, ceil_mode=1)→Flatten→Gemm→Relu→Gemm.
 */
export function cnnModel(seed = 1): PytorchLikeModel {
  const m = new Layout(mulberry32(seed));
  let x = m.conv('/conv1', 'input', 1, 8, 3, 1, 1);
  x = m.batchNorm('/bn1', x, 8);
  x = m.op('/relu1', 'Relu', [x]);
  x = m.conv('/conv2', x, 8, 16, 3, 1, 1);
  x = m.op('/clip', 'Clip', [x, m.float('/clip/min', tensor([], [0])), m.float('/clip/max', tensor([], [1]))]);
  x = m.op('/pad', 'Pad', [x, m.int64('/pad/pads', [0, 0, 1, 1, 0, 0, 1, 1]), m.float('/pad/value', tensor([], [0]))], {
    mode: 'constant',
  });
  // 28 + 2 = 30 → 15
  x = m.op('/pool1', 'AveragePool', [x], { ceil_mode: 0, count_include_pad: 0, kernel_shape: [2, 2], pads: [0, 0, 0, 0], strides: [2, 2] });
  // 15 → ⌈13/2⌉ + 1 = 8 with ceil_mode
  x = m.op('/pool2', 'MaxPool', [x], { ceil_mode: 1, kernel_shape: [2, 2], pads: [0, 0, 0, 0], strides: [2, 2] });
  x = m.op('', 'Flatten', [x], { axis: 1 });
  x = m.linear('/fc1', x, 16 * 8 * 8, 32);
  x = m.op('/relu2', 'Relu', [x]);
  m.linear('/fc2', x, 32, CLASSES);
  return model('cnn-opset13', 'Conv→BN→Relu→Conv→Clip(inputs)→Pad+AvgPool→MaxPool(ceil)→Flatten→Gemm→Relu→Gemm', 13, m.encode(13));
}

/**
 * (b) The same CNN as opset 9 writes it: Clip bounds as attributes, Pad with attributes, a
 * Dropout (its mask output present but unused) and an Identity; no ceil_mode (added in opset 10).
 */
export function cnnOpset9Model(seed = 2): PytorchLikeModel {
  const m = new Layout(mulberry32(seed));
  let x = m.conv('/conv1', 'input', 1, 8, 3, 1, 1);
  x = m.batchNorm('/bn1', x, 8);
  x = m.op('/relu1', 'Relu', [x]);
  x = m.conv('/conv2', x, 8, 16, 3, 1, 1);
  x = m.op('/clip', 'Clip', [x], { max: { float: 1 }, min: { float: 0 } });
  x = m.op('/dropout', 'Dropout', [x], { ratio: 0.5 }, 2);
  x = m.op('/pad', 'Pad', [x], { mode: 'constant', pads: [0, 0, 1, 1, 0, 0, 1, 1], value: { float: 0 } });
  x = m.op('/pool1', 'AveragePool', [x], { count_include_pad: 0, kernel_shape: [2, 2], pads: [0, 0, 0, 0], strides: [2, 2] });
  // 15 → 7 (floor)
  x = m.op('/pool2', 'MaxPool', [x], { kernel_shape: [2, 2], pads: [0, 0, 0, 0], strides: [2, 2] });
  x = m.op('', 'Flatten', [x], { axis: 1 });
  x = m.op('/identity', 'Identity', [x]);
  x = m.linear('/fc1', x, 16 * 7 * 7, 32);
  x = m.op('/relu2', 'Relu', [x]);
  m.linear('/fc2', x, 32, CLASSES);
  return model(
    'cnn-opset9',
    'opset 9: Conv→BN→Relu→Conv→Clip(attrs)→Dropout→Pad→AvgPool→MaxPool→Flatten→Identity→Gemm→Relu→Gemm',
    9,
    m.encode(9),
  );
}

/**
 * (c) A residual block, opset 13: Conv(stride 2)→Relu = skip; Conv→Relu→Conv; Add(skip); Relu;
 * GlobalAveragePool; Flatten; MatMul + Add (a Linear as newer exporters write it).
 */
export function residualModel(seed = 3): PytorchLikeModel {
  const m = new Layout(mulberry32(seed));
  let x = m.conv('/stem', 'input', 1, 8, 3, 2, 1);
  const skip = m.op('/stem_relu', 'Relu', [x]);
  x = m.conv('/block/conv1', skip, 8, 8, 3, 1, 1);
  x = m.op('/block/relu1', 'Relu', [x]);
  x = m.conv('/block/conv2', x, 8, 8, 3, 1, 1);
  x = m.op('/block', 'Add', [x, skip]);
  x = m.op('/block/relu2', 'Relu', [x]);
  x = m.op('/pool', 'GlobalAveragePool', [x]);
  x = m.op('', 'Flatten', [x], { axis: 1 });
  const bound = 1 / Math.sqrt(8);
  x = m.op('/fc', 'MatMul', [x, m.float('onnx::MatMul_42', uniform(m.random, [8, CLASSES], bound))]);
  m.op('/fc', 'Add', [m.float('fc.bias', uniform(m.random, [CLASSES], bound)), x]);
  return model('residual-opset13', 'Conv→Relu→(Conv→Relu→Conv)+skip→Relu→GlobalAveragePool→Flatten→MatMul+Add', 13, m.encode(13));
}

/**
 * (d) Constant nodes, opset 13: Conv(5, stride 2)→Clip(0, 6) with bounds from Constant nodes
 * (one `value` tensor, one `value_float`)→MaxPool→Reshape to a Constant shape [-1, 216]→Gemm→Softmax.
 */
export function constantsModel(seed = 4): PytorchLikeModel {
  const m = new Layout(mulberry32(seed));
  let x = m.conv('/conv', 'input', 1, 6, 5, 2, 0); // 28 → 12
  const lo = m.op('', 'Constant', [], { value: floatInitializer('', tensor([], [0])) });
  const hi = m.op('/Constant_1', 'Constant', [], { value_float: { float: 6 } });
  x = m.op('/relu6', 'Clip', [x, lo, hi]);
  x = m.op('/pool', 'MaxPool', [x], { ceil_mode: 0, kernel_shape: [2, 2], pads: [0, 0, 0, 0], strides: [2, 2] }); // 12 → 6
  const shape = m.op('/Constant_2', 'Constant', [], {
    value: { dims: [2], dataType: onnx.TensorProto.DataType.INT64, int64Data: [-1, 6 * 6 * 6] },
  });
  x = m.op('', 'Reshape', [x, shape]);
  x = m.linear('/fc', x, 216, CLASSES);
  m.op('', 'Softmax', [x], { axis: 1 });
  return model('constants-opset13', 'Conv→Clip(Constant nodes)→MaxPool→Reshape(Constant [-1, 216])→Gemm→Softmax', 13, m.encode(13));
}

/**
 * (e) `x.view(x.size(0), -1)` as opset 11 writes it: Shape→Gather(0)→Unsqueeze→Concat([·, -1])→
 * Reshape, after Conv→Relu; then Gemm.
 */
export function viewChainModel(seed = 5): PytorchLikeModel {
  const m = new Layout(mulberry32(seed));
  let x = m.conv('/conv', 'input', 1, 4, 3, 2, 1); // 28 → 14
  x = m.op('/relu', 'Relu', [x]);
  const shape = m.op('', 'Shape', [x]);
  const zero = m.op('', 'Constant', [], { value: { dims: [], dataType: onnx.TensorProto.DataType.INT64, int64Data: [0] } });
  const batch = m.op('', 'Gather', [shape, zero], { axis: 0 });
  const batch1 = m.op('', 'Unsqueeze', [batch], { axes: [0] });
  const minusOne = m.op('/Constant_1', 'Constant', [], {
    value: { dims: [1], dataType: onnx.TensorProto.DataType.INT64, int64Data: [-1] },
  });
  const target = m.op('', 'Concat', [batch1, minusOne], { axis: 0 });
  x = m.op('', 'Reshape', [x, target]);
  m.linear('/fc', x, 4 * 14 * 14, CLASSES);
  return model('view-chain-opset11', 'Conv→Relu→Reshape(Shape→Gather→Unsqueeze→Concat)→Gemm', 11, m.encode(11));
}

/** A Constant node holding an int64 tensor (a scalar when `dims` is []). */
function int64Constant(m: Layout, scope: string, values: readonly number[], dims: readonly number[]): string {
  return m.op(scope, 'Constant', [], { value: { dims: [...dims], dataType: onnx.TensorProto.DataType.INT64, int64Data: [...values] } });
}

/**
 * (f) An opset-13 export with do_constant_folding=False (torch 1.13): `torch.clamp(x, 0, 1)` with
 * integer bounds writes int64 Constants → Cast(to=FLOAT) → Clip; `F.relu6` writes float Constants
 * that are Cast too; `x.mean((2, 3), keepdim=True)` is a ReduceMean; `x.view(x.size(0), -1)` is
 * Shape→Gather→Unsqueeze(axes input) with the -1 a scalar Constant that is Unsqueezed as well.
 */
export function noFoldingModel(seed = 6): PytorchLikeModel {
  const m = new Layout(mulberry32(seed));
  const FLOAT = onnx.TensorProto.DataType.FLOAT;
  let x = m.conv('/c1', 'input', 1, 8, 3, 2, 1); // 28 → 14
  const lo = m.op('/Cast', 'Cast', [int64Constant(m, '/Constant', [0], [])], { to: FLOAT });
  const hi = m.op('/Cast_1', 'Cast', [int64Constant(m, '/c1/Constant', [1], [])], { to: FLOAT });
  x = m.op('', 'Clip', [x, lo, hi]);
  x = m.conv('/c2', x, 8, 16, 3, 1, 1);
  const lo6 = m.op('/Cast_2', 'Cast', [m.op('/Constant_1', 'Constant', [], { value: floatInitializer('', tensor([], [0])) })], {
    to: FLOAT,
  });
  const hi6 = m.op('/Cast_3', 'Cast', [m.op('/Constant_2', 'Constant', [], { value: floatInitializer('', tensor([], [6])) })], {
    to: FLOAT,
  });
  x = m.op('/Clip_1', 'Clip', [x, lo6, hi6]);
  x = m.op('', 'ReduceMean', [x], { axes: [2, 3], keepdims: 1 }); // [N, 16, 1, 1]
  const shape = m.op('', 'Shape', [x]);
  const batch = m.op('', 'Gather', [shape, int64Constant(m, '/Constant_3', [0], [])], { axis: 0 });
  const batch1 = m.op('', 'Unsqueeze', [batch, int64Constant(m, '/Constant_4', [0], [1])]);
  const minusOne = m.op('/Unsqueeze_1', 'Unsqueeze', [
    int64Constant(m, '/Constant_5', [-1], []),
    int64Constant(m, '/Constant_6', [0], [1]),
  ]);
  x = m.op('', 'Reshape', [x, m.op('', 'Concat', [batch1, minusOne], { axis: 0 })]);
  m.linear('/fc', x, 16, CLASSES);
  return model(
    'no-folding-opset13',
    'Conv→Clip(Cast(int64 Constant))→Conv→Clip(Cast(float Constant))→ReduceMean(keepdims)→Reshape(Shape chain, Unsqueezed -1)→Gemm',
    13,
    m.encode(13),
  );
}

/** (g) `x.mean((2, 3))` at opset 18, where ReduceMean's axes are an input: Conv→Relu→ReduceMean(axes [-1, -2], keepdims=0)→Gemm. */
export function reduceMeanModel(seed = 7): PytorchLikeModel {
  const m = new Layout(mulberry32(seed));
  let x = m.conv('/c1', 'input', 1, 8, 3, 2, 1);
  x = m.op('/relu', 'Relu', [x]);
  x = m.op('', 'ReduceMean', [x, int64Constant(m, '/Constant', [-1, -2], [2])], { keepdims: 0 }); // [N, 8]
  m.linear('/fc', x, 8, CLASSES);
  return model('reducemean-opset18', 'Conv→Relu→ReduceMean(axes input [-1, -2], keepdims=0)→Gemm', 18, m.encode(18));
}
