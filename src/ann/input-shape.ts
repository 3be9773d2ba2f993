import type { Dataset } from '../data/dataset.js';
import { GraphError, type Graph } from '../ir/graph.js';
import { formatShape, reshape, sizeOf, type Tensor } from '../tensor/tensor.js';

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

/** A batch of images as the model takes it: [N, C·H·W] for a model with a flat input (checkInputShape allows it), else as is. */
export function modelInput(graph: Graph, x: Tensor): Tensor {
  return graph.input.shape.length === 2 ? reshape(x, [x.shape[0], sizeOf(x.shape.slice(1))]) : x;
}
