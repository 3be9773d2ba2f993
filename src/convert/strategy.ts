/**
 * The conversion seam. A strategy decides θ_l for every activation site l of the ANN from the
 * activation statistics; the shared pipeline (convert.ts) does the rest: Relu/Clip/QuantClip → spiking neurons (options.neuron)
 * with θ_l, the shift (bias θ/(2·T_shift), or v(0) = θ/2), reset mode and readout.
 */
import type { ActivationStats } from '../ann/calibrate.js';
import type { Node } from '../ir/graph.js';
import type { ConversionOptions } from '../model/snn-model.js';

export const defaultConversionOptions: ConversionOptions = {
  strategy: 'deng-gu',
  shift: 'v0',
  tShift: 32,
  reset: 'soft',
  readout: 'accumulate',
  percentile: 99.9,
  thresholdScope: 'layer',
  maxSpikesPerStep: 1,
  neuron: 'if',
};

export interface ThresholdChoice {
  /** θ: one value, or one per channel. */
  readonly theta: Float32Array;
  /** Where θ came from, for the user: e.g. "max activation (14.2k values)", "Clip ceiling". */
  readonly source: string;
}

export interface ConversionStrategy {
  readonly name: string;
  readonly description: string;
  /**
   * Options the strategy's method fixes (e.g. QCFS: v(0) = θ/2, soft reset). They equal the
   * defaults, so a plain call gets them; convertToSnn refuses an explicit other value, naming the
   * option, rather than silently building a different SNN.
   */
  readonly requires?: Partial<Pick<ConversionOptions, 'shift' | 'reset'>>;
  /** θ for one activation site (a Relu, Clip or QuantClip node) of the ANN. */
  threshold(site: Node, stats: ActivationStats | null, options: ConversionOptions): ThresholdChoice;
}

export class ConversionError extends Error {
  override readonly name = 'ConversionError';
}
