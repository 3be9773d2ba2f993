/** Seeded randomness for tests: the same seed gives the same bits on every machine. */
import { sizeOf, tensor, type Tensor } from '../../src/tensor/tensor.js';

/** mulberry32: state ← state + 0x6D2B79F5, then an xorshift-multiply mix; returns uniform floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

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
