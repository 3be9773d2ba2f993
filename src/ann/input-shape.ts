import type { Dataset } from '../data/dataset.js';
import { GraphError, type Graph } from '../ir/graph.js';
import { formatShape } from '../tensor/tensor.js';

/** Fails with a message naming both shapes when the model cannot take the data set's images. */
export function checkInputShape(graph: Graph, data: Dataset): void {
  const expected = graph.input.shape.slice(1);
  const actual = data.sampleShape;
  const flatOk = expected.length === 1 && expected[0] === actual[0] * actual[1] * actual[2];
  const ok = expected.length === actual.length && expected.every((d, i) => d === null || d === actual[i]);
  if (!ok && !flatOk) {
    throw new GraphError(
      `model input '${graph.input.name}' has shape ${formatShape(graph.input.shape)} but data set '${data.name}' gives images of shape ${formatShape(['N', ...actual])}`,
    );
  }
}
