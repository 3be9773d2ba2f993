/**
 * Early exit on the event engine, measured in this run: per model and T, the same images simulated
 * without exit, with certified exit and with the confidence rule at its defaults:
 *   mean steps per image, images/s, and against the full simulation the speed-up (images/s ratio)
 *   and the accuracy change at T (certified: 0 by construction, checked here).
 */
import { calibrate } from '../src/ann/calibrate.js';
import { loadAnn } from '../src/node/ann-file.js';
import type { Backend } from '../src/backend/backend.js';
import { convertToSnn, defaultConversionOptions } from '../src/convert/index.js';
import type { Dataset } from '../src/data/dataset.js';
import type { Graph } from '../src/ir/graph.js';
import { DEFAULT_MARGIN, DEFAULT_PATIENCE, type ExitKind } from '../src/simulate/exit/exit-rule.js';
import { simulate } from '../src/simulate/simulator.js';
import { randomColourImages } from './data.js';
import { vggSmall } from './models.js';

export interface ExitBenchRow {
  readonly model: string;
  readonly T: number;
  readonly rule: ExitKind;
  readonly images: number;
  readonly meanSteps: number;
  readonly imagesPerSecond: number;
  readonly accuracyAtT: number;
  /** Against the run without exit on the same images. */
  readonly speedup: number;
  readonly accuracyDeltaPoints: number;
}

interface ExitBenchModel {
  readonly name: string;
  readonly ann: () => Promise<Graph>;
  readonly data: Dataset;
  readonly images: number;
}

export function exitBenchModels(fashion: Dataset | null): ExitBenchModel[] {
  const trained = (name: string, file: string, images: number): ExitBenchModel[] =>
    fashion ? [{ name, ann: () => loadAnn(file), data: fashion, images }] : [];
  return [
    ...trained('cnn4 trained (Fashion-MNIST)', 'models/fmnist-cnn4-clip.onnx', 200),
    ...trained('resnet20 trained (Fashion-MNIST)', 'models/fmnist-resnet20-clip.onnx', 100),
    // Random weights and images: the speed is real, the accuracy is not (labels are random).
    { name: 'vgg-small (random weights, random images)', ann: async () => vggSmall(), data: randomColourImages(100), images: 100 },
  ];
}

export async function benchExit(
  backend: Backend,
  threads: number,
  models: readonly ExitBenchModel[],
  Ts: readonly number[],
): Promise<ExitBenchRow[]> {
  const rows: ExitBenchRow[] = [];
  for (const m of models) {
    const ann = await m.ann();
    const snn = convertToSnn(ann, await calibrate(backend, ann, m.data, { limit: 200 }), defaultConversionOptions).graph;
    for (const T of Ts) {
      const runs = [];
      for (const rule of ['none', 'certified', 'confidence'] as const) {
        const sim = await simulate(backend, snn, m.data, { T, limit: m.images, batchSize: 50, engine: 'event', threads, exit: { rule } });
        runs.push({ rule, sim });
      }
      const full = runs[0].sim;
      for (const { rule, sim } of runs)
        rows.push({
          model: m.name,
          T,
          rule,
          images: sim.images,
          meanSteps: sim.exit.meanSteps,
          imagesPerSecond: sim.images / sim.seconds,
          accuracyAtT: sim.accuracyAt[T - 1],
          speedup: full.seconds / sim.seconds,
          accuracyDeltaPoints: 100 * (sim.accuracyAt[T - 1] - full.accuracyAt[T - 1]),
        });
    }
  }
  return rows;
}

export function exitBenchLine(r: ExitBenchRow): string {
  const rule = r.rule === 'confidence' ? `confidence (p=${DEFAULT_PATIENCE}, m=${DEFAULT_MARGIN})` : r.rule;
  return (
    `[exit] ${r.model} T=${r.T} ${rule}: ${r.meanSteps.toFixed(1)} steps/image (${(100 * (1 - r.meanSteps / r.T)).toFixed(1)}% fewer), ` +
    `${r.imagesPerSecond.toFixed(1)} images/s, ${r.speedup.toFixed(2)}× the speed without exit, ` +
    `accuracy at T ${(100 * r.accuracyAtT).toFixed(2)}% (${r.accuracyDeltaPoints >= 0 ? '+' : ''}${r.accuracyDeltaPoints.toFixed(2)} points; ${r.images} images)`
  );
}
