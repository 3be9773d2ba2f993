/**
 * The ONNX op table: one small importer per ONNX op type, each turning one ONNX node into IR
 * node(s) or into a compile-time value (a constant, a shape). Adding an op = one function here and
 * one line in `importers`. Ops not in the table are refused up front by import.ts, all at once.
 *
 * Importers never see protobuf: they get an `ImportContext` (the node, its attributes, its inputs
 * as `Value`s, the shapes inferred so far) and call `ctx.emit`/`ctx.define`/`ctx.replace`.
 */
import type { Node, Pads2d, Pair } from '../ir/graph.js';
import { formatShape, sizeOf, tensor, type Tensor } from '../tensor/tensor.js';
import type { OnnxError } from './errors.js';

/**
 * A decoded ONNX tensor (initializer or Constant). Floating types arrive as Float32Array, integer
 * and bool types as Float64Array (int64 values are exact up to 2^53).
 */
export interface ConstTensor {
  readonly name: string;
  readonly dims: readonly number[];
  readonly isFloat: boolean;
  readonly data: Float32Array | Float64Array;
}

/** One entry of a shape computed at import time: a known size, or the (symbolic) batch size. */
export type ShapeEntry = number | 'batch';

/**
 * What an ONNX value is at import time:
 * - an activation: a runtime value, named by the IR value that carries it;
 * - a constant: known data (initializer, Constant node, folded shape arithmetic);
 * - a shape: a rank-0/1 integer tensor that involves the batch size (from `Shape`), e.g. the
 *   `[x.size(0), -1]` that PyTorch builds for `x.view(x.size(0), -1)`.
 */
export type Value =
  | { readonly kind: 'activation'; readonly ir: string }
  | { readonly kind: 'constant'; readonly tensor: ConstTensor }
  | { readonly kind: 'shape'; readonly dims: readonly number[]; readonly entries: readonly ShapeEntry[] };

/** A decoded attribute. */
export type Attribute =
  | { readonly type: 'int'; readonly value: number }
  | { readonly type: 'float'; readonly value: number }
  | { readonly type: 'string'; readonly value: string }
  | { readonly type: 'ints'; readonly value: readonly number[] }
  | { readonly type: 'floats'; readonly value: readonly number[] }
  | { readonly type: 'tensor'; readonly value: ConstTensor }
  | { readonly type: 'other'; readonly value: string };

/** An ONNX node, decoded. */
export interface OnnxNode {
  /** Position in the file's node list. */
  readonly index: number;
  /** Unique name: the ONNX name, or `${opType}_${index}` when empty (suffixed when taken). */
  readonly name: string;
  readonly opType: string;
  /** Input value names; '' marks an omitted optional input. */
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes: ReadonlyMap<string, Attribute>;
}

/** Distributes `Omit` over the Node union: an IR node without the fields the context fills in. */
export type NodeBody = Node extends infer N ? (N extends Node ? Omit<N, 'name' | 'output'> : never) : never;

export interface ImportContext {
  /** The default-domain opset the model imports. */
  readonly opset: number;
  /** The graph input's dimension 0 when the file fixes it (e.g. 1 from an export without dynamic axes), else null. */
  readonly fixedBatch: number | null;
  readonly node: OnnxNode;
  /** The value behind input `i`; undefined when the input is omitted (absent or ''). */
  input(i: number): Value | undefined;
  /** Input `i` as an activation (its IR value name); refuses constants and shapes, naming `role`. */
  activation(i: number, role?: string): string;
  /** Input `i` as a constant; refuses activations, naming `role`. */
  constant(i: number, role: string): ConstTensor;
  /** Like `constant`, but undefined when the input is omitted. */
  optionalConstant(i: number, role: string): ConstTensor | undefined;
  /** Shape of an IR value for a batch of 1 (dimension 0 stands for the batch). */
  shapeOf(irValue: string): readonly number[];
  /** Appends an IR node named after the ONNX node, writing ONNX output 0. */
  emit(body: NodeBody): void;
  /**
   * Appends an intermediate IR node (for an ONNX node that becomes several IR nodes), named and
   * writing a value named after the ONNX node and output 0 plus `suffix` (made unique); returns
   * the IR value it writes. The last IR node is then written with `emit`.
   */
  emitHidden(body: NodeBody, suffix: string): string;
  /** Binds ONNX output `i` to a value without emitting a node (constants, shapes, aliases). */
  define(i: number, value: Value): void;
  /** The IR node (emitted so far) that writes `irValue`. */
  producer(irValue: string): Node | undefined;
  /** Replaces an emitted IR node; `next.output` becomes the value behind ONNX output 0. */
  replace(old: Node, next: Node): void;
  /** How many nodes read the ONNX value, plus one if it is the graph output. */
  uses(onnxValue: string): number;
  /** An OnnxError naming this node and the source. */
  error(message: string): OnnxError;
}

export type OpImporter = (ctx: ImportContext) => void;

// ---------------------------------------------------------------------------------------------
// Attribute access

