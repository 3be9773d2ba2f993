/**
 * int8 against f32 accuracy on every bench model, on the event engine: one simulation of T = 128 per
 * precision gives the accuracy at every t ≤ 128 (prediction(t) depends only on steps ≤ t), read at
 * T = 32 and 128; the speed ratio is f32 seconds / int8 seconds of those runs (same threads).
 *   - cnn4, VGG-style, ResNet-20 with seeded random weights (bench/models.ts) on bundled MNIST
 *     (500 images) and random 32×32×3 images (100);
 *   - the trained Fashion-MNIST cnn4 (models/fmnist-cnn4-clip.onnx, deng-gu) and the ReLU CNN of the
 *     PyTorch exports (models/pytorch/fmnist-relu-cnn.onnx, max-norm) on 2,000 test images
 *     (skipped, with a message, when Fashion-MNIST is not installed).
 * Every model is calibrated on 200 images of its data.
 *
 *   npx tsx bench/int8-accuracy.ts [name …]     BENCH_THREADS (default 2), INT8_IMAGES (overrides the counts)
 */
import { calibrate } from '../src/ann/calibrate.js';
import { loadAnn } from '../src/node/ann-file.js';
import { createOrtBackend } from '../src/backend/ort/ort-backend.js';
import { convertToSnn, defaultConversionOptions } from '../src/convert/index.js';
import type { ConversionOptions } from '../src/model/snn-model.js';
import type { Dataset } from '../src/data/dataset.js';
import { openDataset } from '../src/node/data/open-dataset.js';
import type { Graph } from '../src/ir/graph.js';
import { simulate } from '../src/simulate/index.js';
import { fashionMnistOrNull, randomColourImages } from './data.js';
import { cnn4, resnet20, vggSmall } from './models.js';

export interface Int8AccuracyRow {
  readonly model: string;
  readonly images: number;
  readonly T: number;
  readonly f32Accuracy: number;
  readonly int8Accuracy: number;
  /** 100 · (int8 − f32) accuracy. */
  readonly deltaPoints: number;
  /** f32 seconds / int8 seconds (of the whole T = 128 runs). */
  readonly int8OverF32: number;
}

interface BenchModel {
  readonly name: string;
  readonly graph: () => Promise<Graph>;
  readonly data: () => Dataset | null;
  readonly images: number;
  readonly options: ConversionOptions;
}

const maxNormOptions: ConversionOptions = { ...defaultConversionOptions, strategy: 'max-norm' };

export const int8BenchModels: readonly BenchModel[] = [
  {
    name: 'cnn4',
    graph: async () => cnn4(),
    data: () => openDataset('mnist', { split: 'test' }),
    images: 500,
    options: defaultConversionOptions,
  },
  { name: 'vgg-small', graph: async () => vggSmall(), data: () => randomColourImages(100), images: 100, options: defaultConversionOptions },
  { name: 'resnet20', graph: async () => resnet20(), data: () => randomColourImages(100), images: 100, options: defaultConversionOptions },
  {
    name: 'fmnist-cnn4-clip',
    graph: () => loadAnn('models/fmnist-cnn4-clip.onnx'),
    data: fashionMnistOrNull,
    images: 2000,
    options: defaultConversionOptions,
  },
  {
    name: 'fmnist-relu-cnn-max-norm',
    graph: () => loadAnn('models/pytorch/fmnist-relu-cnn.onnx'),
    data: fashionMnistOrNull,
    images: 2000,
    options: maxNormOptions,
  },
];

export async function benchInt8Accuracy(
  names: readonly string[] = [],
  threads = Number(process.env.BENCH_THREADS ?? 2),
): Promise<Int8AccuracyRow[]> {
  const backend = createOrtBackend({ threads });
  const rows: Int8AccuracyRow[] = [];
  const T = 128;
  for (const m of int8BenchModels) {
    if (names.length > 0 && !names.includes(m.name)) continue;
    const data = m.data();
    if (!data) {
      console.log(`[int8-accuracy] ${m.name}: skipped, Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist)`);
      continue;
    }
    const ann = await m.graph();
    const snn = convertToSnn(ann, await calibrate(backend, ann, data, { limit: 200 }), m.options).graph;
    const limit = Number(process.env.INT8_IMAGES ?? m.images);
    const run = (precision: 'f32' | 'int8') =>
      simulate(backend, snn, data, { T, limit, engine: 'event', precision, threads, batchSize: 50 });
    const f32 = await run('f32');
    const int8 = await run('int8');
    for (const t of [32, 128]) {
      const row: Int8AccuracyRow = {
        model: m.name,
        images: f32.images,
        T: t,
        f32Accuracy: f32.accuracyAt[t - 1],
        int8Accuracy: int8.accuracyAt[t - 1],
        deltaPoints: 100 * (int8.accuracyAt[t - 1] - f32.accuracyAt[t - 1]),
        int8OverF32: f32.seconds / int8.seconds,
      };
      rows.push(row);
      console.log(
        `[int8-accuracy] ${row.model} T=${t} (${row.images} images): f32 ${(100 * row.f32Accuracy).toFixed(2)} %, int8 ${(100 * row.int8Accuracy).toFixed(2)} %, ` +
          `Δ ${row.deltaPoints >= 0 ? '+' : ''}${row.deltaPoints.toFixed(2)} points, int8/f32 speed ${row.int8OverF32.toFixed(2)}×`,
      );
    }
  }
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) await benchInt8Accuracy(process.argv.slice(2));
