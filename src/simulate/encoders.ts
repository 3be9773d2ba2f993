/**
 * Input encoders: how an image becomes the input of step t.
 *   direct:  x(t) = x                 (constant analog current; the first layer is computed once)
 *   poisson: x(t) = [u_t < x], u_t ~ U[0,1)   (Bernoulli rate code; seeded; needs x ∈ [0, 1])
 * The poisson stream of a batch is mulberry32 at a seed per batch, drawn time-major: the input j of
 * the batch ([batch × …] flattened) at step t compares u_n, n = t·N + j (N inputs per step), so any
 * engine can regenerate any spike (`bernoulli`).
 */
import { DataError } from '../data/dataset.js';
import type { Tensor } from '../tensor/tensor.js';
import { mulberry32 } from '../tensor/random.js';

export interface EncoderStream {
  /** Input for the next `steps` steps, time-major [steps × batch × …]. */
  next(steps: number): Float32Array;
}

export interface Encoder {
  readonly name: string;
  /** True when every step sees the same input (then the layers before the first spike run once). */
  readonly constant: boolean;
  /** Checks the batch and starts its stream; throws DataError on input the encoder cannot take. */
  start(x: Tensor, batchIndex: number): EncoderStream;
  /** For Bernoulli encoders: the mulberry32 seed of a batch's stream (see above). */
  readonly bernoulli?: { streamSeed(batchIndex: number): number };
}

export const directEncoder: Encoder = {
  name: 'direct',
  constant: true,
  start: (x) => ({ next: () => x.data }),
};

export function poissonEncoder(seed: number): Encoder {
  const streamSeed = (batchIndex: number) => (seed ^ Math.imul(batchIndex + 1, 0x9e3779b1)) >>> 0;
  return {
    name: `poisson(seed=${seed})`,
    constant: false,
    bernoulli: { streamSeed },
    start(x, batchIndex) {
      for (const v of x.data) {
        if (v < 0 || v > 1)
          throw new DataError(`the poisson encoder needs inputs in [0, 1], got ${v}; use --encoder direct or scale-only normalization`);
      }
      const random = mulberry32(streamSeed(batchIndex));
      return {
        next(steps) {
          const n = x.data.length;
          const out = new Float32Array(steps * n);
          for (let t = 0; t < steps; t++) for (let i = 0; i < n; i++) out[t * n + i] = random() < x.data[i] ? 1 : 0;
          return out;
        },
      };
    },
  };
}