function attr(ctx: ImportContext, name: string, type: Attribute['type']): Attribute | undefined {
  const a = ctx.node.attributes.get(name);
  if (a === undefined) return undefined;
  // ONNX writers sometimes store a whole-number float as INT or a single value as a list.
  if (type === 'float' && a.type === 'int') return { type: 'float', value: a.value };
  if (type === 'floats' && a.type === 'ints') return { type: 'floats', value: a.value };
  if (a.type !== type) throw ctx.error(`attribute '${name}' should be ${type}, got ${a.type}`);
  return a;
}

function intAttr(ctx: ImportContext, name: string, fallback: number): number {
  const a = attr(ctx, name, 'int');
  return a === undefined ? fallback : (a.value as number);
}

function floatAttr(ctx: ImportContext, name: string, fallback: number): number {
  const a = attr(ctx, name, 'float');
  return a === undefined ? fallback : (a.value as number);
}

function intsAttr(ctx: ImportContext, name: string): readonly number[] | undefined {
  return attr(ctx, name, 'ints')?.value as readonly number[] | undefined;
}

function stringAttr(ctx: ImportContext, name: string, fallback: string): string {
  const a = attr(ctx, name, 'string');
  return a === undefined ? fallback : (a.value as string);
}

function pairAttr(ctx: ImportContext, name: string, fallback: Pair): Pair {
  const v = intsAttr(ctx, name);
  if (v === undefined) return fallback;
  if (v.length !== 2) throw ctx.error(`only 2-D windows are supported; '${name}' is [${v.join(', ')}]`);
  if (v.some((d) => d < 1)) throw ctx.error(`'${name}' must be positive, got [${v.join(', ')}]`);
  return [v[0], v[1]];
}

// ---------------------------------------------------------------------------------------------
// Helpers

/** True when the output is present and some node (or the graph output) reads it. */
function outputUsed(ctx: ImportContext, i: number): boolean {
  const name = ctx.node.outputs[i];
  return name !== undefined && name !== '' && ctx.uses(name) > 0;
}

function refuseExtraOutputs(ctx: ImportContext, what: string): void {
  for (let i = 1; i < ctx.node.outputs.length; i++) {
    if (outputUsed(ctx, i)) throw ctx.error(`its output ${i} ('${ctx.node.outputs[i]}', ${what}) is used, which is not supported`);
  }
}

function floats(c: ConstTensor): Float32Array {
  return c.data instanceof Float32Array ? c.data : Float32Array.from(c.data);
}

function scalar(ctx: ImportContext, c: ConstTensor, role: string): number {
  if (c.data.length !== 1) throw ctx.error(`${role} must be a single value, got shape ${formatShape(c.dims)}`);
  return c.data[0];
}

function integers(ctx: ImportContext, c: ConstTensor, role: string): number[] {
  if (c.isFloat) throw ctx.error(`${role} must be an integer tensor`);
  return Array.from(c.data);
}

/** Entries of an integer vector known at import time (constant or shape value). */
function shapeEntries(ctx: ImportContext, v: Value, role: string): { dims: readonly number[]; entries: readonly ShapeEntry[] } {
  if (v.kind === 'shape') return v;
  if (v.kind === 'constant') return { dims: v.tensor.dims, entries: integers(ctx, v.tensor, role) };
  throw ctx.error(
    `${role} is computed from activations; only shape computations (Shape, Gather, Unsqueeze, Concat on shapes) are supported`,
  );
}

function shapeValue(dims: readonly number[], entries: readonly ShapeEntry[], name: string): Value {
  if (entries.includes('batch')) return { kind: 'shape', dims, entries };
  return { kind: 'constant', tensor: { name, dims, isFloat: false, data: Float64Array.from(entries as number[]) } };
}

function normalizeAxis(ctx: ImportContext, axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) throw ctx.error(`axis ${axis} is out of range for rank ${rank}`);
  return a;
}

/**
 * Window padding for Conv and pooling: explicit `pads` (auto_pad NOTSET), VALID, or SAME_UPPER /
 * SAME_LOWER computed from the input shape (output = ⌈in / stride⌉; the odd pixel goes after the
 * input for UPPER, before it for LOWER).
 */
function windowPads(ctx: ImportContext, x: string, kernel: Pair, strides: Pair, dilations: Pair): Pads2d {
  const autoPad = stringAttr(ctx, 'auto_pad', 'NOTSET');
  if (autoPad === 'NOTSET' || autoPad === '') {
    const pads = intsAttr(ctx, 'pads') ?? [0, 0, 0, 0];
    if (pads.length !== 4) throw ctx.error(`only 2-D windows are supported; 'pads' is [${pads.join(', ')}]`);
    if (pads.some((p) => p < 0)) throw ctx.error(`negative pads [${pads.join(', ')}] are not supported`);
    return [pads[0], pads[1], pads[2], pads[3]];
  }
  if (autoPad === 'VALID') return [0, 0, 0, 0];
  if (autoPad !== 'SAME_UPPER' && autoPad !== 'SAME_LOWER') throw ctx.error(`auto_pad '${autoPad}' is not supported`);
  const shape = ctx.shapeOf(x);
  if (shape.length !== 4) throw ctx.error(`auto_pad ${autoPad} needs a rank-4 input, got ${formatShape(shape)}`);
  const before: number[] = [];
  const after: number[] = [];
  for (let axis = 0; axis < 2; axis++) {
    const size = shape[2 + axis];
    const out = Math.ceil(size / strides[axis]);
    const total = Math.max(0, (out - 1) * strides[axis] + (kernel[axis] - 1) * dilations[axis] + 1 - size);
    const small = Math.floor(total / 2);
    before.push(autoPad === 'SAME_UPPER' ? small : total - small);
    after.push(autoPad === 'SAME_UPPER' ? total - small : small);
  }
  return [before[0], before[1], after[0], after[1]];
}

