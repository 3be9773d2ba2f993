import { sizeOf } from '../tensor/tensor.js';

/** Expands a per-layer (length 1) or per-channel (axis 0 of the sample shape) vector to every unit. */
export function perUnit(values: Float32Array, sampleShape: readonly number[]): Float32Array {
  const units = sizeOf(sampleShape);
  const out = new Float32Array(units);
  if (values.length === 1) return out.fill(values[0]);
  const inner = units / sampleShape[0];
  for (let c = 0; c < sampleShape[0]; c++) out.fill(values[c], c * inner, (c + 1) * inner);
  return out;
}
