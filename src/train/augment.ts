/**
 * Seeded augmentation for 32×32 colour training batches: random crop with zero padding (in the
 * normalized domain) and random horizontal flip, as in the usual CIFAR recipe
 * (RandomCrop(32, padding=4) + RandomHorizontalFlip()).
 */
import type { Tensor } from '../tensor/tensor.js';
import { Rng } from './rng.js';

export interface AugmentOptions {
  /** Pixels of padding around the image before the random crop (default 4). */
  readonly pad?: number;
  /** Flip horizontally with probability 1/2 (default true). */
  readonly flip?: boolean;
}

/** Returns a new [N, C, H, W] tensor; image n is shifted by (dy, dx) ∈ [−pad, pad]² and maybe mirrored. */
export function augmentBatch(x: Tensor, seed: number, options: AugmentOptions = {}): Tensor {
  const [n, c, h, w] = x.shape;
  const pad = options.pad ?? 4;
  const flip = options.flip ?? true;
  const rng = new Rng(seed);
  const out = new Float32Array(x.data.length);
  const plane = h * w;
  for (let i = 0; i < n; i++) {
    // Offsets of the crop window in the padded image, relative to the original: [−pad, pad].
    const oy = rng.int(2 * pad + 1) - pad;
    const ox = rng.int(2 * pad + 1) - pad;
    const mirror = flip && rng.next() < 0.5;
    for (let ch = 0; ch < c; ch++) {
      const base = (i * c + ch) * plane;
      for (let y = 0; y < h; y++) {
        const sy = y + oy;
        if (sy < 0 || sy >= h) continue;
        for (let xx = 0; xx < w; xx++) {
          const tx = mirror ? w - 1 - xx : xx;
          const sx = tx + ox;
          if (sx < 0 || sx >= w) continue;
          out[base + y * w + xx] = x.data[base + sy * w + sx];
        }
      }
    }
  }
  return { shape: [...x.shape], data: out };
}