/**
 * Folds `value + c` into the bias of the Dense/Conv2d that produces `value`. Allowed when c is a
 * scalar or a per-channel vector ([O] / [1, O] after a Dense, [O, 1, 1] / [1, O, 1, 1] after a
 * Conv) and the pre-bias value has no other reader.
 */
function foldBias(ctx: ImportContext, onnxValue: string, value: string, c: ConstTensor): void {
  const producer = ctx.producer(value);
  function refuse(why: string): never {
    throw ctx.error(`adds a constant of shape ${formatShape(c.dims)} to '${onnxValue}': ${why}`);
  }
  if (producer === undefined || (producer.op !== 'Dense' && producer.op !== 'Conv2d')) {
    refuse('only a bias directly after a Dense (Gemm/MatMul) or Conv can be imported');
  }
  if (ctx.uses(onnxValue) !== 1)
    refuse(`'${onnxValue}' is also read elsewhere, so it cannot be folded into the bias of '${producer.name}'`);
  const channels = producer.weight.shape[0];
  const rank = producer.op === 'Dense' ? 2 : 4;
  const dims = [...c.dims];
  while (dims.length > 0 && dims[0] === 1) dims.shift();
  const perChannel = producer.op === 'Dense' ? [channels] : [channels, 1, 1];
  const ok =
    c.dims.length <= rank && (c.data.length === 1 || (dims.length === perChannel.length && dims.every((d, i) => d === perChannel[i])));
  if (!ok) refuse(`it is not a per-channel bias of '${producer.name}' (${channels} channels)`);
  const add = floats(c);
  const bias = new Float32Array(channels);
  for (let o = 0; o < channels; o++) bias[o] = (producer.bias?.data[o] ?? 0) + (add.length === 1 ? add[0] : add[o]);
  ctx.replace(producer, { ...producer, bias: tensor([channels], bias), output: ctx.node.outputs[0] });
}

// ---------------------------------------------------------------------------------------------
// Importers

function conv(ctx: ImportContext): void {
  const x = ctx.activation(0, 'the input');
  const w = ctx.constant(1, 'the weight');
  if (w.dims.length !== 4) {
    throw ctx.error(`only 2-D convolution is supported; the weight has shape ${formatShape(w.dims)} (${w.dims.length - 2}-D)`);
  }
  const kernel: Pair = [w.dims[2], w.dims[3]];
  const declared = intsAttr(ctx, 'kernel_shape');
  if (declared !== undefined && (declared.length !== 2 || declared[0] !== kernel[0] || declared[1] !== kernel[1])) {
    throw ctx.error(`kernel_shape [${declared.join(', ')}] does not match the weight ${formatShape(w.dims)}`);
  }
  const strides = pairAttr(ctx, 'strides', [1, 1]);
  const dilations = pairAttr(ctx, 'dilations', [1, 1]);
  const groups = intAttr(ctx, 'group', 1);
  if (groups < 1) throw ctx.error(`group must be positive, got ${groups}`);
  const b = ctx.optionalConstant(2, 'the bias');
  if (b !== undefined && b.data.length !== w.dims[0]) throw ctx.error(`bias has ${b.data.length} values, expected ${w.dims[0]}`);
  ctx.emit({
    op: 'Conv2d',
    inputs: [x],
    weight: tensor(w.dims, floats(w)),
    bias: b === undefined ? null : tensor([w.dims[0]], floats(b)),
    strides,
    pads: windowPads(ctx, x, kernel, strides, dilations),
    dilations,
    groups,
  });
}

