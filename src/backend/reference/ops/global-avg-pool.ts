/**
 * y[n,c,0,0] = (1 / HW) Σ_{h,w} x[n,c,h,w]   (output [N, C, 1, 1], like ONNX GlobalAveragePool)
 */
import { tensor, type Tensor } from '../../../tensor/tensor.js';
import { nchw } from './window.js';

export function globalAvgPool(x: Tensor): Tensor {
  const [batch, channels, height, width] = nchw(x.shape, 'globalAvgPool');
  const area = height * width;
  const y = new Float32Array(batch * channels);
  for (let plane = 0; plane < batch * channels; plane++) {
    let sum = 0;
    for (let k = plane * area; k < (plane + 1) * area; k++) sum += x.data[k];
    y[plane] = sum / area;
  }
  return tensor([batch, channels, 1, 1], y);
}
