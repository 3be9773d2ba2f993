/** Ops that move or keep values without arithmetic: Flatten, Reshape, Identity, Dropout (inference), Pad. */
import { formatShape, sizeOf } from '../../tensor/tensor.js';
import { floatAttr, intAttr, intsAttr, stringAttr } from '../attributes.js';
import type { ImportContext, ShapeEntry } from '../import-context.js';
import { integers, normalizeAxis, refuseExtraOutputs, scalar, shapeEntries } from '../values.js';
import { reshapeConstant } from './fold.js';

export function flatten(ctx: ImportContext): void {
  ctx.emit({ op: 'Flatten', inputs: [ctx.activation(0, 'the input')], axis: intAttr(ctx, 'axis', 1) });
}

/**
 * Reshape with a target known at import time. The target may be a constant (initializer or
 * Constant node) or a shape computed from `Shape` (we chose to recognise the chain
 * Shape→Gather→Unsqueeze→Concat that PyTorch emits for `x.view(x.size(0), -1)` rather than guess
 * a Flatten): its batch entry becomes 0, ONNX's "copy this dimension", which is only correct at
 * position 0. A constant data input is folded (fold.ts: PyTorch's pads arithmetic).
 */
export function reshape(ctx: ImportContext): void {
  const data = ctx.input(0);
  if (data?.kind === 'constant' && ctx.opset >= 5) return reshapeConstant(ctx, data.tensor);
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

/** Dropout at inference is the identity; the mask output may exist but must not be read. */
export function dropout(ctx: ImportContext): void {
  const x = ctx.activation(0, 'the input');
  refuseExtraOutputs(ctx, 'the mask');
  const training = ctx.input(2);
  if (training?.kind === 'constant' && training.tensor.data[0] !== 0) throw ctx.error('training_mode=true is not supported');
  if (training !== undefined && training.kind !== 'constant') throw ctx.error('training_mode must be a constant');
  ctx.emit({ op: 'Dropout', inputs: [x] });
}

export function identity(ctx: ImportContext): void {
  const v = ctx.input(0);
  if (v === undefined) throw ctx.error('the input is missing');
  if (v.kind === 'activation') ctx.emit({ op: 'Identity', inputs: [v.ir] });
  else ctx.define(0, v);
}

/**
 * Constant padding of H and W of an NCHW tensor. Before opset 11 `pads`/`value` are attributes;
 * from 11 they are inputs (pads, constant_value, and from 18 axes). ONNX pads for 4-D are
 * [n0, c0, h0, w0, n1, c1, h1, w1] → IR [h0, w0, h1, w1] = [top, left, bottom, right].
 */
export function pad(ctx: ImportContext): void {
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
