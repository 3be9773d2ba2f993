/**
 * mulberry32, one step: state ← state + 0x6D2B79F5, output = xorshift-multiply mix of the new state
 * (a 32-bit unsigned integer). The same seed gives the same stream on every platform.
 */
export function mulberry32Step(state: number): { readonly state: number; readonly value: number } {
  const next = (state + 0x6d2b79f5) >>> 0;
  let t = next;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return { state: next, value: (t ^ (t >>> 14)) >>> 0 };
}

/**
 * The n-th float (n = 0, 1, …) of mulberry32(seed), directly: its state is a counter, so
 * mulberry32AtIndex(seed, n) equals the (n+1)-th call of the generator.
 */
export function mulberry32AtIndex(seed: number, n: number): number {
  return mulberry32Step((seed + Math.imul(n, 0x6d2b79f5)) >>> 0).value / 4294967296;
}

/** mulberry32 as a generator of floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    const step = mulberry32Step(state);
    state = step.state;
    return step.value / 4294967296;
  };
}
