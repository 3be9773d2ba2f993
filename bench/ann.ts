/**
 * ANN inference: images/s on ort and reference, and the cost of our ort wrapper against a bare
 * onnxruntime session on the same ONNX bytes (same threads, same batches).
 */
import * as ort from 'onnxruntime-node';
import { evaluateAnn } from '../src/ann/evaluate.js';
import { createOrtBackend } from '../src/backend/ort/ort-backend.js';
import { createOrtSession } from '../src/backend/ort/session.js';
import { referenceBackend } from '../src/backend/reference/reference-backend.js';
import type { Dataset } from '../src/data/dataset.js';
import type { Graph } from '../src/ir/graph.js';
import { graphToOnnx } from '../src/onnx/export-graph.js';
import { median } from './stats.js';

export async function benchAnn(graph: Graph, data: Dataset, threads: number, images: number): Promise<Record<string, number>> {
  const backend = createOrtBackend({ threads });
  const ours: number[] = [];
  const bare: number[] = [];
  for (let rep = 0; rep < 5; rep++) {
    ours.push((await evaluateAnn(backend, graph, data, { limit: images, batchSize: 100 })).seconds);
    bare.push(await bareSessionSeconds(graph, data, threads, images));
  }
  const reference = await evaluateAnn(referenceBackend, graph, data, { limit: Math.min(images, 100), batchSize: 50 });
  return {
    ortImagesPerSecond: images / median(ours),
    referenceImagesPerSecond: reference.imagesPerSecond,
    ortOverBareOrt: median(ours) / median(bare),
  };
}

/** The same inference with nothing of ours in the loop but reading the batches. */
async function bareSessionSeconds(graph: Graph, data: Dataset, threads: number, images: number): Promise<number> {
  const session = await createOrtSession(graphToOnnx(graph), threads);
  const batches = [...data.batches({ batchSize: 100, limit: images })];
  const started = performance.now();
  for (const b of batches) await session.run({ [graph.input.name]: new ort.Tensor('float32', b.x.data, b.x.shape) });
  const seconds = (performance.now() - started) / 1000;
  await session.release();
  return seconds;
}
