/**
 * y[n,o] = b[o] + Σ_i x[n,i] · W[o,i]   (x: [N, I], W: [O, I], b: [O]; ONNX Gemm with transB = 1)
 */
import { ShapeError, tensor, type Tensor } from '../../../tensor/tensor.js';

export function dense(x: Tensor, weight: Tensor, bias: Tensor | null): Tensor {
  if (x.shape.length !== 2 || weight.shape.length !== 2 || x.shape[1] !== weight.shape[1]) {
    throw new ShapeError(`dense: input [${x.shape.join(', ')}] does not fit weight [${weight.shape.join(', ')}]`);
  }
  const [batch, features] = x.shape;
  const outFeatures = weight.shape[0];
  const xs = x.data;
  const ws = weight.data;
  const y = new Float32Array(batch * outFeatures);
  for (let n = 0; n < batch; n++) {
    const xRow = n * features;
    for (let o = 0; o < outFeatures; o++) {
      const wRow = o * features;
      let sum = bias ? bias.data[o] : 0;
      for (let i = 0; i < features; i++) sum += xs[xRow + i] * ws[wRow + i];
      y[n * outFeatures + o] = sum;
    }
  }
  return tensor([batch, outFeatures], y);
}
