/**
 * Input encoders: how an image becomes the input of step t.
 *   direct:  x(t) = x                 (constant analog current; the first layer is computed once)
 *   poisson: x(t) = [u_t < x], u_t ~ U[0,1)   (Bernoulli rate code; seeded; needs x ∈ [0, 1])
 * The poisson stream is per image: image i of the data set (its index in the order simulated) draws
 * from mulberry32 at streamSeed(i), a mix of (seed, i), time-major: its input j at step t compares
 * u_n, n = t·N + j (N inputs per image), so any engine can regenerate any spike (`bernoulli`), and
 * an image's spikes do not depend on the batch size, the batches in flight or the thread count.
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
  /**
   * Checks the batch and starts its stream; `firstImage` is the data set index of the batch's first
   * image. Throws DataError on input the encoder cannot take.
   */
  start(x: Tensor, firstImage: number): EncoderStream;
  /** For Bernoulli encoders: the mulberry32 seed of an image's stream (see above). */
  readonly bernoulli?: { streamSeed(image: number): number };
}

export const directEncoder: Encoder = {
  name: 'direct',
  constant: true,
  start: (x) => ({ next: () => x.data }),
};

export function poissonEncoder(seed: number): Encoder {
  const streamSeed = (image: number) => (seed ^ Math.imul(image + 1, 0x9e3779b1)) >>> 0;
  return {
    name: `poisson(seed=${seed})`,
    constant: false,
    bernoulli: { streamSeed },
    start(x, firstImage) {
      for (const v of x.data) {
        if (v < 0 || v > 1)
          throw new DataError(`the poisson encoder needs inputs in [0, 1], got ${v}; use --encoder direct or scale-only normalization`);
      }
      const images = x.shape[0];
      const perImage = x.data.length / Math.max(1, images);
      const random = Array.from({ length: images }, (_, b) => mulberry32(streamSeed(firstImage + b)));
      return {
        next(steps) {
          const n = x.data.length;
          const out = new Float32Array(steps * n);
          for (let t = 0; t < steps; t++) {
            for (let b = 0; b < images; b++) {
              const draw = random[b];
              for (let j = b * perImage; j < (b + 1) * perImage; j++) out[t * n + j] = draw() < x.data[j] ? 1 : 0;
            }
          }
          return out;
        },
      };
    },
  };
}
