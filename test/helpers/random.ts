/** Seeded randomness for tests: the same seed gives the same bits on every machine. */
import { sizeOf, tensor, type Tensor } from '../../src/tensor/tensor.js';

export { mulberry32 } from '../../src/tensor/random.js';

/** A tensor of uniform values in [lo, hi). */
export function randomTensor(random: () => number, shape: readonly number[], lo = -1, hi = 1): Tensor {
  const data = new Float32Array(sizeOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = lo + (hi - lo) * random();
  return tensor(shape, data);
}

/** A 32-bit seed from a string (FNV-1a), so each named case gets its own stream. */
export function seedOf(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
