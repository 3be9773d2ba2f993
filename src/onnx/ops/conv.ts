/** Conv → Conv2d (2-D, any stride, padding, dilation and group count). */
import type { Pair } from '../../ir/graph.js';
import { formatShape, tensor } from '../../tensor/tensor.js';
import { intAttr, intsAttr, pairAttr, windowPads } from '../attributes.js';
import type { ImportContext } from '../import-context.js';
import { floats } from '../values.js';

export function conv(ctx: ImportContext): void {
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
