/**
 * y = exp(x − max) / Σ exp(x − max) along `axis` (ONNX Softmax, opset ≥ 13; negative axis counts from the end).
 */
import { ShapeError, sizeOf, tensor, type Tensor } from '../../../tensor/tensor.js';

export function softmax(x: Tensor, axis: number): Tensor {
  const rank = x.shape.length;
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) throw new ShapeError(`softmax: axis ${axis} out of range for rank ${rank}`);
  const outer = sizeOf(x.shape.slice(0, a));
  const size = x.shape[a];
  const inner = sizeOf(x.shape.slice(a + 1));
  const y = new Float32Array(x.data.length);
  const e = new Float64Array(size);
  for (let o = 0; o < outer; o++) {
    for (let k = 0; k < inner; k++) {
      const base = o * size * inner + k;
      let max = -Infinity;
      for (let i = 0; i < size; i++) max = Math.max(max, x.data[base + i * inner]);
      let sum = 0;
      for (let i = 0; i < size; i++) {
        e[i] = Math.exp(x.data[base + i * inner] - max);
        sum += e[i];
      }
      for (let i = 0; i < size; i++) y[base + i * inner] = e[i] / sum;
    }
  }
  return tensor(x.shape, y);
}
