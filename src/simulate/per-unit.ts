import { sizeOf } from '../tensor/tensor.js';

/**
 * Expands a per-layer (length 1), per-channel (axis 0 of the sample shape) or per-unit (the whole
 * sample shape) vector to every unit. Where channels = units (a Dense layer) the two readings agree.
 */
export function perUnit(values: Float32Array, sampleShape: readonly number[]): Float32Array {
  const units = sizeOf(sampleShape);
  const out = new Float32Array(units);
  if (values.length === 1) return out.fill(values[0]);
  if (values.length === units) return Float32Array.from(values);
  const inner = units / sampleShape[0];
  for (let c = 0; c < sampleShape[0]; c++) out.fill(values[c], c * inner, (c + 1) * inner);
  return out;
}
