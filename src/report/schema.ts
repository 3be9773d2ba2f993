/**
 * The report: plain JSON-ready data (no typed arrays), versioned by `schema`. Every writer (terminal,
 * JSON, HTML) reads only this. docs/report-schema.md documents each field; a change that removes or
 * renames a field, or changes its meaning or unit, needs a new schema version.
 */
import type { ActivitySummary } from '../analysis/activity.js';
import type { StrategyComparison } from '../analysis/compare-strategies.js';
import type { LayerCost } from '../analysis/cost.js';
import type { LayerErrorAnalysis } from '../analysis/layer-error.js';
import type { SpikeRaster } from '../analysis/spike-raster.js';
import type { ExitPoint } from '../analysis/exit-curve.js';
import type { ConversionOptions } from '../model/snn-model.js';

export const REPORT_SCHEMA = 'ann2snn-report/1';

export interface Report {
  readonly schema: typeof REPORT_SCHEMA;
  /** ISO 8601 time the report was made. */
  readonly createdAt: string;
  readonly model: {
    /** The file the report is about (ONNX or .snn). */
    readonly source: string;
    readonly inputShape: readonly (number | null)[];
  };
  readonly data: {
    readonly name: string;
    readonly split: string | null;
    readonly images: number;
    readonly encoder: string;
  };
  readonly conversion: {
    readonly options: ConversionOptions;
    readonly calibrationImages: number;
    /** The images the thresholds came from (data set, split, count; how they were chosen), or null when the model does not record them. */
    readonly calibrationData: string | null;
    readonly layers: readonly {
      readonly node: string;
      readonly thetaMin: number;
      readonly thetaMax: number;
      readonly channels: number;
      readonly units: number;
      readonly source: string;
    }[];
  };
  /** Simulated time steps. */
  readonly T: number;
  readonly ann: { readonly accuracy: number; readonly images: number };
  readonly snn: {
    /** accuracyAt[t−1]: fraction correct after t steps, t = 1..T. */
    readonly accuracyAt: readonly number[];
    /** First t with accuracy ≥ ANN − 1 point, or null. */
    readonly latency: number | null;
    readonly seconds: number;
    /** The simulation engine that ran, and why not the event engine (null when it ran or was not asked for). */
    readonly engine: 'event' | 'dense';
    readonly engineNote: string | null;
  };
  readonly activity: ActivitySummary;
  readonly cost: {
    readonly synopsPerImage: number;
    readonly spikesPerImage: number;
    readonly analogMacsPerImage: number;
    readonly annMacsPerImage: number;
    /** Joules per image. */
    readonly snnEnergyPerImage: number;
    readonly annEnergyPerImage: number;
    /** Joules per accumulate and per multiply-accumulate. */
    readonly eAc: number;
    readonly eMac: number;
    readonly layers: readonly LayerCost[];
  };
  readonly layerError: LayerErrorAnalysis | null;
  readonly comparison: StrategyComparison | null;
  readonly raster: SpikeRaster | null;
  /**
   * Accuracy against latency (analysis/exit-curve.ts): fixed T' = 1 … T, certified exit, and the
   * confidence rule over a grid of (patience, margin), each with its accuracy, mean steps per image and
   * synops per image; null when not made (an evaluation without a readout trace) or the readout has no
   * per-step bound (`exitNote` says why).
   */
  readonly exit: { readonly points: readonly ExitPoint[] } | null;
  readonly exitNote: string | null;
}
