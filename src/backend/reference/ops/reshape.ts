/**
 * Shape changes, no arithmetic: flatten(x, axis) = x as [d0·…·d(axis−1), d(axis)·…]; reshape(x, s)
 * follows ONNX (0 copies the input dimension, −1 is inferred). Both copy the data, so an output never
 * shares memory with its input.
 */
import { ShapeError, sizeOf, tensor, type Tensor } from '../../../tensor/tensor.js';

export function flatten(x: Tensor, axis: number): Tensor {
  const a = axis < 0 ? axis + x.shape.length : axis;
  if (a < 0 || a > x.shape.length) throw new ShapeError(`flatten: axis ${axis} out of range for rank ${x.shape.length}`);
  return tensor([sizeOf(x.shape.slice(0, a)), sizeOf(x.shape.slice(a))], x.data.slice());
}

export function reshape(x: Tensor, target: readonly number[]): Tensor {
  const shape = target.map((d, i) => (d === 0 ? x.shape[i] : d));
  const known = sizeOf(shape.filter((d) => d !== -1));
  const inferred = shape.filter((d) => d === -1).length;
  if (inferred > 1 || shape.some((d) => d === undefined || (d < 1 && d !== -1)) || (inferred === 1 && x.data.length % known !== 0)) {
    throw new ShapeError(`reshape: cannot reshape [${x.shape.join(', ')}] to [${target.join(', ')}]`);
  }
  return tensor(
    shape.map((d) => (d === -1 ? x.data.length / known : d)),
    x.data.slice(),
  );
}

/** y = x (Identity, and Dropout at inference), as a copy. */
export function identity(x: Tensor): Tensor {
  return tensor(x.shape, x.data.slice());
}
