/** Diehl et al. 2015: θ_l = max activation of layer l over the calibration data. */
import type { ConversionStrategy } from '../strategy.js';
import { maxThreshold } from './threshold-sources.js';

export const maxNorm: ConversionStrategy = {
  name: 'max-norm',
  description: 'θ = max activation on calibration data (Diehl et al. 2015)',
  threshold: maxThreshold,
};
