/**
 * y[n,c,i,j] = max_{(h,w) ∈ window} x[n,c,h,w], window = [i·s0 − pad_top, +k0) × [j·s1 − pad_left, +k1);
 * padding reads as −∞, so it never wins (ONNX MaxPool); a window of padding alone gives −∞.
 */
import { tensor, type Tensor } from '../../../tensor/tensor.js';
import { poolGeometry, type PoolParams } from './window.js';

export type MaxPoolParams = PoolParams;

export function maxPool(x: Tensor, params: MaxPoolParams): Tensor {
  const { batch, channels, height, width, kh, kw, sh, sw, padTop, padLeft, outH, outW } = poolGeometry(x.shape, params, 'maxPool');
  const y = new Float32Array(batch * channels * outH * outW);
  const xs = x.data;
  for (let plane = 0; plane < batch * channels; plane++) {
    const xBase = plane * height * width;
    const yBase = plane * outH * outW;
    for (let i = 0; i < outH; i++) {
      const h0 = Math.max(i * sh - padTop, 0);
      const h1 = Math.min(i * sh - padTop + kh, height);
      for (let j = 0; j < outW; j++) {
        const w0 = Math.max(j * sw - padLeft, 0);
        const w1 = Math.min(j * sw - padLeft + kw, width);
        let best = -Infinity;
        for (let h = h0; h < h1; h++) {
          const row = xBase + h * width;
          for (let w = w0; w < w1; w++) if (xs[row + w] > best) best = xs[row + w];
        }
        y[yBase + i * outW + j] = best;
      }
    }
  }
  return tensor([batch, channels, outH, outW], y);
}
