/**
 * y[n,c,h,w] = x[n,c,h − top,w − left] inside the image, `value` elsewhere; y has H + top + bottom
 * rows and W + left + right columns (ONNX Pad, mode constant, on the two spatial axes).
 */
import { ShapeError, tensor, type Tensor } from '../../../tensor/tensor.js';
import { nchw } from './window.js';

export function pad2d(x: Tensor, pads: readonly [number, number, number, number], value: number): Tensor {
  const [batch, channels, height, width] = nchw(x.shape, 'pad2d');
  const [top, left, bottom, right] = pads;
  if (pads.some((p) => !Number.isInteger(p) || p < 0))
    throw new ShapeError(`pad2d: pads must be non-negative integers, got [${pads.join(', ')}]`);
  const outH = height + top + bottom;
  const outW = width + left + right;
  const y = new Float32Array(batch * channels * outH * outW).fill(value);
  for (let plane = 0; plane < batch * channels; plane++) {
    for (let h = 0; h < height; h++) {
      const src = (plane * height + h) * width;
      y.set(x.data.subarray(src, src + width), (plane * outH + h + top) * outW + left);
    }
  }
  return tensor([batch, channels, outH, outW], y);
}