/** Y = α·A·op(B) + β·C with op(B) = B or Bᵀ: Dense with W = α·op(B)ᵀ ([O, I]) and b = β·C. */
function gemm(ctx: ImportContext): void {
  const x = ctx.activation(0, 'input A');
  if (intAttr(ctx, 'transA', 0) !== 0) throw ctx.error('transA=1 is not supported (A must be [N, K])');
  const transB = intAttr(ctx, 'transB', 0);
  if (transB !== 0 && transB !== 1) throw ctx.error(`transB must be 0 or 1, got ${transB}`);
  const alpha = floatAttr(ctx, 'alpha', 1);
  const beta = floatAttr(ctx, 'beta', 1);
  const b = ctx.constant(1, 'input B (the weight)');
  if (b.dims.length !== 2) throw ctx.error(`B must be a matrix, got shape ${formatShape(b.dims)}`);
  const [outputs, inputs] = transB === 1 ? [b.dims[0], b.dims[1]] : [b.dims[1], b.dims[0]];
  const src = floats(b);
  const weight = new Float32Array(outputs * inputs);
  for (let o = 0; o < outputs; o++) {
    for (let i = 0; i < inputs; i++) weight[o * inputs + i] = alpha * (transB === 1 ? src[o * inputs + i] : src[i * outputs + o]);
  }
  const c = ctx.optionalConstant(2, 'input C (the bias)');
  let bias: Tensor | null = null;
  if (c !== undefined && beta !== 0) {
    const rowVector = c.data.length === outputs && c.dims.length <= 2 && (c.dims.length < 2 || c.dims[0] === 1);
    if (c.data.length !== 1 && !rowVector) {
      throw ctx.error(
        `C of shape ${formatShape(c.dims)} is not a bias of ${outputs} values (only a scalar, [O] or [1, O] can be imported)`,
      );
    }
    const cv = floats(c);
    const data = new Float32Array(outputs);
    for (let o = 0; o < outputs; o++) data[o] = beta * (cv.length === 1 ? cv[0] : cv[o]);
    bias = tensor([outputs], data);
  }
  ctx.emit({ op: 'Dense', inputs: [x], weight: tensor([outputs, inputs], weight), bias });
}

/** A·B with a constant B [K, O]: Dense with W = Bᵀ and no bias (a following Add of a constant folds into it). */
function matMul(ctx: ImportContext): void {
  const x = ctx.activation(0, 'the left-hand side');
  if (ctx.input(1)?.kind !== 'constant') throw ctx.error('the right-hand side must be a constant (a weight matrix)');
  const b = ctx.constant(1, 'the right-hand side');
  if (b.dims.length !== 2) throw ctx.error(`the right-hand side must be a matrix, got shape ${formatShape(b.dims)}`);
  const rank = ctx.shapeOf(x).length;
  if (rank !== 2) throw ctx.error(`only a rank-2 left-hand side [N, K] is supported, got rank ${rank}`);
  const [inputs, outputs] = b.dims;
  const src = floats(b);
  const weight = new Float32Array(outputs * inputs);
  for (let o = 0; o < outputs; o++) for (let i = 0; i < inputs; i++) weight[o * inputs + i] = src[i * outputs + o];
  ctx.emit({ op: 'Dense', inputs: [x], weight: tensor([outputs, inputs], weight), bias: null });
}

function add(ctx: ImportContext): void {
  const [a, b] = [ctx.input(0), ctx.input(1)];
  if (a === undefined || b === undefined) throw ctx.error('needs two inputs');
  if (a.kind === 'activation' && b.kind === 'activation') {
    ctx.emit({ op: 'Add', inputs: [a.ir, b.ir] });
    return;
  }
  if (a.kind === 'activation' && b.kind === 'constant') return foldBias(ctx, ctx.node.inputs[0], a.ir, b.tensor);
  if (b.kind === 'activation' && a.kind === 'constant') return foldBias(ctx, ctx.node.inputs[1], b.ir, a.tensor);
  throw ctx.error('adds values known at import time (constants or shapes); only activations and biases are supported');
}

function batchNormalization(ctx: ImportContext): void {
  const x = ctx.activation(0, 'the input');
  if (ctx.opset < 9 && intAttr(ctx, 'spatial', 1) !== 1) throw ctx.error('spatial=0 (per-activation statistics) is not supported');
  if (intAttr(ctx, 'training_mode', 0) !== 0) throw ctx.error('training_mode=1 is not supported (export the model in eval mode)');
  refuseExtraOutputs(ctx, 'a training statistic');
  const [scale, bias, mean, variance] = ['scale', 'B (bias)', 'the running mean', 'the running variance'].map((role, i) =>
    ctx.constant(i + 1, role),
  );
  const channels = scale.data.length;
  for (const [t, role] of [
    [bias, 'B'],
    [mean, 'mean'],
    [variance, 'var'],
  ] as const) {
    if (t.data.length !== channels) throw ctx.error(`${role} has ${t.data.length} values but scale has ${channels}`);
  }
  const vec = (t: ConstTensor): Tensor => tensor([channels], floats(t));
  ctx.emit({
    op: 'BatchNorm',
    inputs: [x],
    scale: vec(scale),
    bias: vec(bias),
    mean: vec(mean),
    variance: vec(variance),
    epsilon: floatAttr(ctx, 'epsilon', 1e-5),
  });
}

function relu(ctx: ImportContext): void {
  ctx.emit({ op: 'Relu', inputs: [ctx.activation(0, 'the input')] });
}

