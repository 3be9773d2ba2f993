/**
 * `--precision int8` against f32, on both engines, with the same threads:
 *   - speed: cnn4 (seeded random weights, converted with the default options after calibration on
 *     200 bundled MNIST test images), T = 32, alternating runs, medians; the event engine on 500
 *     images, the dense engine on 200 (it is ~4× slower);
 *   - accuracy: the trained Fashion-MNIST cnn4 (models/fmnist-cnn4-clip.onnx) on 1,000 test images
 *     at T = 32, int8 against f32 on the event engine. Skipped, with
 *     a message, when Fashion-MNIST is not installed.
 *
 *   npx tsx bench/int8.ts            BENCH_THREADS (default 2), INT8_REPS (default 3)
 */
import { calibrate } from '../src/ann/calibrate.js';
import { loadAnn } from '../src/node/ann-file.js';
import type { Backend, SpikePrecision } from '../src/backend/backend.js';
import { createOrtBackend } from '../src/backend/ort/ort-backend.js';
import { convertToSnn, defaultConversionOptions } from '../src/convert/index.js';
import type { Dataset } from '../src/data/dataset.js';
import { openDataset } from '../src/node/data/open-dataset.js';
import type { Graph } from '../src/ir/graph.js';
import { simulate, type SimulationEngine, type SimulationResult } from '../src/simulate/index.js';
import { fashionMnistOrNull } from './data.js';
import { cnn4 } from './models.js';
import { median } from './stats.js';

export interface Int8BenchOptions {
  readonly threads?: number;
  readonly T?: number;
  readonly reps?: number;
}

export async function benchInt8(options: Int8BenchOptions = {}): Promise<Record<string, number | string>> {
  const threads = options.threads ?? Number(process.env.BENCH_THREADS ?? 2);
  const T = options.T ?? 32;
  const reps = options.reps ?? Number(process.env.INT8_REPS ?? 3);
  const backend = createOrtBackend({ threads });
  const mnist = openDataset('mnist', { split: 'test' });
  const snn = convertToSnn(cnn4(), await calibrate(backend, cnn4(), mnist, { limit: 200 }), defaultConversionOptions).graph;
  const variants: Record<string, [SpikePrecision, SimulationEngine, number]> = {
    eventF32: ['f32', 'event', 500],
    eventInt8: ['int8', 'event', 500],
    denseF32: ['f32', 'dense', 200],
    denseInt8: ['int8', 'dense', 200],
    denseInt8x2: ['int8x2', 'dense', 200],
  };
  const seconds: Record<string, number[]> = {};
  for (let rep = 0; rep < reps; rep++) {
    for (const [name, [precision, engine, images]] of Object.entries(variants)) {
      const run = await simulate(backend, snn, mnist, { T, limit: images, batchSize: 50, engine, precision, threads });
      (seconds[name] ??= []).push(run.seconds / images);
    }
  }
  const perImage = (name: string) => median(seconds[name]);
  const result: Record<string, number | string> = {
    threads,
    T,
    eventF32ImagesPerSecond: 1 / perImage('eventF32'),
    eventInt8ImagesPerSecond: 1 / perImage('eventInt8'),
    eventInt8OverF32: perImage('eventF32') / perImage('eventInt8'),
    denseInt8OverF32: perImage('denseF32') / perImage('denseInt8'),
    denseInt8x2OverF32: perImage('denseF32') / perImage('denseInt8x2'),
    eventInt8OverDenseF32: perImage('denseF32') / perImage('eventInt8'),
  };
  const fashion = fashionMnistOrNull();
  if (fashion)
    Object.assign(result, await trainedAccuracy(await loadAnn('models/fmnist-cnn4-clip.onnx'), fashion, backend, threads, T, 1000));
  else result.trained = 'skipped: Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist)';
  return result;
}

/** int8 against f32 (event engine) on a trained model: accuracy at T, speed. */
async function trainedAccuracy(
  ann: Graph,
  data: Dataset,
  backend: Backend,
  threads: number,
  T: number,
  images: number,
): Promise<Record<string, number>> {
  const snn = convertToSnn(ann, await calibrate(backend, ann, data, { limit: 200 }), defaultConversionOptions).graph;
  const run = (precision: SpikePrecision): Promise<SimulationResult> =>
    simulate(backend, snn, data, { T, limit: images, precision, threads });
  const [a, b] = [await run('f32'), await run('int8')];
  return {
    trainedImages: a.images,
    trainedF32Accuracy: a.accuracyAt[T - 1],
    trainedInt8AccuracyDeltaPoints: 100 * (b.accuracyAt[T - 1] - a.accuracyAt[T - 1]),
    trainedInt8OverF32: a.seconds / b.seconds,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await benchInt8();
  for (const [k, v] of Object.entries(r)) console.log(`${k.padEnd(34)} ${typeof v === 'number' ? +v.toPrecision(4) : v}`);
}
