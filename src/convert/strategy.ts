/**
 * The conversion seam. A strategy decides θ_l for every activation site l of the ANN from the
 * activation statistics; the shared pipeline (convert.ts) does the rest: Relu/Clip → IF neurons
 * with θ_l, the shift (bias θ/(2·T_shift), or v(0) = θ/2), reset mode and readout.
 */
import type { ActivationStats } from '../ann/calibrate.js';
import type { Graph, Node } from '../ir/graph.js';

export type ShiftMode = 'v0' | 'bias' | 'none';
export type ResetMode = 'soft' | 'hard';
export type ReadoutMode = 'accumulate' | 'spikes';
export type ThresholdScope = 'layer' | 'channel';

export interface ConversionOptions {
  readonly strategy: string;
  readonly shift: ShiftMode;
  /** T_shift of the bias shift δ = θ/(2·T_shift) (METHOD.md §3). */
  readonly tShift: number;
  readonly reset: ResetMode;
  readonly readout: ReadoutMode;
  /** p for the percentile strategy, e.g. 99.9. */
  readonly percentile: number;
  readonly thresholdScope: ThresholdScope;
  /** Largest spike count per neuron per step (1 = IF; > 1 = burst neuron). */
  readonly maxSpikesPerStep: number;
}

export const defaultConversionOptions: ConversionOptions = {
  strategy: 'deng-gu',
  shift: 'v0',
  tShift: 32,
  reset: 'soft',
  readout: 'accumulate',
  percentile: 99.9,
  thresholdScope: 'layer',
  maxSpikesPerStep: 1,
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
  /** θ for one activation site (a Relu or Clip node) of the ANN. */
  threshold(site: Node, stats: ActivationStats | null, options: ConversionOptions): ThresholdChoice;
}

export interface ConvertedLayer {
  readonly node: string;
  readonly theta: readonly number[];
  readonly source: string;
  readonly units: number;
}

/** What the conversion did, carried with the SNN so every report can say it. */
export interface ConversionInfo {
  readonly options: ConversionOptions;
  readonly layers: readonly ConvertedLayer[];
  readonly calibrationImages: number;
}

export interface SnnModel {
  readonly graph: Graph;
  /** The ANN it came from (simplified, final Softmax dropped): the reference for every comparison. */
  readonly ann: Graph;
  readonly conversion: ConversionInfo;
}

export class ConversionError extends Error {
  override readonly name = 'ConversionError';
}
