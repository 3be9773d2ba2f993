/**
 * A PyTorch VGG export whose last AvgPool2d(2) pools a 7×7 map in floor mode
 * (models/pytorch/fmnist-clip-vgg-floorpool.onnx): which engine `auto` picks, and the event engine
 * against the dense engine on it (before the event engine lowered floor-mode pools, `auto` fell back
 * to the dense engine), converted with the default options after calibration on 200 images:
 * Fashion-MNIST test images when installed, else the bundled MNIST digits (speed only). T = 32 and
 * 128, alternating runs, medians; the event engine on 300 images, the dense engine on 100. Beside
 * wall time, the process's CPU time per image (all threads: the event engine's workers, ONNX
 * Runtime's): the work each engine does, which a busy shared machine distorts less.
 *
 *   npx tsx bench/pools.ts           BENCH_THREADS (default 2), POOLS_REPS (default 3)
 */
import { calibrate } from '../src/ann/calibrate.js';
import { loadAnn } from '../src/node/ann-file.js';
import { createOrtBackend } from '../src/backend/ort/ort-backend.js';
import { convertToSnn, defaultConversionOptions } from '../src/convert/index.js';
import { openDataset } from '../src/node/data/open-dataset.js';
import { simulate, type SimulationEngine } from '../src/simulate/index.js';
import { fashionMnistOrNull } from './data.js';
import { median } from './stats.js';

export const FLOOR_POOL_VGG = 'models/pytorch/fmnist-clip-vgg-floorpool.onnx';

export async function benchPools(): Promise<Record<string, number | string>> {
  const threads = Number(process.env.BENCH_THREADS ?? 2);
  const reps = Number(process.env.POOLS_REPS ?? 3);
  const backend = createOrtBackend({ threads });
  const fashion = fashionMnistOrNull();
  const data = fashion ?? openDataset('mnist', { split: 'test' });
  const ann = await loadAnn(FLOOR_POOL_VGG);
  const snn = convertToSnn(ann, await calibrate(backend, ann, data, { limit: 200 }), defaultConversionOptions).graph;
  const auto = await simulate(backend, snn, data, { T: 4, limit: 10, threads });
  const result: Record<string, number | string> = {
    model: FLOOR_POOL_VGG,
    data: data.name,
    threads,
    autoEngine: auto.engine,
    autoNote: auto.engineNote ?? 'none',
  };
  const plans: Record<SimulationEngine, number> = { event: 300, dense: 100 };
  for (const T of [32, 128]) {
    const seconds: Record<string, number[]> = {};
    const cpu: Record<string, number[]> = {};
    const accuracy: Record<string, number> = {};
    for (let rep = 0; rep < reps; rep++) {
      for (const [engine, images] of Object.entries(plans) as [SimulationEngine, number][]) {
        const before = process.cpuUsage();
        const run = await simulate(backend, snn, data, { T, limit: images, batchSize: 50, engine, threads });
        const used = process.cpuUsage(before);
        (seconds[engine] ??= []).push(run.seconds / images);
        (cpu[engine] ??= []).push((used.user + used.system) / 1000 / images);
        accuracy[`${engine}Accuracy${images}ImagesT${T}`] = run.accuracyAt[T - 1];
        accuracy[`meanRateT${T}`] = run.layers.reduce((sum, l) => sum + l.rate, 0) / run.layers.length;
      }
    }
    result[`eventImagesPerSecondT${T}`] = 1 / median(seconds.event);
    result[`denseImagesPerSecondT${T}`] = 1 / median(seconds.dense);
    result[`eventOverDenseT${T}`] = median(seconds.dense) / median(seconds.event);
    result[`eventCpuMsPerImageT${T}`] = median(cpu.event);
    result[`denseCpuMsPerImageT${T}`] = median(cpu.dense);
    result[`eventOverDenseCpuT${T}`] = median(cpu.dense) / median(cpu.event);
    Object.assign(result, accuracy);
  }
  return result;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await benchPools();
  for (const [k, v] of Object.entries(r)) console.log(`${k.padEnd(34)} ${typeof v === 'number' ? +v.toPrecision(4) : v}`);
}
