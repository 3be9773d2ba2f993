/**
 * y[n,c,…] = γ[c] · (x[n,c,…] − μ[c]) / √(σ²[c] + ε) + β[c]   (inference mode, channel axis 1)
 */
import { ShapeError, sizeOf, tensor, type Tensor } from '../../../tensor/tensor.js';

export interface BatchNormParams {
  readonly scale: Tensor;
  readonly bias: Tensor;
  readonly mean: Tensor;
  readonly variance: Tensor;
  readonly epsilon: number;
}

export function batchNorm(x: Tensor, params: BatchNormParams): Tensor {
  const [batch, channels] = x.shape;
  if (x.shape.length < 2 || params.scale.data.length !== channels) {
    throw new ShapeError(`batchNorm: input [${x.shape.join(', ')}] does not have ${params.scale.data.length} channels`);
  }
  const inner = sizeOf(x.shape.slice(2));
  const y = new Float32Array(x.data.length);
  for (let c = 0; c < channels; c++) {
    const a = params.scale.data[c] / Math.sqrt(params.variance.data[c] + params.epsilon);
    const mean = params.mean.data[c];
    const shift = params.bias.data[c];
    for (let n = 0; n < batch; n++) {
      const base = (n * channels + c) * inner;
      for (let k = base; k < base + inner; k++) y[k] = (x.data[k] - mean) * a + shift;
    }
  }
  return tensor(x.shape, y);
}