/** Before opset 11 the bounds are attributes; from 11 they are optional (constant) inputs. Missing → ±∞. */
function clip(ctx: ImportContext): void {
  const x = ctx.activation(0, 'the input');
  let min: number;
  let max: number;
  if (ctx.opset < 11) {
    min = floatAttr(ctx, 'min', -Infinity);
    max = floatAttr(ctx, 'max', Infinity);
  } else {
    const lo = ctx.optionalConstant(1, 'min');
    const hi = ctx.optionalConstant(2, 'max');
    min = lo === undefined ? -Infinity : scalar(ctx, lo, 'min');
    max = hi === undefined ? Infinity : scalar(ctx, hi, 'max');
  }
  if (min > max) throw ctx.error(`min ${min} is greater than max ${max}`);
  ctx.emit({ op: 'Clip', inputs: [x], min, max });
}

function poolWindow(ctx: ImportContext, x: string): { kernel: Pair; strides: Pair; pads: Pads2d; ceilMode: boolean } {
  const k = intsAttr(ctx, 'kernel_shape');
  if (k === undefined) throw ctx.error('kernel_shape is missing');
  if (k.length !== 2) throw ctx.error(`only 2-D pooling is supported; kernel_shape is [${k.join(', ')}]`);
  const kernel = pairAttr(ctx, 'kernel_shape', [1, 1]);
  const strides = pairAttr(ctx, 'strides', [1, 1]);
  const dilations = intsAttr(ctx, 'dilations');
  if (dilations !== undefined && dilations.some((d) => d !== 1))
    throw ctx.error(`dilations [${dilations.join(', ')}] are not supported (must be 1)`);
  const ceil = intAttr(ctx, 'ceil_mode', 0);
  return { kernel, strides, pads: windowPads(ctx, x, kernel, strides, [1, 1]), ceilMode: ceil !== 0 };
}

function averagePool(ctx: ImportContext): void {
  const x = ctx.activation(0, 'the input');
  ctx.emit({ op: 'AvgPool', inputs: [x], ...poolWindow(ctx, x), countIncludePad: intAttr(ctx, 'count_include_pad', 0) !== 0 });
}

function maxPool(ctx: ImportContext): void {
  const x = ctx.activation(0, 'the input');
  refuseExtraOutputs(ctx, 'the Indices');
  ctx.emit({ op: 'MaxPool', inputs: [x], ...poolWindow(ctx, x) });
}

function globalAveragePool(ctx: ImportContext): void {
  ctx.emit({ op: 'GlobalAvgPool', inputs: [ctx.activation(0, 'the input')] });
}

function flatten(ctx: ImportContext): void {
  ctx.emit({ op: 'Flatten', inputs: [ctx.activation(0, 'the input')], axis: intAttr(ctx, 'axis', 1) });
}

/**
 * Reshape with a target known at import time. The target may be a constant (initializer or
 * Constant node) or a shape computed from `Shape` (we chose to recognise the chain
 * Shape→Gather→Unsqueeze→Concat that PyTorch emits for `x.view(x.size(0), -1)` rather than guess
 * a Flatten): its batch entry becomes 0, ONNX's "copy this dimension", which is only correct at
 * position 0.
 */
function reshape(ctx: ImportContext): void {
  const x = ctx.activation(0, 'the data input');
  let target: readonly ShapeEntry[];
  if (ctx.opset < 5) {
    target = intsAttr(ctx, 'shape') ?? [];
  } else {
    const v = ctx.input(1);
    if (v === undefined) throw ctx.error('the shape input is missing');
    const s = shapeEntries(ctx, v, 'the target shape');
    if (s.dims.length !== 1) throw ctx.error(`the target shape must be a vector, got shape ${formatShape(s.dims)}`);
    target = s.entries;
  }
  const batchAt = target.findIndex((d, i) => d === 'batch' && i !== 0);
  if (batchAt >= 0) throw ctx.error(`the target shape puts the batch size at position ${batchAt}; only position 0 is supported`);
  const shape = target.map((d) => (d === 'batch' ? 0 : d));
  // An export with a fixed batch b folds `x.view(x.size(0), -1)` to the constant [b, -1]; when
  // dimension 0 stays the batch (the rest keeps the per-sample size) make it "copy dimension 0".
  if (ctx.fixedBatch !== null && shape[0] === ctx.fixedBatch && shape.length >= 2) {
    const perSample = sizeOf(ctx.shapeOf(x).slice(1));
    const rest = shape.slice(1);
    const known = sizeOf(rest.filter((d) => d !== -1));
    const inferred = rest.filter((d) => d === -1).length;
    if (known > 0 && (inferred === 0 ? known === perSample : inferred === 1 && perSample % known === 0)) shape[0] = 0;
  }
  if (intAttr(ctx, 'allowzero', 0) === 1 && target.some((d) => d === 0)) {
    throw ctx.error('allowzero=1 with a zero in the target shape is not supported');
  }
  ctx.emit({ op: 'Reshape', inputs: [x], shape });
}

