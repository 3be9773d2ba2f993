/** BatchNormalization (inference: running statistics) → BatchNorm. */
import { tensor, type Tensor } from '../../tensor/tensor.js';
import { floatAttr, intAttr } from '../attributes.js';
import type { ConstTensor, ImportContext } from '../import-context.js';
import { floats, refuseExtraOutputs } from '../values.js';

export function batchNormalization(ctx: ImportContext): void {
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
