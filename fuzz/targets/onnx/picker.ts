/** Deterministic choices for a mutation from the numbers fast-check drew for it. */
export class Picker {
  #i = 0;
  constructor(private readonly draws: readonly number[]) {}

  /** A number in [0, n). */
  int(n: number): number {
    const d = this.draws[this.#i++ % this.draws.length] + Math.floor(this.#i / this.draws.length) * 7919;
    return n <= 0 ? 0 : d % n;
  }

  one<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
}

/** Integers that break naive code: zero, negatives, 32-bit edges, 2^40, 2^53 − 1. */
export const hostileInts: readonly number[] = [0, -1, -2, 1, 2, 3, 7, 2 ** 31 - 1, 2 ** 31, 2 ** 32, 2 ** 40, 2 ** 53 - 1, -(2 ** 40), 1e9];

export const hostileFloats: readonly number[] = [0, -1, 1e-30, 1e38, -1e38, Number.NaN, Infinity, -Infinity, 0.5];