function concat(ctx: ImportContext): void {
  const values = ctx.node.inputs.map((_, i) => ctx.input(i));
  const axis = intAttr(ctx, 'axis', ctx.opset < 4 ? 1 : Number.NaN);
  if (Number.isNaN(axis)) throw ctx.error('axis is missing');
  if (values.every((v) => v?.kind === 'activation')) {
    const inputs = values.map((v) => (v as { ir: string }).ir);
    ctx.emit({ op: 'Concat', inputs, axis: normalizeAxis(ctx, axis, ctx.shapeOf(inputs[0]).length) });
    return;
  }
  if (values.some((v) => v === undefined || v.kind === 'activation')) {
    throw ctx.error('concatenates activations with constants or shapes, which is not supported');
  }
  // Shape arithmetic: all parts are integer vectors known at import time.
  const parts = values.map((v, i) => shapeEntries(ctx, v as Value, `input ${i}`));
  if (parts.some((p) => p.dims.length !== 1)) throw ctx.error('only rank-1 constants can be concatenated at import time');
  normalizeAxis(ctx, axis, 1);
  const entries = parts.flatMap((p) => p.entries);
  ctx.define(0, shapeValue([entries.length], entries, ctx.node.outputs[0]));
}

/** Dropout at inference is the identity; the mask output may exist but must not be read. */
function dropout(ctx: ImportContext): void {
  const x = ctx.activation(0, 'the input');
  refuseExtraOutputs(ctx, 'the mask');
  const training = ctx.input(2);
  if (training?.kind === 'constant' && training.tensor.data[0] !== 0) throw ctx.error('training_mode=true is not supported');
  if (training !== undefined && training.kind !== 'constant') throw ctx.error('training_mode must be a constant');
  ctx.emit({ op: 'Dropout', inputs: [x] });
}

function identity(ctx: ImportContext): void {
  const v = ctx.input(0);
  if (v === undefined) throw ctx.error('the input is missing');
  if (v.kind === 'activation') ctx.emit({ op: 'Identity', inputs: [v.ir] });
  else ctx.define(0, v);
}

/** Opset < 13: the default axis is 1 and the input is coerced to 2-D, which matches a per-axis softmax only on the last axis. */
function softmax(ctx: ImportContext): void {
  const x = ctx.activation(0, 'the input');
  const rank = ctx.shapeOf(x).length;
  const axis = normalizeAxis(ctx, intAttr(ctx, 'axis', ctx.opset < 13 ? 1 : -1), rank);
  if (ctx.opset < 13 && axis !== rank - 1) {
    throw ctx.error(`opset-${ctx.opset} Softmax over axes ${axis}..${rank - 1} together (a rank-${rank} input) is not supported`);
  }
  ctx.emit({ op: 'Softmax', inputs: [x], axis });
}

/**
 * Constant padding of H and W of an NCHW tensor. Before opset 11 `pads`/`value` are attributes;
 * from 11 they are inputs (pads, constant_value, and from 18 axes). ONNX pads for 4-D are
 * [n0, c0, h0, w0, n1, c1, h1, w1] → IR [h0, w0, h1, w1] = [top, left, bottom, right].
 */
function pad(ctx: ImportContext): void {
  const x = ctx.activation(0, 'the input');
  const mode = stringAttr(ctx, 'mode', 'constant');
  if (mode !== 'constant') throw ctx.error(`mode '${mode}' is not supported (only 'constant')`);
  const rank = ctx.shapeOf(x).length;
  let pads: number[];
  let value: number;
  if (ctx.opset < 11) {
    pads = [...(intsAttr(ctx, 'pads') ?? intsAttr(ctx, 'paddings') ?? [])];
    value = floatAttr(ctx, 'value', 0);
  } else {
    pads = integers(ctx, ctx.constant(1, 'pads'), 'pads');
    const v = ctx.optionalConstant(2, 'constant_value');
    value = v === undefined ? 0 : scalar(ctx, v, 'constant_value');
    const axesInput = ctx.optionalConstant(3, 'axes');
    if (axesInput !== undefined) {
      const axes = integers(ctx, axesInput, 'axes').map((a) => normalizeAxis(ctx, a, rank));
      if (pads.length !== 2 * axes.length) throw ctx.error(`pads has ${pads.length} values for ${axes.length} axes`);
      const full = new Array<number>(2 * rank).fill(0);
      axes.forEach((a, i) => {
        full[a] = pads[i];
        full[rank + a] = pads[axes.length + i];
      });
      pads = full;
    }
  }
  if (rank !== 4) throw ctx.error(`only NCHW (rank-4) inputs can be padded, got rank ${rank}`);
  if (pads.length !== 8) throw ctx.error(`pads must have 8 values for a rank-4 input, got [${pads.join(', ')}]`);
  if (pads[0] !== 0 || pads[1] !== 0 || pads[4] !== 0 || pads[5] !== 0) {
    throw ctx.error(`only H/W padding is supported; pads [${pads.join(', ')}] pad the batch or channel axis`);
  }
  if (pads.some((p) => p < 0)) throw ctx.error(`negative pads (cropping) [${pads.join(', ')}] are not supported`);
  ctx.emit({ op: 'Pad', inputs: [x], pads: [pads[2], pads[3], pads[6], pads[7]], value });
}

