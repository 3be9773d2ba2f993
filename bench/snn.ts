/**
 * SNN simulation throughput against the ANN on the same backend and threads:
 *   ratio = SNN seconds / (T · ANN seconds)   on the same images and batch size,
 * for each engine: 'event' (spikes drive the WebAssembly kernels on `threads` workers; its time
 * includes starting them) and 'dense' (every step through ONNX Runtime on `threads` threads), and
 * each precision of the spike-fed layers (the ANN stays f32).
 */
import { calibrate } from '../src/ann/calibrate.js';
import { evaluateAnn } from '../src/ann/evaluate.js';
import type { Backend } from '../src/backend/backend.js';
import { convertToSnn, defaultConversionOptions } from '../src/convert/index.js';
import type { Dataset } from '../src/data/dataset.js';
import type { Graph } from '../src/ir/graph.js';
import { simulate, type SimulationEngine } from '../src/simulate/simulator.js';
import { median } from './stats.js';

export interface SnnBenchRow {
  readonly engine: SimulationEngine;
  readonly precision: 'f32' | 'int8';
  readonly T: number;
  readonly images: number;
  readonly imagesPerSecond: number;
  readonly imageStepsPerSecond: number;
  readonly snnOverTAnn: number;
  readonly accuracyAtT: number;
  /** Mean firing rate over the spiking layers (the event engine's work grows with it). */
  readonly meanRate: number;
}

export interface SnnBenchPlan {
  readonly engine: SimulationEngine;
  readonly precision: 'f32' | 'int8';
  readonly images: number;
}

export async function benchSnn(
  backend: Backend,
  threads: number,
  ann: Graph,
  data: Dataset,
  plans: readonly SnnBenchPlan[],
  Ts: readonly number[],
): Promise<SnnBenchRow[]> {
  const stats = await calibrate(backend, ann, data, { limit: 100 });
  const snn = convertToSnn(ann, stats, defaultConversionOptions);
  const batchSize = 50;
  const rows: SnnBenchRow[] = [];
  for (const { engine, precision, images } of plans) {
    const annSeconds: number[] = [];
    for (let rep = 0; rep < 5; rep++) annSeconds.push((await evaluateAnn(backend, ann, data, { limit: images, batchSize })).seconds);
    for (const T of Ts) {
      const sim = await simulate(backend, snn.graph, data, { T, limit: images, batchSize, engine, precision, threads });
      rows.push({
        engine,
        precision,
        T,
        images: sim.images,
        imagesPerSecond: sim.images / sim.seconds,
        imageStepsPerSecond: (sim.images * T) / sim.seconds,
        snnOverTAnn: sim.seconds / (T * median(annSeconds)),
        accuracyAtT: sim.accuracyAt[T - 1],
        meanRate: sim.layers.reduce((s, l) => s + l.spikes, 0) / sim.layers.reduce((s, l) => s + l.units * sim.images * T, 0),
      });
    }
  }
  return rows;
}
