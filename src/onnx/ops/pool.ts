/** Pooling: AveragePool, MaxPool, GlobalAveragePool, and ReduceMean over H and W (a global average pool). */
import type { Pads2d, Pair } from '../../ir/graph.js';
import { intAttr, intsAttr, pairAttr, windowPads } from '../attributes.js';
import type { ImportContext } from '../import-context.js';
import { integers, normalizeAxis, refuseExtraOutputs } from '../values.js';

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

export function averagePool(ctx: ImportContext): void {
  const x = ctx.activation(0, 'the input');
  ctx.emit({ op: 'AvgPool', inputs: [x], ...poolWindow(ctx, x), countIncludePad: intAttr(ctx, 'count_include_pad', 0) !== 0 });
}

export function maxPool(ctx: ImportContext): void {
  const x = ctx.activation(0, 'the input');
  refuseExtraOutputs(ctx, 'the Indices');
  ctx.emit({ op: 'MaxPool', inputs: [x], ...poolWindow(ctx, x) });
}

export function globalAveragePool(ctx: ImportContext): void {
  ctx.emit({ op: 'GlobalAvgPool', inputs: [ctx.activation(0, 'the input')] });
}

/**
 * ReduceMean over the two spatial axes of an NCHW tensor — `x.mean((2, 3))` or
 * `x.mean((2, 3), keepdim=True)`, a common global average pool — becomes GlobalAvgPool, followed
 * by Flatten when keepdims=0. Axes are an attribute before opset 18, an optional input from 18.
 */
export function reduceMean(ctx: ImportContext): void {
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