function constant(ctx: ImportContext): void {
  const attributes = ctx.node.attributes;
  const name = ctx.node.outputs[0];
  const make = (dims: readonly number[], values: readonly number[], isFloat: boolean): ConstTensor => ({
    name,
    dims,
    isFloat,
    data: isFloat ? Float32Array.from(values) : Float64Array.from(values),
  });
  let t: ConstTensor;
  const value = attributes.get('value');
  if (value !== undefined) {
    if (value.type !== 'tensor') throw ctx.error("attribute 'value' must be a tensor");
    t = { ...value.value, name };
  } else if (attributes.has('value_float')) {
    t = make([], [floatAttr(ctx, 'value_float', 0)], true);
  } else if (attributes.has('value_floats')) {
    const v = attr(ctx, 'value_floats', 'floats')?.value as readonly number[];
    t = make([v.length], v, true);
  } else if (attributes.has('value_int')) {
    t = make([], [intAttr(ctx, 'value_int', 0)], false);
  } else if (attributes.has('value_ints')) {
    const v = intsAttr(ctx, 'value_ints') ?? [];
    t = make([v.length], v, false);
  } else {
    const kinds = [...attributes.keys()].join(', ') || 'none';
    throw ctx.error(`only tensor, float(s) and int(s) constants are supported (attributes: ${kinds})`);
  }
  ctx.define(0, { kind: 'constant', tensor: t });
}

/** The shape of an activation as a value whose entry 0 is the batch size; `start`/`end` (opset 15) slice it. */
function shape(ctx: ImportContext): void {
  const v = ctx.input(0);
  if (v === undefined) throw ctx.error('the input is missing');
  let entries: ShapeEntry[];
  if (v.kind === 'activation') entries = ctx.shapeOf(v.ir).map((d, i) => (i === 0 ? 'batch' : d));
  else if (v.kind === 'constant') entries = [...v.tensor.dims];
  else entries = [...v.dims];
  const rank = entries.length;
  const clamp = (k: number): number => Math.min(rank, Math.max(0, k < 0 ? k + rank : k));
  entries = entries.slice(clamp(intAttr(ctx, 'start', 0)), clamp(intAttr(ctx, 'end', rank)));
  ctx.define(0, shapeValue([entries.length], entries, ctx.node.outputs[0]));
}

/** Gather on an integer vector known at import time (shape arithmetic only). */
function gather(ctx: ImportContext): void {
  const data = ctx.input(0);
  if (data === undefined || data.kind === 'activation') {
    throw ctx.error('Gather on activations is not supported; only shape computations (e.g. x.size(0)) are');
  }
  const src = shapeEntries(ctx, data, 'the data');
  if (src.dims.length !== 1) throw ctx.error(`only rank-1 data is supported, got shape ${formatShape(src.dims)}`);
  normalizeAxis(ctx, intAttr(ctx, 'axis', 0), 1);
  const idx = ctx.constant(1, 'the indices');
  if (idx.dims.length > 1) throw ctx.error(`indices must be a scalar or vector, got shape ${formatShape(idx.dims)}`);
  const n = src.entries.length;
  const entries = integers(ctx, idx, 'the indices').map((k) => {
    if (k < -n || k >= n) throw ctx.error(`index ${k} is out of range for ${n} entries`);
    return src.entries[k < 0 ? k + n : k];
  });
  ctx.define(0, shapeValue(idx.dims, entries, ctx.node.outputs[0]));
}

/** Unsqueeze of a shape value (axes: attribute before opset 13, input from 13). */
function unsqueeze(ctx: ImportContext): void {
  const data = ctx.input(0);
  if (data === undefined || data.kind === 'activation') {
    throw ctx.error('Unsqueeze on activations is not supported; only shape computations are');
  }
  const src = data.kind === 'shape' ? data : { dims: data.tensor.dims };
  const axes = ctx.opset < 13 ? intsAttr(ctx, 'axes') : integers(ctx, ctx.constant(1, 'axes'), 'axes');
  if (axes === undefined) throw ctx.error('axes is missing');
  const rank = src.dims.length + axes.length;
  const normalized = axes.map((a) => normalizeAxis(ctx, a, rank));
  if (new Set(normalized).size !== normalized.length) throw ctx.error(`axes [${axes.join(', ')}] repeat an axis`);
  const dims: number[] = [];
  for (let d = 0, k = 0; d < rank; d++) dims.push(normalized.includes(d) ? 1 : src.dims[k++]);
  if (data.kind === 'shape') ctx.define(0, { kind: 'shape', dims, entries: data.entries });
  else ctx.define(0, { kind: 'constant', tensor: { ...data.tensor, name: ctx.node.outputs[0], dims } });
}

/** ONNX TensorProto.DataType names by code, and the codes Cast may target here. */
const DATA_TYPES: readonly string[] =
  'UNDEFINED FLOAT UINT8 INT8 UINT16 INT16 INT32 INT64 STRING BOOL FLOAT16 DOUBLE UINT32 UINT64 COMPLEX64 COMPLEX128 BFLOAT16'.split(' ');
