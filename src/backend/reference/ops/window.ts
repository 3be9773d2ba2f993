/**
 * out = ⌊(size + padBefore + padAfter − (d·(k − 1) + 1)) / s⌋ + 1 (⌈·⌉ with ceil mode, where the last
 * window must still start inside the input or its left padding, as in ONNX and PyTorch).
 */
export function windowCount(
  size: number,
  kernel: number,
  stride: number,
  padBefore: number,
  padAfter: number,
  dilation: number,
  ceil: boolean,
): number {
  const span = dilation * (kernel - 1) + 1;
  const free = size + padBefore + padAfter - span;
  let out = (ceil ? Math.ceil(free / stride) : Math.floor(free / stride)) + 1;
  if (ceil && (out - 1) * stride >= size + padBefore) out -= 1;
  return out;
}

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

/** ONNX (and PyTorch) reject pooling pads as large as the kernel: such a window could hold only padding. */
export function checkPoolPads(params: PoolParams, what: string): void {
  const [kh, kw] = params.kernel;
  const [top, left, bottom, right] = params.pads;
  if (top >= kh || bottom >= kh || left >= kw || right >= kw) {
    throw new RangeError(`${what}: pads [${params.pads.join(', ')}] must be smaller than the kernel ${kh}×${kw}`);
  }
}
