/** Rueckauer et al. 2017: θ_l = p-th percentile of the positive activations of layer l. */
import { layerPercentile } from '../../ann/calibrate.js';
import { ConversionError, type ConversionStrategy } from '../strategy.js';
import { requireStats } from './threshold-sources.js';

export const percentileStrategy: ConversionStrategy = {
  name: 'percentile',
  description: 'θ = p-th percentile of positive activations (Rueckauer et al. 2017)',
  threshold(site, stats, options) {
    if (options.thresholdScope === 'channel') {
      throw new ConversionError('the percentile strategy supports layer-wise thresholds only (--threshold-scope layer)');
    }
    const layer = requireStats(site, stats, 'percentile');
    const theta = layerPercentile(layer, options.percentile);
    return {
      theta: Float32Array.of(theta > 0 ? theta : 1),
      source: `${options.percentile}th percentile of ${layer.histogram.count} positive activations`,
    };
  },
};
