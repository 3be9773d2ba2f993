/**
 * Values known at import time: Constant, and the shape arithmetic PyTorch exports around
 * `x.view(x.size(0), -1)` (Shape, Gather, Unsqueeze) and around clamp bounds (Cast). They define
 * values for later nodes and emit no IR node (except a Cast of an activation: Identity).
 */
import { formatShape } from '../../tensor/tensor.js';
import { attr, floatAttr, intAttr, intsAttr } from '../attributes.js';
import type { ConstTensor, ImportContext, ShapeEntry } from '../import-context.js';
import { integers, normalizeAxis, shapeEntries, shapeValue } from '../values.js';

export function constant(ctx: ImportContext): void {
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
export function shape(ctx: ImportContext): void {
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
export function gather(ctx: ImportContext): void {
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
export function unsqueeze(ctx: ImportContext): void {
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
export function cast(ctx: ImportContext): void {
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
