/**
 * A dense float32 tensor in row-major (C) order: `data[i0·s0 + i1·s1 + …]` with strides from `shape`.
 * Plain readonly data: every function that "changes" a tensor returns a new one.
 */
export interface Tensor {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/** Number of elements: the product of the dimensions (1 for a scalar). */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Makes a tensor, checking that the data length matches the shape. */
export function tensor(shape: readonly number[], data?: Float32Array | readonly number[]): Tensor {
  const n = sizeOf(shape);
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new ShapeError(`invalid dimension ${d} in shape [${shape.join(', ')}]`);
  }
  const array = data === undefined ? new Float32Array(n) : data instanceof Float32Array ? data : Float32Array.from(data);
  if (array.length !== n) {
    throw new ShapeError(`data has ${array.length} elements but shape [${shape.join(', ')}] needs ${n}`);
  }
  return { shape: [...shape], data: array };
}

/** Same data, new shape (sizes must agree). */
export function reshape(t: Tensor, shape: readonly number[]): Tensor {
  return tensor(shape, t.data);
}

/** Row-major strides of a shape. */
export function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

export function formatShape(shape: readonly (number | string | null)[]): string {
  return `[${shape.map((d) => (d === null ? 'N' : String(d))).join(', ')}]`;
}

export function shapesEqual(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Rows `start..start+count` along axis 0. Shares no memory with the input. */
export function sliceBatch(t: Tensor, start: number, count: number): Tensor {
  const row = sizeOf(t.shape.slice(1));
  return tensor([count, ...t.shape.slice(1)], t.data.slice(start * row, (start + count) * row));
}

/** Index of the largest value in each row of a [B, K] tensor (first one on ties). */
export function argmaxRows(t: Tensor): Int32Array {
  const [rows, cols] = [t.shape[0], sizeOf(t.shape.slice(1))];
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    let bestValue = -Infinity;
    for (let c = 0; c < cols; c++) {
      const v = t.data[r * cols + c];
      if (v > bestValue) {
        bestValue = v;
        best = c;
      }
    }
    out[r] = best;
  }
  return out;
}

export class ShapeError extends Error {
  override readonly name = 'ShapeError';
}
