/**
 * SNN simulation throughput against the ANN on the same backend and threads:
 *   ratio = SNN seconds / (T · ANN seconds)   on the same images and batch size.
 */
import { calibrate } from '../src/ann/calibrate.js';
import { evaluateAnn } from '../src/ann/evaluate.js';
import type { Backend } from '../src/backend/backend.js';
import { convertToSnn, defaultConversionOptions } from '../src/convert/index.js';
import type { Dataset } from '../src/data/dataset.js';
import type { Graph } from '../src/ir/graph.js';
import { simulate } from '../src/simulate/simulator.js';
import { median } from './stats.js';

export interface SnnBenchRow {
  readonly T: number;
  readonly imagesPerSecond: number;
  readonly imageStepsPerSecond: number;
  readonly snnOverTAnn: number;
  readonly accuracyAtT: number;
}

export async function benchSnn(backend: Backend, ann: Graph, data: Dataset, images: number, Ts: readonly number[]): Promise<SnnBenchRow[]> {
  const stats = await calibrate(backend, ann, data, { limit: 100 });
  const snn = convertToSnn(ann, stats, defaultConversionOptions);
  const batchSize = 50;
  const annSeconds: number[] = [];
  for (let rep = 0; rep < 5; rep++) annSeconds.push((await evaluateAnn(backend, ann, data, { limit: images, batchSize })).seconds);
  const rows: SnnBenchRow[] = [];
  for (const T of Ts) {
    const sim = await simulate(backend, snn.graph, data, { T, limit: images, batchSize });
    rows.push({
      T,
      imagesPerSecond: sim.images / sim.seconds,
      imageStepsPerSecond: (sim.images * T) / sim.seconds,
      snnOverTAnn: sim.seconds / (T * median(annSeconds)),
      accuracyAtT: sim.accuracyAt[T - 1],
    });
  }
  return rows;
}
