/** Synthetic images labelled by the ANN itself, so the ANN is 100% accurate on them. */
import { evaluateAnn } from '../../src/ann/evaluate.js';
import type { Backend } from '../../src/backend/backend.js';
import type { InMemoryDataset } from '../../src/data/in-memory-dataset.js';
import type { Graph } from '../../src/ir/graph.js';
import { syntheticImages } from './synthetic-data.js';

export async function labelledByAnn(
  backend: Backend,
  graph: Graph,
  count: number,
  shape: readonly [number, number, number],
): Promise<InMemoryDataset> {
  const { predictions } = await evaluateAnn(backend, graph, syntheticImages(count, shape));
  return syntheticImages(count, shape, 5, 10, Uint8Array.from(predictions));
}