const CAST_FLOAT = new Set(['FLOAT', 'DOUBLE']);
const CAST_INTEGER = new Set(['UINT8', 'INT8', 'UINT16', 'INT16', 'INT32', 'INT64', 'UINT32', 'UINT64', 'BOOL']);

/**
 * Cast. PyTorch writes it around the bounds of `torch.clamp(x, 0, 1)` (int64 Constant → Cast to
 * FLOAT → Clip) when exporting with do_constant_folding=False, and in shape arithmetic. Constants
 * and shape values are converted at import time (float → integer truncates toward zero, like ONNX
 * Runtime); an activation cast to FLOAT/DOUBLE is the identity (the network runs in float32).
 */
function cast(ctx: ImportContext): void {
  const v = ctx.input(0);
  if (v === undefined) throw ctx.error('the input is missing');
  const code = intAttr(ctx, 'to', Number.NaN);
  if (Number.isNaN(code)) throw ctx.error("attribute 'to' is missing");
  const to = DATA_TYPES[code] ?? `type ${code}`;
  const isFloat = CAST_FLOAT.has(to);
  if (!isFloat && !CAST_INTEGER.has(to)) throw ctx.error(`casting to ${to} is not supported (only FLOAT, DOUBLE and integer types)`);
  if (v.kind === 'activation') {
    if (!isFloat) throw ctx.error(`casting an activation to ${to} is not supported; the network runs in float32`);
    ctx.emit({ op: 'Identity', inputs: [v.ir] });
    return;
  }
  if (v.kind === 'shape') {
    if (isFloat) throw ctx.error('casting a shape computation to a float type is not supported');
    ctx.define(0, v);
    return;
  }
  const src = v.tensor.data;
  let data: Float32Array | Float64Array;
  if (isFloat) {
    data = Float32Array.from(src);
  } else {
    data = new Float64Array(src.length);
    for (let i = 0; i < src.length; i++) {
      if (to === 'BOOL') data[i] = src[i] !== 0 ? 1 : 0;
      else if (Number.isFinite(src[i])) data[i] = Math.trunc(src[i]);
      else throw ctx.error(`cannot cast ${src[i]} to ${to}`);
    }
  }
  ctx.define(0, { kind: 'constant', tensor: { name: ctx.node.outputs[0], dims: v.tensor.dims, isFloat, data } });
}

/**
 * ReduceMean over the two spatial axes of an NCHW tensor — `x.mean((2, 3))` or
 * `x.mean((2, 3), keepdim=True)`, a common global average pool — becomes GlobalAvgPool, followed
 * by Flatten when keepdims=0. Axes are an attribute before opset 18, an optional input from 18.
 */
function reduceMean(ctx: ImportContext): void {
  const x = ctx.activation(0, 'the input');
  const rank = ctx.shapeOf(x).length;
  const axesConst = ctx.opset < 18 ? undefined : ctx.optionalConstant(1, 'axes');
  const given = ctx.opset < 18 ? intsAttr(ctx, 'axes') : axesConst === undefined ? undefined : integers(ctx, axesConst, 'axes');
  if (ctx.opset >= 18 && (given === undefined || given.length === 0) && intAttr(ctx, 'noop_with_empty_axes', 0) !== 0) {
    ctx.emit({ op: 'Identity', inputs: [x] });
    return;
  }
  const axes = (given ?? []).map((a) => normalizeAxis(ctx, a, rank)).sort((a, b) => a - b);
  if (rank !== 4 || axes.length !== 2 || axes[0] !== 2 || axes[1] !== 3) {
    const over = given === undefined || given.length === 0 ? 'all axes' : `axes [${given.join(', ')}]`;
    throw ctx.error(
      `only a mean over the spatial axes [2, 3] of an NCHW input (a global average pool) is supported; this one is over ${over} of a rank-${rank} input`,
    );
  }
  if (intAttr(ctx, 'keepdims', 1) !== 0) {
    ctx.emit({ op: 'GlobalAvgPool', inputs: [x] });
    return;
  }
  const pooled = ctx.emitHidden({ op: 'GlobalAvgPool', inputs: [x] }, '/GlobalAvgPool');
  ctx.emit({ op: 'Flatten', inputs: [pooled], axis: 1 });
}

/** ONNX op type → importer. Ops absent here are refused before any work, all listed in one message. */
export const importers: Readonly<Record<string, OpImporter>> = {
  Add: add,
  AveragePool: averagePool,
  BatchNormalization: batchNormalization,
  Cast: cast,
  Clip: clip,
  Concat: concat,
  Constant: constant,
  Conv: conv,
  Dropout: dropout,
  Flatten: flatten,
  Gather: gather,
  Gemm: gemm,
  GlobalAveragePool: globalAveragePool,
  Identity: identity,
  MatMul: matMul,
  MaxPool: maxPool,
  Pad: pad,
  ReduceMean: reduceMean,
  Relu: relu,
  Reshape: reshape,
  Shape: shape,
  Softmax: softmax,
  Unsqueeze: unsqueeze,
};
