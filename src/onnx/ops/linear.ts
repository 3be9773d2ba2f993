/** Gemm and MatMul with a constant weight → Dense. */
import { formatShape, tensor, type Tensor } from '../../tensor/tensor.js';
import { floatAttr, intAttr } from '../attributes.js';
import type { ImportContext } from '../import-context.js';
import { floats } from '../values.js';

/** Y = α·A·op(B) + β·C with op(B) = B or Bᵀ: Dense with W = α·op(B)ᵀ ([O, I]) and b = β·C. */
export function gemm(ctx: ImportContext): void {
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
export function matMul(ctx: ImportContext): void {
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
