/**
 * Arithmetic on values known at import time, folded to constants: ConstantOfShape, Slice,
 * Transpose and Reshape of a constant. PyTorch's TorchScript exporter writes the pads of
 * nn.ZeroPad2d / F.pad as `ConstantOfShape → Concat → Reshape → Slice → Transpose → Reshape →
 * Cast` on constants (every opset); folding them gives Pad its constant pads. An input computed
 * from activations is refused (ctx.constant names it); sizes are checked before allocating.
 */
import { formatShape } from '../../tensor/tensor.js';
import { attr, intAttr, intsAttr } from '../attributes.js';
import type { ConstTensor, ImportContext, ShapeEntry } from '../import-context.js';
import { integers, normalizeAxis, shapeEntries } from '../values.js';

/** The most elements a folded constant may have (shape arithmetic needs a handful). */
export const MAX_FOLDED_ELEMENTS = 1 << 20;

function output(ctx: ImportContext, dims: readonly number[], isFloat: boolean, data: Float32Array | Float64Array): void {
  ctx.define(0, { kind: 'constant', tensor: { name: ctx.node.outputs[0], dims, isFloat, data } });
}

function emptyLike(t: ConstTensor, n: number): Float32Array | Float64Array {
  return t.data instanceof Float32Array ? new Float32Array(n) : new Float64Array(n);
}

/** Row-major strides of `dims`. */
function strides(dims: readonly number[]): number[] {
  const s = new Array<number>(dims.length).fill(1);
  for (let d = dims.length - 2; d >= 0; d--) s[d] = s[d + 1] * dims[d + 1];
  return s;
}

/**
 * ConstantOfShape: a tensor of shape `input` filled with the one-element `value` attribute
 * (default: float32 0). The shape is checked (non-negative integers, at most
 * MAX_FOLDED_ELEMENTS elements) before anything is allocated.
 */
export function constantOfShape(ctx: ImportContext): void {
  const shape = ctx.constant(0, 'the shape');
  if (shape.dims.length !== 1) throw ctx.error(`ConstantOfShape: the shape must be a vector, got shape ${formatShape(shape.dims)}`);
  const dims = integers(ctx, shape, 'the shape');
  let count = 1;
  for (const d of dims) {
    if (!Number.isSafeInteger(d) || d < 0) throw ctx.error(`ConstantOfShape: dimension ${d} of [${dims.join(', ')}] is not a size`);
    count *= d;
    if (count > MAX_FOLDED_ELEMENTS) {
      throw ctx.error(`ConstantOfShape: shape [${dims.join(', ')}] has more than ${MAX_FOLDED_ELEMENTS} elements, too many to fold`);
    }
  }
  const a = attr(ctx, 'value', 'tensor');
  const value = a === undefined ? undefined : (a.value as ConstTensor);
  if (value !== undefined && value.data.length !== 1) {
    throw ctx.error(`ConstantOfShape: attribute 'value' must hold one element, got shape ${formatShape(value.dims)}`);
  }
  const isFloat = value?.isFloat ?? true;
  const data = isFloat ? new Float32Array(count) : new Float64Array(count);
  data.fill(value?.data[0] ?? 0);
  output(ctx, dims, isFloat, data);
}

/** The indices Slice keeps along one axis of size `dim` (ONNX clamping rules; step ≠ 0). */
export function sliceIndices(dim: number, start: number, end: number, step: number): number[] {
  const s = start < 0 ? start + dim : start;
  const e = end < 0 ? end + dim : end;
  const out: number[] = [];
  if (step > 0) {
    for (let k = Math.min(dim, Math.max(0, s)); k < Math.min(dim, Math.max(0, e)); k += step) out.push(k);
  } else {
    for (let k = Math.min(dim - 1, Math.max(-1, s)); k > Math.min(dim - 1, Math.max(-1, e)); k += step) out.push(k);
  }
  return out;
}

/** Slice's starts, ends, axes and steps: attributes before opset 10, inputs 1–4 from 10. */
function sliceParameters(ctx: ImportContext, rank: number): { starts: number[]; ends: number[]; axes: number[]; steps: number[] } {
  const read = (i: number, name: string): number[] | undefined => {
    if (ctx.opset < 10) return intsAttr(ctx, name)?.slice();
    const c = ctx.optionalConstant(i, name);
    return c === undefined ? undefined : integers(ctx, c, name);
  };
  const starts = read(1, 'starts');
  const ends = read(2, 'ends');
  if (starts === undefined || ends === undefined) throw ctx.error('Slice: starts and ends are required');
  const axes = (read(3, 'axes') ?? starts.map((_, i) => i)).map((a) => normalizeAxis(ctx, a, rank));
  const steps = (ctx.opset < 10 ? undefined : read(4, 'steps')) ?? starts.map(() => 1);
  if (ends.length !== starts.length || axes.length !== starts.length || steps.length !== starts.length) {
    throw ctx.error(
      `Slice: starts, ends, axes and steps have different lengths (${starts.length}, ${ends.length}, ${axes.length}, ${steps.length})`,
    );
  }
  if (new Set(axes).size !== axes.length) throw ctx.error(`Slice: axes [${axes.join(', ')}] repeat an axis`);
  if (steps.includes(0)) throw ctx.error('Slice: a step is 0');
  return { starts, ends, axes, steps };
}

