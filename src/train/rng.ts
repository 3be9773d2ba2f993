/**
 * Seeded randomness for training. Every random stream (initialisation, shuffling, dropout masks,
 * augmentation) is derived from the run seed and a stream label (and the epoch), so a run is
 * reproducible from `(seed, epoch)` alone and a checkpoint needs no hidden generator state.
 */

import { mulberry32Step } from '../tensor/random.js';

/** mulberry32 with its state visible (for checkpoints). `next()` returns a float in [0, 1). */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }

  /** The current state (a 32-bit unsigned integer); `new Rng(state)` continues the stream. */
  get state(): number {
    return this.s;
  }

  nextU32(): number {
    const step = mulberry32Step(this.s);
    this.s = step.state;
    return step.value;
  }

  next(): number {
    return this.nextU32() / 4294967296;
  }

  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
}

/** Mixes a seed with labels into a new 32-bit seed (FNV-1a over the parts, then a murmur finaliser). */
export function deriveSeed(seed: number, ...parts: readonly (string | number)[]): number {
  let h = 0x811c9dc5;
  const mix = (byte: number): void => {
    h ^= byte & 0xff;
    h = Math.imul(h, 0x01000193) >>> 0;
  };
  for (let i = 0; i < 4; i++) mix(seed >>> (8 * i));
  for (const part of parts) {
    if (typeof part === 'number') {
      for (let i = 0; i < 4; i++) mix(part >>> (8 * i));
    } else {
      for (let i = 0; i < part.length; i++) mix(part.charCodeAt(i));
    }
    mix(0x2f);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}
