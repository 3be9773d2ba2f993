/**
 * Top-1 accuracy of an ANN over a data set: accuracy = (1/N) Σ_i [argmax f(x_i) = y_i].
 */
import type { Backend } from '../backend/backend.js';
import type { Dataset } from '../data/dataset.js';
import type { Graph } from '../ir/graph.js';
import { argmaxRows } from '../tensor/tensor.js';
import { checkInputShape, modelInput } from './input-shape.js';

export interface EvaluateOptions {
  readonly batchSize?: number;
  readonly limit?: number;
  readonly onProgress?: (done: number, total: number) => void;
}

export interface AnnEvaluation {
  readonly images: number;
  readonly correct: number;
  readonly accuracy: number;
  readonly seconds: number;
  readonly imagesPerSecond: number;
  readonly predictions: Int32Array;
}

export async function evaluateAnn(backend: Backend, graph: Graph, data: Dataset, options: EvaluateOptions = {}): Promise<AnnEvaluation> {
  checkInputShape(graph, data);
  const total = Math.min(options.limit ?? data.size, data.size);
  const compiled = await backend.compile(graph);
  const predictions = new Int32Array(total);
  let correct = 0;
  let images = 0;
  const started = performance.now();
  try {
    for (const batch of data.batches({ batchSize: options.batchSize ?? 100, limit: total })) {
      const logits = (await compiled.run(modelInput(graph, batch.x))).get(graph.output)!;
      const predicted = argmaxRows(logits);
      for (let i = 0; i < predicted.length; i++) {
        predictions[images + i] = predicted[i];
        if (predicted[i] === batch.labels[i]) correct++;
      }
      images += predicted.length;
      options.onProgress?.(images, total);
    }
  } finally {
    await compiled.dispose();
  }
  const seconds = (performance.now() - started) / 1000;
  return { images, correct, accuracy: images === 0 ? 0 : correct / images, seconds, imagesPerSecond: images / seconds, predictions };
}
