/**
 * The QCFS activation: y = λ · clip(⌊x·L/λ + 1/2⌋ / L, 0, 1), λ = max, L = levels, computed in f32
 * step by step in the order the IR fixes (QuantClipNode), so that ONNX Runtime's Div/Mul/Add/Floor/
 * Div/Clip/Mul chain gives the same bits.
 */
import { tensor, type Tensor } from '../../../tensor/tensor.js';

export function quantClip(x: Tensor, max: number, levels: number): Tensor {
  const f = Math.fround;
  const lambda = f(max);
  const y = new Float32Array(x.data.length);
  for (let k = 0; k < y.length; k++) {
    const level = Math.floor(f(f(f(x.data[k] / lambda) * levels) + 0.5));
    const u = f(level / levels);
    y[k] = (u < 0 ? 0 : u > 1 ? 1 : u) * lambda;
  }
  return tensor(x.shape, y);
}
