/**
 * `--precision int8` against f32: cnn4 (seeded random weights) converted with the default options
 * (calibrated on 200 bundled MNIST test images), simulated for T = 32 on 200 images at each
 * precision on the same threads, alternating runs, medians reported. Also f32 with the int8 path's
 * sub-batching alone (to separate the cache effect from the integer kernels), and the agreement of
 * the final predictions (cnn4's weights are random, so its accuracy is near chance: agreement is the
 * sharper measure of what quantization changes).
 *
 *   npx tsx bench/int8.ts            BENCH_THREADS (default 2), INT8_REPS (default 3)
 */
import { calibrate } from '../src/ann/calibrate.js';
import type { Backend } from '../src/backend/backend.js';
import { createOrtBackend, INT8_SUB_BATCH_BYTES, type OrtBackendOptions } from '../src/backend/ort/ort-backend.js';
import { convertToSnn, defaultConversionOptions } from '../src/convert/index.js';
import { openDataset } from '../src/data/index.js';
import type { Graph } from '../src/ir/graph.js';
import type { Dataset } from '../src/data/dataset.js';
import { simulate, type Probe } from '../src/simulate/index.js';
import { cnn4 } from './models.js';
import { median } from './stats.js';

export interface Int8BenchOptions {
  readonly threads?: number;
  readonly images?: number;
  readonly T?: number;
  readonly reps?: number;
}

interface Run {
  readonly seconds: number;
  readonly accuracy: number;
  readonly predictions: Int32Array;
}

export async function benchInt8(options: Int8BenchOptions = {}): Promise<Record<string, number | string>> {
  const threads = options.threads ?? Number(process.env.BENCH_THREADS ?? 2);
  const images = options.images ?? 200;
  const T = options.T ?? 32;
  const reps = options.reps ?? Number(process.env.INT8_REPS ?? 3);
  const data = openDataset('mnist', { split: 'test' });
  const f32 = createOrtBackend({ threads });
  const stats = await calibrate(f32, cnn4(), data, { limit: 200 });
  const snn = convertToSnn(cnn4(), stats, defaultConversionOptions).graph;

  const variants: Record<string, OrtBackendOptions> = {
    f32: { threads },
    int8: { threads, precision: 'int8' },
    f32Sub: { threads, subBatchBytes: INT8_SUB_BATCH_BYTES },
    int8x2: { threads, precision: 'int8x2' },
  };
  const runs: Record<string, Run[]> = {};
  for (let rep = 0; rep < reps; rep++) {
    for (const [name, backendOptions] of Object.entries(variants)) {
      (runs[name] ??= []).push(await simulateOnce(createOrtBackend(backendOptions), snn, data, images, T));
    }
  }
  const rate = (name: string) => images / median(runs[name].map((r) => r.seconds));
  const first = (name: string) => runs[name][0];
  const agreement = (a: Run, b: Run) => a.predictions.reduce((n, p, i) => n + (p === b.predictions[i] ? 1 : 0), 0) / a.predictions.length;
  return {
    threads,
    T,
    images,
    f32ImagesPerSecond: rate('f32'),
    int8ImagesPerSecond: rate('int8'),
    int8OverF32: rate('int8') / rate('f32'),
    f32SubBatchedImagesPerSecond: rate('f32Sub'),
    int8OverF32SubBatched: rate('int8') / rate('f32Sub'),
    int8x2ImagesPerSecond: rate('int8x2'),
    int8x2OverF32: rate('int8x2') / rate('f32'),
    f32Accuracy: first('f32').accuracy,
    int8Accuracy: first('int8').accuracy,
    int8AccuracyDeltaPoints: 100 * (first('int8').accuracy - first('f32').accuracy),
    int8x2AccuracyDeltaPoints: 100 * (first('int8x2').accuracy - first('f32').accuracy),
    int8PredictionAgreement: agreement(first('int8'), first('f32')),
    int8x2PredictionAgreement: agreement(first('int8x2'), first('f32')),
    // Control: f32 with sub-batched runs sums in another order; on random weights that alone flips some predictions.
    f32SubBatchedPredictionAgreement: agreement(first('f32Sub'), first('f32')),
  };
}

/** One timed simulation; a probe keeps each image's final prediction (argmax of the summed readout). */
async function simulateOnce(backend: Backend, snn: Graph, data: Dataset, images: number, T: number): Promise<Run> {
  const classes = 10;
  const sums = new Float64Array(images * classes);
  const probe: Probe = {
    onReadout(current, isStatic, chunk) {
      for (let t = 0; t < (isStatic ? chunk.steps : chunk.steps); t++) {
        const base = isStatic ? 0 : t * chunk.batch * classes;
        for (let i = 0; i < chunk.batch * classes; i++) sums[chunk.firstImage * classes + i] += current[base + i];
      }
    },
  };
  const result = await simulate(backend, snn, data, { T, limit: images, batchSize: 50, probes: [probe] });
  const predictions = new Int32Array(images);
  for (let i = 0; i < images; i++) {
    let best = 0;
    for (let k = 1; k < classes; k++) if (sums[i * classes + k] > sums[i * classes + best]) best = k;
    predictions[i] = best;
  }
  return { seconds: result.seconds, accuracy: result.accuracyAt[T - 1], predictions };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await benchInt8();
  for (const [k, v] of Object.entries(r)) console.log(`${k.padEnd(32)} ${typeof v === 'number' ? +v.toPrecision(4) : v}`);
}
