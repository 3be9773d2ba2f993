/**
 * One evaluation of a converted model on a data set: the ANN it came from, then the SNN for T steps,
 * and what the SNN costs. The unit of every report.
 */
import { evaluateAnn, type AnnEvaluation } from '../ann/evaluate.js';
import type { Backend } from '../backend/backend.js';
import type { SnnModel } from '../model/snn-model.js';
import type { Dataset } from '../data/dataset.js';
import { simulate, type SimulateOptions, type SimulationResult } from '../simulate/simulator.js';
import { snnCost, type EnergyConstants, type SnnCost } from './cost.js';

export interface SnnEvaluation {
  readonly ann: Omit<AnnEvaluation, 'predictions'>;
  readonly snn: SimulationResult;
  readonly cost: SnnCost;
  /** First t whose accuracy is within 1 point of the ANN, or null. */
  readonly latency: number | null;
}

export interface EvaluateSnnOptions extends SimulateOptions {
  readonly energy?: EnergyConstants;
  readonly onAnnProgress?: (done: number, total: number) => void;
}

export async function evaluateSnn(backend: Backend, model: SnnModel, data: Dataset, options: EvaluateSnnOptions): Promise<SnnEvaluation> {
  const { predictions: _p, ...ann } = await evaluateAnn(backend, model.ann, data, {
    limit: options.limit,
    batchSize: options.batchSize,
    onProgress: options.onAnnProgress,
  });
  const snn = await simulate(backend, model.graph, data, options);
  const cost = snnCost(model.graph, model.ann, snn, options.energy);
  const index = snn.accuracyAt.findIndex((a) => a >= ann.accuracy - 0.01);
  return { ann, snn, cost, latency: index < 0 ? null : index + 1 };
}
