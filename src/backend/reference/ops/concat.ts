/**
 * y = [x_0 ‖ x_1 ‖ …] along `axis` (negative counts from the end): every other dimension must agree.
 */
import { ShapeError, sizeOf, tensor, type Tensor } from '../../../tensor/tensor.js';

export function concat(xs: readonly Tensor[], axis: number): Tensor {
  if (xs.length === 0) throw new ShapeError('concat: needs at least one input');
  const rank = xs[0].shape.length;
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) throw new ShapeError(`concat: axis ${axis} out of range for rank ${rank}`);
  for (const x of xs) {
    if (x.shape.length !== rank || x.shape.some((d, i) => i !== a && d !== xs[0].shape[i])) {
      throw new ShapeError(`concat: shapes ${xs.map((t) => `[${t.shape.join(', ')}]`).join(', ')} differ outside axis ${a}`);
    }
  }
  // View every input as [outer, d_axis · inner]: the output row is the inputs' rows side by side.
  const outer = sizeOf(xs[0].shape.slice(0, a));
  const inner = sizeOf(xs[0].shape.slice(a + 1));
  const rows = xs.map((x) => x.shape[a] * inner);
  const outRow = rows.reduce((s, r) => s + r, 0);
  const y = new Float32Array(outer * outRow);
  for (let o = 0; o < outer; o++) {
    let offset = o * outRow;
    xs.forEach((x, k) => {
      y.set(x.data.subarray(o * rows[k], (o + 1) * rows[k]), offset);
      offset += rows[k];
    });
  }
  const shape = xs[0].shape.map((d, i) => (i === a ? rows.reduce((s, r) => s + r, 0) / inner : d));
  return tensor(shape, y);
}
