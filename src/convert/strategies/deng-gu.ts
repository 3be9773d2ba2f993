/**
 * Deng & Gu (ICLR 2021): the ANN is trained with clip(z, 0, θ); θ_l = max activation of layer l over
 * the calibration data (≤ the Clip ceiling), or the ceiling itself when there are no statistics.
 */
import type { ConversionStrategy } from '../strategy.js';
import { ceilingOf, maxThreshold } from './threshold-sources.js';

export const dengGu: ConversionStrategy = {
  name: 'deng-gu',
  description: 'θ = max activation on calibration data (capped at the Clip ceiling; the ceiling without data); soft reset and shift',
  threshold(site, stats, options) {
    const ceiling = ceilingOf(site);
    const layer = stats?.layers.get(site.name);
    if (!layer || layer.max === 0) {
      if (ceiling !== null) return { theta: Float32Array.of(ceiling), source: 'Clip ceiling' };
      return maxThreshold(site, stats, options);
    }
    const chosen = maxThreshold(site, stats, options);
    if (ceiling === null) return chosen;
    const capped = chosen.theta.map((t) => Math.min(t, ceiling));
    return { theta: capped, source: `${chosen.source}, ≤ Clip ceiling ${ceiling}` };
  },
};
