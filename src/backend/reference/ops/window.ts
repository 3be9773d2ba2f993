import { windowOut } from '../../../ir/shapes.js';

/**
 * out = ⌊(size + padBefore + padAfter − (d·(k − 1) + 1)) / s⌋ + 1 (⌈·⌉ with ceil mode, where the last
 * window must still start inside the input or its left padding, as in ONNX and PyTorch); the IR's
 * own shape inference uses the same function.
 */
export const windowCount = windowOut;

/** Pooling hyper-parameters shared by AvgPool and MaxPool (pads are [top, left, bottom, right]). */
export interface PoolParams {
  readonly kernel: readonly [number, number];
  readonly strides: readonly [number, number];
  readonly pads: readonly [number, number, number, number];
  readonly ceilMode: boolean;
}

/** Checks a rank-4 NCHW input and returns its dimensions. */
export function nchw(shape: readonly number[], what: string): [number, number, number, number] {
  if (shape.length !== 4) throw new RangeError(`${what} expects an NCHW input, got [${shape.join(', ')}]`);
  return [shape[0], shape[1], shape[2], shape[3]];
}
