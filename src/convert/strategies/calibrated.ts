/**
 * Li et al. (ICML 2021), step one: θ_l minimises the error of the activation an SNN of T steps can
 * express over the calibration activations a of site l,
 *   θ_l = argmin_{0 < θ ≤ max a} Σ (clip_floor_T(a; θ) − a)²,   clip_floor_T(a; θ) = θ/T·clip(⌊a·T/θ + 1/2⌋, 0, T)
 * (the rounding of the v(0) = θ/2 shift). The bias and v(0) corrections that follow need the SNN
 * simulated layer by layer: calibrate/ does them.
 */
import type { Histogram } from '../../ann/histogram.js';
import { ConversionError, type ConversionStrategy } from '../strategy.js';
import { requireStats } from './threshold-sources.js';

/** Candidates of the coarse grid θ = max·k/K, then of the fine grid around the best of them. */
const COARSE = 256;
const FINE = 64;

/** clip_floor_T(a; θ) = θ/T·clip(⌊a·T/θ + 1/2⌋, 0, T). */
export function clipFloor(a: number, theta: number, T: number): number {
  return (theta / T) * Math.min(T, Math.max(0, Math.floor((a * T) / theta + 0.5)));
}

/** Σ count·(clip_floor_T(a; θ) − a)² over the histogram, every value taken at its bin's centre (≤ max). */
export function quantizationError(h: Histogram, theta: number, T: number): number {
  const width = h.range / h.bins.length;
  let sum = 0;
  for (let i = 0; i < h.bins.length; i++) {
    const n = h.bins[i];
    if (n === 0) continue;
    const a = Math.min(h.max, (i + 0.5) * width);
    const e = clipFloor(a, theta, T) - a;
    sum += n * e * e;
  }
  return sum;
}

/**
 * The θ in (0, max] with the least quantization error at T: the best of a grid of COARSE candidates,
 * refined on a grid of FINE candidates between its neighbours. Zeros cost nothing at any θ (they are
 * not in the histogram). An empty histogram gives 0.
 */
export function searchThreshold(h: Histogram, T: number): number {
  if (h.count === 0 || h.max <= 0) return 0;
  const best = (from: number, to: number, steps: number): number => {
    let theta = to;
    let least = Infinity;
    for (let k = 0; k <= steps; k++) {
      const candidate = from + ((to - from) * k) / steps;
      if (candidate <= 0) continue;
      const e = quantizationError(h, candidate, T);
      if (e < least) [least, theta] = [e, candidate];
    }
    return theta;
  };
  const step = h.max / COARSE;
  const coarse = best(step, h.max, COARSE - 1);
  return best(Math.max(step / FINE, coarse - step), Math.min(h.max, coarse + step), FINE);
}

export const calibratedStrategy: ConversionStrategy = {
  name: 'calibrated',
  description: 'θ minimising the clip-floor error at the target T (Li et al. 2021); then bias or v(0) calibration on the simulated SNN',
  threshold(site, stats, options) {
    if (options.thresholdScope === 'channel') {
      throw new ConversionError('the calibrated strategy supports layer-wise thresholds only (--threshold-scope layer)');
    }
    const T = options.targetT;
    if (T === undefined) throw new ConversionError(`strategy 'calibrated' needs the target T (--target-T)`);
    const layer = requireStats(site, stats, 'calibrated');
    const theta = searchThreshold(layer.histogram, T);
    return {
      theta: Float32Array.of(theta > 0 ? theta : 1),
      source: `least clip-floor error at T = ${T} over ${layer.histogram.count.toLocaleString('en-US')} positive values (max ${layer.max.toPrecision(4)})`,
    };
  },
};
