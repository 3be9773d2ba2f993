/**
 * What a linear op reads of a spiking layer's grid through zero Pads (and crops) and average pools:
 * a fixed linear map, separable by axis,
 *   x'[qy, qx, c] = Σ_{iy, ix} My[qy][iy] · Mx[qx][ix] · x[iy, ix, c]
 * since an average pool's divisor is a product of per-axis counts (|window ∩ image| without
 * countIncludePad, |window ∩ padded image| with it: the reference backend's avg-pool.ts, ONNX and
 * PyTorch, ceil mode included) and a Pad moves indices along each axis. Weights are kept as exact
 * ratios so that a plain k×k pool folds as θ/(k·k), the same f64 quotient the lowering always used.
 *
 * A map is either *tiled* — every nonzero row is one tile of f consecutive inputs with weight 1/f,
 * tiles in order from input 0, after b ≥ 0 empty rows (a zero pad) — which the spike-list kernels
 * sum-pool (`poolLists`) and a conv reads with b more padding; or general, then gathered per pixel
 * of the read grid (`gatherLists`) with one copy of W′ per distinct weight.
 */
import { windowOut } from '../../ir/shapes.js';

/** num / den, both positive integers, in lowest terms. */
export interface Ratio {
  readonly num: number;
  readonly den: number;
}

export interface Tap {
  readonly index: number;
  readonly weight: Ratio;
}

/** y[q] = Σ_{tap ∈ taps[q]} tap.weight · x[tap.index], x of length `source`. */
export interface AxisMap {
  readonly source: number;
  readonly taps: readonly (readonly Tap[])[];
}

const ONE: Ratio = { num: 1, den: 1 };

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

function ratio(num: number, den: number): Ratio {
  const g = gcd(num, den);
  return { num: num / g, den: den / g };
}

export function times(a: Ratio, b: Ratio): Ratio {
  return ratio(a.num * b.num, a.den * b.den);
}

function plus(a: Ratio, b: Ratio): Ratio {
  return ratio(a.num * b.den + b.num * a.den, a.den * b.den);
}

export function identityAxis(size: number): AxisMap {
  return { source: size, taps: Array.from({ length: size }, (_, i) => [{ index: i, weight: ONE }]) };
}

/** A zero Pad of `before` and `after` (negative: a crop): y[q] = x[q − before] inside x, 0 outside. */
export function padAxis(map: AxisMap, before: number, after: number): AxisMap {
  const size = map.taps.length + before + after;
  return { source: map.source, taps: Array.from({ length: Math.max(0, size) }, (_, q) => map.taps[q - before] ?? []) };
}

/**
 * An average pool along one axis: window q = [q·s − before, +k), divided by its count of inputs
 * (countIncludePad false) or of inputs and pads, the last window cut at the end padding (true).
 */
export function poolAxis(
  map: AxisMap,
  kernel: number,
  stride: number,
  before: number,
  after: number,
  ceil: boolean,
  countIncludePad: boolean,
): AxisMap {
  const size = map.taps.length;
  const out = windowOut(size, kernel, stride, before, after, 1, ceil);
  const taps = Array.from({ length: Math.max(0, out) }, (_, q) => {
    const start = q * stride - before;
    const lo = Math.max(start, 0);
    const hi = Math.min(start + kernel, size);
    const count = countIncludePad ? Math.min(start + kernel, size + after) - start : hi - lo;
    const sum = new Map<number, Ratio>();
    for (let j = lo; j < hi; j++) {
      for (const tap of map.taps[j]) {
        const w = times(tap.weight, ratio(1, count));
        const had = sum.get(tap.index);
        sum.set(tap.index, had ? plus(had, w) : w);
      }
    }
    return [...sum].sort((a, b) => a[0] - b[0]).map(([index, weight]) => ({ index, weight }));
  });
  return { source: map.source, taps };
}

/** A tiled map: rows shift … shift + tiles − 1 are tiles of `factor` inputs (from input 0), the others empty. */
export interface Tiling {
  readonly factor: number;
  readonly shift: number;
  readonly tiles: number;
}

/** The map's tiling, or null when it has none (overlapping, uneven, weighted or cropped at the start). */
export function tiling(map: AxisMap): Tiling | null {
  const shift = map.taps.findIndex((t) => t.length > 0);
  if (shift < 0) return null;
  const factor = map.taps[shift].length;
  let tiles = 0;
  while (shift + tiles < map.taps.length && map.taps[shift + tiles].length > 0) tiles++;
  for (let q = 0; q < map.taps.length; q++) {
    const tile = q - shift;
    const taps = map.taps[q];
    if (tile < 0 || tile >= tiles) {
      if (taps.length > 0) return null;
      continue;
    }
    if (taps.length !== factor) return null;
    const tiled = taps.every((t, k) => t.index === tile * factor + k && t.weight.num === 1 && t.weight.den === factor);
    if (!tiled) return null;
  }
  return { factor, shift, tiles };
}
