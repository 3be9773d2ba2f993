/**
 * Runs every analysis of one converted model on one data set and gathers them into a Report:
 * ANN vs SNN accuracy at every t (evaluateSnn, with per-unit spike counts), activity and cost, the
 * layer-wise error on a sample, the strategy comparison (when calibration statistics are given) and
 * a spike raster with one membrane trace.
 */
import { activitySummary } from '../analysis/activity.js';
import { compareStrategies, type CompareOptions, type StrategyVariant } from '../analysis/compare-strategies.js';
import type { EnergyConstants } from '../analysis/cost.js';
import { evaluateSnn, type SnnEvaluation } from '../analysis/evaluate-snn.js';
import { defaultErrorSteps, layerErrors } from '../analysis/layer-error.js';
import { recordRaster } from '../analysis/spike-raster.js';
import type { ActivationStats } from '../ann/calibrate.js';
import type { Backend, SpikePrecision } from '../backend/backend.js';
import type { SnnModel } from '../model/snn-model.js';
import { summarizeConversion } from './conversion-rows.js';
import { exitCurve, type ExitCurveOptions } from '../analysis/exit-curve.js';
import { readoutBound } from '../simulate/exit/readout-bound.js';
import type { Dataset } from '../data/dataset.js';
import { directEncoder, type Encoder } from '../simulate/encoders.js';
import { REPORT_SCHEMA, type Report } from './schema.js';

export class ReportError extends Error {
  override readonly name = 'ReportError';
}

export type ReportStage = 'ann' | 'snn' | 'layer error' | 'strategies' | 'raster';

export interface BuildReportOptions {
  readonly T: number;
  /** The file the model came from, for the report's header. */
  readonly source: string;
  readonly split?: string | null;
  readonly limit?: number;
  readonly batchSize?: number;
  readonly chunk?: number;
  readonly encoder?: Encoder;
  /** Arithmetic of the spike-fed layers (SimulateOptions.precision); default f32. */
  readonly precision?: SpikePrecision;
  readonly energy?: EnergyConstants;
  /** An evaluation already made of this model on this data (simulate --report); with unit counts for histograms. */
  readonly evaluation?: SnnEvaluation;
  /** Layer-wise error: T values (default T/8, T/4, T/2, T) and sample size (default 100); false to skip. */
  readonly layerError?: false | { readonly T?: readonly number[]; readonly images?: number };
  /** Accuracy against T of other conversions of `model.ann` with these statistics; skipped when absent. */
  readonly comparison?: {
    readonly stats: ActivationStats;
    readonly variants: readonly StrategyVariant[];
    /** Applied to each converted variant before its simulation (report: calibrateSnn for 'calibrated'). */
    readonly refine?: CompareOptions['refine'];
  };
  /** The accuracy-latency curve of early exit (grids of patience and margin); false to skip. */
  readonly exitCurve?: false | ExitCurveOptions;
  /** Raster and membrane trace of one image; false to skip. */
  readonly raster?: false | { readonly image?: number; readonly neuronsPerLayer?: number };
  /** Progress of each stage; `detail` names the variant during 'strategies'. */
  readonly onProgress?: (stage: ReportStage, done: number, total: number, detail?: string) => void;
}

export async function buildReport(backend: Backend, model: SnnModel, data: Dataset, options: BuildReportOptions): Promise<Report> {
  if (!Number.isInteger(options.T) || options.T < 1) throw new ReportError(`T must be a positive integer, got ${options.T}`);
  const encoder = options.encoder ?? directEncoder;
  const progress = (stage: ReportStage, detail?: string) => (done: number, total: number) =>
    options.onProgress?.(stage, done, total, detail);
  const evaluation =
    options.evaluation ??
    (await evaluateSnn(backend, model, data, {
      T: options.T,
      limit: options.limit,
      batchSize: options.batchSize,
      chunk: options.chunk,
      encoder,
      precision: options.precision,
      energy: options.energy,
      unitCounts: true,
      trace: options.exitCurve !== false,
      onAnnProgress: progress('ann'),
      onProgress: progress('snn'),
    }));
  if (evaluation.snn.T !== options.T)
    throw new ReportError(`the evaluation ran T=${evaluation.snn.T} steps, the report asks for T=${options.T}`);

  const errorOptions = options.layerError === false ? null : (options.layerError ?? {});
  const layerError = errorOptions
    ? await layerErrors(backend, model, data, {
        T: errorOptions.T ?? defaultErrorSteps(options.T),
        limit: errorOptions.images ?? 100,
        batchSize: options.batchSize,
        chunk: options.chunk,
        encoder,
        precision: options.precision,
        onProgress: progress('layer error'),
      })
    : null;

  let currentVariant: string | undefined;
  const comparison = options.comparison
    ? await compareStrategies(backend, model.ann, options.comparison.stats, data, options.comparison.variants, {
        T: options.T,
        annAccuracy: evaluation.ann.accuracy,
        limit: options.limit,
        batchSize: options.batchSize,
        chunk: options.chunk,
        encoder,
        refine: options.comparison.refine,
        onProgress: (done, total) => options.onProgress?.('strategies', done, total, currentVariant),
        onVariant: (_i, v) => {
          currentVariant = v.label;
        },
      })
    : null;

  const rasterOptions = options.raster === false ? null : (options.raster ?? {});
  if (rasterOptions) options.onProgress?.('raster', 0, 1);
  const raster = rasterOptions
    ? await recordRaster(backend, model, data, { T: options.T, encoder, precision: options.precision, ...rasterOptions })
    : null;
  if (rasterOptions) options.onProgress?.('raster', 1, 1);

  const { ann, snn, cost } = evaluation;
  const bound = readoutBound(model.graph);
  const exitNote =
    options.exitCurve === false
      ? 'not asked for'
      : 'reason' in bound
        ? `no per-step bound: ${bound.reason}`
        : snn.trace
          ? null
          : 'the evaluation kept no readout trace';
  const exit =
    exitNote === null && options.exitCurve !== false ? { points: exitCurve(model.graph, model.ann, snn, options.exitCurve) } : null;
  return {
    schema: REPORT_SCHEMA,
    createdAt: new Date().toISOString(),
    model: { source: options.source, inputShape: [...model.ann.input.shape] },
    data: { name: data.name, split: options.split ?? null, images: snn.images, encoder: snn.encoder },
    conversion: summarizeConversion(model.conversion),
    T: options.T,
    ann: { accuracy: ann.accuracy, images: ann.images },
    snn: {
      accuracyAt: [...snn.accuracyAt],
      latency: evaluation.latency,
      seconds: snn.seconds,
      engine: snn.engine,
      engineNote: snn.engineNote,
    },
    activity: activitySummary(snn, model.graph),
    cost: {
      synopsPerImage: cost.synopsPerImage,
      spikesPerImage: cost.spikesPerImage,
      analogMacsPerImage: cost.analogMacsPerImage,
      annMacsPerImage: cost.annMacsPerImage,
      snnEnergyPerImage: cost.snnEnergyPerImage,
      annEnergyPerImage: cost.annEnergyPerImage,
      eAc: cost.energy.eAc,
      eMac: cost.energy.eMac,
      layers: cost.layers,
    },
    layerError,
    comparison,
    raster,
    exit,
    exitNote,
  };
}
