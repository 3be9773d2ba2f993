/**
 * y[n,c,i,j] = Σ_{(h,w) ∈ window ∩ image} x[n,c,h,w] / D, window = [i·s0 − pad_top, +k0) × [j·s1 − pad_left, +k1);
 * D = |window ∩ image| (countIncludePad false) or |window ∩ padded image| (true), as in ONNX and PyTorch:
 * with ceil mode, the part of the last window beyond the bottom/right padding never counts. Pads may
 * exceed the kernel (fold-pad writes such pools); a window of padding alone then gives 0 when D = 0.
 */
import { tensor, type Tensor } from '../../../tensor/tensor.js';
import { poolGeometry, type PoolParams } from './window.js';

export interface AvgPoolParams extends PoolParams {
  readonly countIncludePad: boolean;
}

export function avgPool(x: Tensor, params: AvgPoolParams): Tensor {
  const { batch, channels, height, width, kh, kw, sh, sw, padTop, padLeft, padBottom, padRight, outH, outW } = poolGeometry(
    x.shape,
    params,
    'avgPool',
  );
  const { countIncludePad } = params;
  const y = new Float32Array(batch * channels * outH * outW);
  const xs = x.data;
  for (let plane = 0; plane < batch * channels; plane++) {
    const xBase = plane * height * width;
    const yBase = plane * outH * outW;
    for (let i = 0; i < outH; i++) {
      const hStart = i * sh - padTop;
      const hEndPadded = Math.min(hStart + kh, height + padBottom);
      const h0 = Math.max(hStart, 0);
      const h1 = Math.min(hStart + kh, height);
      for (let j = 0; j < outW; j++) {
        const wStart = j * sw - padLeft;
        const wEndPadded = Math.min(wStart + kw, width + padRight);
        const w0 = Math.max(wStart, 0);
        const w1 = Math.min(wStart + kw, width);
        let sum = 0;
        for (let h = h0; h < h1; h++) {
          const row = xBase + h * width;
          for (let w = w0; w < w1; w++) sum += xs[row + w];
        }
        const count = countIncludePad ? (hEndPadded - hStart) * (wEndPadded - wStart) : (h1 - h0) * (w1 - w0);
        y[yBase + i * outW + j] = count > 0 ? sum / count : 0;
      }
    }
  }
  return tensor([batch, channels, outH, outW], y);
}
