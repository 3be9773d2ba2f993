/**
 * The exported SNN in a bare ONNX Runtime loop beside our `simulate`, measured in one run: cnn4
 * (trained on Fashion-MNIST where installed, random weights on bundled MNIST otherwise) at T = 32.
 * The `onnx-step` file runs as a client would run it (zero states, t = 0 … T − 1, `<state>_next` fed
 * back, batches of 50, `threads` intra-op threads); the `onnx` file runs once per batch.
 *   ratio = exported images/s / simulate images/s   (> 1: the export is faster)
 */
import * as ort from 'onnxruntime-node';
import { calibrate } from '../src/ann/calibrate.js';
import { loadAnn } from '../src/node/ann-file.js';
import { createOrtBackend } from '../src/backend/ort/ort-backend.js';
import { convertToSnn, defaultConversionOptions } from '../src/convert/index.js';
import type { Dataset } from '../src/data/dataset.js';
import { openDataset } from '../src/node/data/open-dataset.js';
import { exportSnn } from '../src/export/exporters.js';
import { simulate } from '../src/simulate/simulator.js';
import { fashionMnistOrNull } from './data.js';
import { cnn4 } from './models.js';

const T = 32;
const images = 200;
const batchSize = 50;

export async function benchOnnxExport(): Promise<Record<string, number | string>> {
  const threads = Number(process.env.BENCH_THREADS ?? 2);
  const fashion = fashionMnistOrNull();
  const data = fashion ?? openDataset('mnist', { split: 'test' });
  const ann = fashion ? await loadAnn('models/fmnist-cnn4-clip.onnx') : cnn4();
  const backend = createOrtBackend({ threads });
  const model = convertToSnn(ann, await calibrate(backend, ann, data, { limit: 100 }), defaultConversionOptions);
  const options = { intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential' as const };
  const step = await ort.InferenceSession.create(await exportSnn(model, 'onnx-step'), options);
  const loop = await ort.InferenceSession.create(await exportSnn(model, 'onnx', { T }), options);

  const stepSeconds = await timed(() => runStep(step, data));
  const loopSeconds = await timed(async () => {
    for (const batch of data.batches({ batchSize, limit: images })) await loop.run({ input: imageTensor(batch.x.data, batch.x.shape) });
  });
  const event = await simulate(backend, model.graph, data, { T, limit: images, batchSize, engine: 'event', threads });
  const dense = await simulate(backend, model.graph, data, { T, limit: images, batchSize, engine: 'dense', threads });
  await Promise.all([step.release(), loop.release()]);
  const rate = (seconds: number) => images / seconds;
  return {
    model: fashion ? 'cnn4 trained (Fashion-MNIST)' : 'cnn4 random weights (MNIST)',
    T,
    images,
    'onnx-step images/s': rate(stepSeconds),
    'onnx images/s': rate(loopSeconds),
    'simulate event images/s': rate(event.seconds),
    'simulate dense images/s': rate(dense.seconds),
    'onnx-step / simulate event': rate(stepSeconds) / rate(event.seconds),
    'onnx-step / simulate dense': rate(stepSeconds) / rate(dense.seconds),
    'onnx / simulate event': rate(loopSeconds) / rate(event.seconds),
  };
}

async function runStep(session: ort.InferenceSession, data: Dataset): Promise<void> {
  const states = session.inputMetadata.slice(2);
  for (const batch of data.batches({ batchSize, limit: images })) {
    const n = batch.labels.length;
    const feeds: Record<string, ort.Tensor> = { input: imageTensor(batch.x.data, batch.x.shape) };
    for (const s of states) {
      if (!s.isTensor) continue;
      const shape = s.shape.map((d) => (typeof d === 'number' ? d : n));
      const size = shape.reduce((a, b) => a * b, 1);
      feeds[s.name] = new ort.Tensor(s.type, s.type === 'float64' ? new Float64Array(size) : new Float32Array(size), shape);
    }
    for (let t = 0; t < T; t++) {
      feeds.t = new ort.Tensor('int64', BigInt64Array.of(BigInt(t)), []);
      const out = await session.run(feeds);
      for (const s of states) feeds[s.name] = out[`${s.name}_next`];
    }
  }
}

function imageTensor(data: Float32Array, shape: readonly number[]): ort.Tensor {
  return new ort.Tensor('float32', data, [...shape]);
}

async function timed(run: () => Promise<void>): Promise<number> {
  const started = performance.now();
  await run();
  return (performance.now() - started) / 1000;
}
