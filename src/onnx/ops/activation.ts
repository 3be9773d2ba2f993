/** Element-wise and per-axis activations: Relu, Clip, the fused QCFS chain, Softmax. */
import { floatAttr, intAttr } from '../attributes.js';
import type { ImportContext } from '../import-context.js';
import { normalizeAxis, scalar } from '../values.js';

export function relu(ctx: ImportContext): void {
  ctx.emit({ op: 'Relu', inputs: [ctx.activation(0, 'the input')] });
}

/** Before opset 11 the bounds are attributes; from 11 they are optional (constant) inputs. Missing → ±∞. */
export function clip(ctx: ImportContext): void {
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

/** A QCFS chain fused by fuse-quant-clip.ts: attributes λ (`lambda`) and L (`levels`). */
export function quantClip(ctx: ImportContext): void {
  const x = ctx.activation(0, 'the input');
  const max = floatAttr(ctx, 'lambda', Number.NaN);
  const levels = intAttr(ctx, 'levels', 0);
  if (!(max > 0) || !(Number.isInteger(levels) && levels >= 1))
    throw ctx.error(`QCFS needs λ > 0 and an integer L ≥ 1, got λ = ${max}, L = ${levels}`);
  ctx.emit({ op: 'QuantClip', inputs: [x], max, levels });
}

/** Opset < 13: the default axis is 1 and the input is coerced to 2-D, which matches a per-axis softmax only on the last axis. */
export function softmax(ctx: ImportContext): void {
  const x = ctx.activation(0, 'the input');
  const rank = ctx.shapeOf(x).length;
  const axis = normalizeAxis(ctx, intAttr(ctx, 'axis', ctx.opset < 13 ? 1 : -1), rank);
  if (ctx.opset < 13 && axis !== rank - 1) {
    throw ctx.error(`opset-${ctx.opset} Softmax over axes ${axis}..${rank - 1} together (a rank-${rank} input) is not supported`);
  }
  ctx.emit({ op: 'Softmax', inputs: [x], axis });
}