/** Slice of a constant (any rank) or of a shape vector. */
export function slice(ctx: ImportContext): void {
  const v = ctx.input(0);
  if (v === undefined) throw ctx.error('Slice: the data input is missing');
  if (v.kind === 'activation') throw ctx.error('Slice on activations is not supported; only on constants and shapes');
  const dims = v.kind === 'constant' ? v.tensor.dims : v.dims;
  const p = sliceParameters(ctx, dims.length);
  const kept = dims.map((d) => Array.from({ length: d }, (_, k) => k));
  p.axes.forEach((a, i) => (kept[a] = sliceIndices(dims[a], p.starts[i], p.ends[i], p.steps[i])));
  const outDims = kept.map((k) => k.length);
  const inStrides = strides(dims);
  const count = outDims.reduce((n, d) => n * d, 1);
  const source = new Array<number>(count);
  for (let i = 0; i < count; i++) {
    let rest = i;
    let at = 0;
    for (let d = dims.length - 1; d >= 0; d--) {
      at += kept[d][rest % outDims[d]] * inStrides[d];
      rest = Math.floor(rest / outDims[d]);
    }
    source[i] = at;
  }
  if (v.kind === 'shape') {
    const entries: ShapeEntry[] = source.map((k) => v.entries[k]);
    if (entries.includes('batch')) ctx.define(0, { kind: 'shape', dims: outDims, entries });
    else output(ctx, outDims, false, Float64Array.from(entries as number[]));
    return;
  }
  const data = emptyLike(v.tensor, count);
  source.forEach((k, i) => (data[i] = v.tensor.data[k]));
  output(ctx, outDims, v.tensor.isFloat, data);
}

/** Transpose of a constant: output[i_perm[0], …] = input[i_0, …]; perm defaults to reversing the axes. */
export function transpose(ctx: ImportContext): void {
  const t = ctx.constant(0, 'the data input');
  const rank = t.dims.length;
  const perm = intsAttr(ctx, 'perm') ?? t.dims.map((_, d) => rank - 1 - d);
  const sorted = [...perm].sort((a, b) => a - b);
  if (perm.length !== rank || sorted.some((p, d) => p !== d)) {
    throw ctx.error(`Transpose: perm [${perm.join(', ')}] is not a permutation of the ${rank} axes`);
  }
  const outDims = perm.map((p) => t.dims[p]);
  const inStrides = strides(t.dims);
  const data = emptyLike(t, t.data.length);
  for (let i = 0; i < data.length; i++) {
    let rest = i;
    let at = 0;
    for (let d = rank - 1; d >= 0; d--) {
      at += (rest % outDims[d]) * inStrides[perm[d]];
      rest = Math.floor(rest / outDims[d]);
    }
    data[i] = t.data[at];
  }
  output(ctx, outDims, t.isFloat, data);
}

/**
 * Reshape of a constant to a target known at import time: 0 copies the input dimension (unless
 * allowzero=1), one -1 is inferred; the element count must stay the same.
 */
export function reshapeConstant(ctx: ImportContext, t: ConstTensor): void {
  const v = ctx.input(1);
  if (v === undefined) throw ctx.error('Reshape: the shape input is missing');
  const target = shapeEntries(ctx, v, 'the target shape');
  if (target.dims.length !== 1) throw ctx.error(`Reshape: the target shape must be a vector, got shape ${formatShape(target.dims)}`);
  if (target.entries.includes('batch')) throw ctx.error('Reshape: a constant cannot be reshaped to a shape that involves the batch size');
  const allowZero = intAttr(ctx, 'allowzero', 0) === 1;
  const dims = (target.entries as number[]).map((d, i) => (d === 0 && !allowZero ? (t.dims[i] ?? Number.NaN) : d));
  const inferred = dims.filter((d) => d === -1).length;
  const known = dims.filter((d) => d !== -1).reduce((n, d) => n * d, 1);
  const bad = dims.some((d) => !Number.isSafeInteger(d) || d < -1) || inferred > 1;
  const n = t.data.length;
  if (bad || (inferred === 0 ? known !== n : known === 0 || n % known !== 0)) {
    throw ctx.error(`Reshape: cannot reshape a constant of shape ${formatShape(t.dims)} to [${target.entries.join(', ')}]`);
  }
  output(
    ctx,
    dims.map((d) => (d === -1 ? n / known : d)),
    t.isFloat,
    t.data,
  );
}
