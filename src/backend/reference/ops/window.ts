import { windowOut } from '../../../ir/shapes.js';
import { ShapeError } from '../../../tensor/tensor.js';

/** Pooling hyper-parameters shared by AvgPool and MaxPool (pads are [top, left, bottom, right]). */
export interface PoolParams {
  readonly kernel: readonly [number, number];
  readonly strides: readonly [number, number];
  readonly pads: readonly [number, number, number, number];
  readonly ceilMode: boolean;
}

/** Checks a rank-4 NCHW input and returns its dimensions. */
export function nchw(shape: readonly number[], what: string): [number, number, number, number] {
  if (shape.length !== 4) throw new ShapeError(`${what} expects an NCHW input, got [${shape.join(', ')}]`);
  return [shape[0], shape[1], shape[2], shape[3]];
}

/** Input dimensions and output size of a 2-D pool: windows counted by the IR's own `windowOut`. */
export function poolGeometry(shape: readonly number[], params: PoolParams, what: string) {
  const [batch, channels, height, width] = nchw(shape, what);
  const [kh, kw] = params.kernel;
  const [sh, sw] = params.strides;
  const [padTop, padLeft, padBottom, padRight] = params.pads;
  const outH = windowOut(height, kh, sh, padTop, padBottom, 1, params.ceilMode);
  const outW = windowOut(width, kw, sw, padLeft, padRight, 1, params.ceilMode);
  return { batch, channels, height, width, kh, kw, sh, sw, padTop, padLeft, padBottom, padRight, outH, outW };
}
