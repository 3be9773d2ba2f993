/** The strategy table: adding a strategy = one file + one line here. */
import { ConversionError, type ConversionStrategy } from '../strategy.js';
import { calibratedStrategy } from './calibrated.js';
import { dengGu } from './deng-gu.js';
import { maxNorm } from './max-norm.js';
import { percentileStrategy } from './percentile.js';
import { qcfs } from './qcfs.js';

export const strategies: Readonly<Record<string, ConversionStrategy>> = {
  'deng-gu': dengGu,
  'max-norm': maxNorm,
  percentile: percentileStrategy,
  calibrated: calibratedStrategy,
  qcfs,
};

export function strategyNamed(name: string): ConversionStrategy {
  const s = strategies[name];
  if (!s) throw new ConversionError(`unknown strategy '${name}'; known: ${Object.keys(strategies).join(', ')}`);
  return s;
}
