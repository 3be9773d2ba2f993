/**
 * The converted SNN as ann2snn carries it: the spiking graph, the ANN it came from, and what the
 * conversion did (options and θ_l per spiking layer l), so every report, export and file can say it.
 * Plain readonly data (its file I/O is the host's: src/node/snn-file.ts).
 */
import type { Graph } from '../ir/graph.js';

/** How the quantization error is centred: bias θ/(2·T_shift), v(0) = θ/2, or neither. */
export type ShiftMode = 'v0' | 'bias' | 'none';
/** After a spike: v ← v − θ·s (soft) or v ← 0 (hard). */
export type ResetMode = 'soft' | 'hard';
/** The last layer: accumulate its potential over time, or count its spikes. */
export type ReadoutMode = 'accumulate' | 'spikes';
/** One θ per layer, or one per output channel. */
export type ThresholdScope = 'layer' | 'channel';

export interface ConversionOptions {
  readonly strategy: string;
  readonly shift: ShiftMode;
  /** T_shift of the bias shift δ = θ/(2·T_shift) (docs/method.md §3). */
  readonly tShift: number;
  readonly reset: ResetMode;
  readonly readout: ReadoutMode;
  /** p for the percentile strategy, e.g. 99.9. */
  readonly percentile: number;
  readonly thresholdScope: ThresholdScope;
  /** Largest spike count per neuron per step (1 = IF; > 1 = burst neuron). */
  readonly maxSpikesPerStep: number;
  /** The neuron kind of every spiking layer: a name in the neuron table (src/neurons/index.ts); 'if' by default. */
  readonly neuron: string;
  /** The T the 'calibrated' strategy aims at (its θ search and corrections); other strategies ignore it. */
  readonly targetT?: number;
}

export interface ConvertedLayer {
  readonly node: string;
  readonly theta: readonly number[];
  readonly source: string;
  readonly units: number;
}

/** Li et al. 2021's corrections on the simulated SNN: per-channel bias (light) or per-neuron v(0) (advanced). */
export type CalibrationMode = 'light' | 'advanced';

/** Mean |SNN rate − ANN activation| of a layer, e_i = mean over images of (θ·N_i/T − a_i), before and after its correction. */
export interface ErrorBeforeAfter {
  readonly before: number;
  readonly after: number;
}

export interface CalibratedLayer {
  readonly node: string;
  /** θ of the layer (from the strategy's search). */
  readonly theta: readonly number[];
  /** Whether the correction was kept: one that did not reduce the error it aims at is undone (after = before). */
  readonly kept: boolean;
  /** Mean over channels of |mean e over the channel's units|: what light calibration zeroes. */
  readonly channelError: ErrorBeforeAfter;
  /** Mean over units of |e_i|: what advanced calibration aims at. */
  readonly unitError: ErrorBeforeAfter;
}

/** What calibration did, layer by layer in topological order, on `images` images simulated for T steps. */
export interface CalibrationRecord {
  readonly T: number;
  readonly mode: CalibrationMode;
  readonly images: number;
  readonly layers: readonly CalibratedLayer[];
}

/** What the conversion did, carried with the SNN so every report can say it. */
export interface ConversionInfo {
  readonly options: ConversionOptions;
  readonly layers: readonly ConvertedLayer[];
  readonly calibrationImages: number;
  /**
   * The images the thresholds came from: the calibration data set's name (from the statistics), or
   * what the CLI records (data set, split, count and how it was chosen). Absent when unknown.
   */
  readonly calibrationData?: string;
  /** Present when the SNN was calibrated after conversion (calibrate/). */
  readonly calibration?: CalibrationRecord;
}

export interface SnnModel {
  readonly graph: Graph;
  /** The ANN it came from (simplified, final Softmax dropped): the reference for every comparison. */
  readonly ann: Graph;
  readonly conversion: ConversionInfo;
}
