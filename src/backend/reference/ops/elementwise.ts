/**
 * Element-wise ops: relu(x) = max(x, 0); clip(x) = min(max(x, lo), hi); add(a, b) = a + b (equal shapes).
 */
import { ShapeError, shapesEqual, tensor, type Tensor } from '../../../tensor/tensor.js';

/** y = max(x, 0) */
export function relu(x: Tensor): Tensor {
  const y = new Float32Array(x.data.length);
  for (let k = 0; k < y.length; k++) y[k] = x.data[k] > 0 ? x.data[k] : 0;
  return tensor(x.shape, y);
}

/** y = min(max(x, lo), hi) (ONNX Clip: with lo > hi every value becomes hi). */
export function clip(x: Tensor, lo: number, hi: number): Tensor {
  const y = new Float32Array(x.data.length);
  for (let k = 0; k < y.length; k++) {
    const v = x.data[k] < lo ? lo : x.data[k];
    y[k] = v > hi ? hi : v;
  }
  return tensor(x.shape, y);
}

/** y = a + b, element by element; the shapes must be equal (no broadcasting). */
export function add(a: Tensor, b: Tensor): Tensor {
  if (!shapesEqual(a.shape, b.shape)) throw new ShapeError(`add: shapes [${a.shape.join(', ')}] and [${b.shape.join(', ')}] differ`);
  const y = new Float32Array(a.data.length);
  for (let k = 0; k < y.length; k++) y[k] = a.data[k] + b.data[k];
  return tensor(a.shape, y);
}
