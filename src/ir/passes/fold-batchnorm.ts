/**
 * Pass: fold a BatchNorm into the Conv2d or Dense that feeds it. Per output channel o, with
 * k_o = γ_o / √(σ²_o + ε):
 *
 *   W'[o, …] = W[o, …] · k_o        b'_o = (b_o − μ_o) · k_o + β_o       (b = 0 when absent)
 *
 * Folded only when the BatchNorm's input is written by a Conv2d or Dense whose output nothing else
 * reads (and is not the graph output); the folded layer takes over the BatchNorm's node output name,
 * so consumers are untouched and the BatchNorm node disappears. Arithmetic is in float64, stored as
 * float32. Any other BatchNorm is left as it is, for a later stage to handle or refuse.
 */
import { tensor, type Tensor } from '../../tensor/tensor.js';
import { consumersOf, producerOf, type BatchNormNode, type Conv2dNode, type DenseNode, type Graph, type Node } from '../graph.js';
import { isLinear } from '../op-traits.js';

export function foldBatchNorm(graph: Graph): Graph {
  const dropped = new Set<string>();
  const replaced = new Map<string, Node>();
  for (const node of graph.nodes) {
    if (node.op !== 'BatchNorm') continue;
    const source = node.inputs[0];
    if (source === graph.output) continue;
    const producer = producerOf(graph, source);
    if (producer === undefined || !isLinear(producer)) continue;
    if (replaced.has(producer.name) || consumersOf(graph, source).length !== 1) continue;
    const folded = fold(producer, node);
    if (folded === undefined) continue;
    dropped.add(node.name);
    replaced.set(producer.name, folded);
  }
  if (dropped.size === 0) return graph;
  return {
    ...graph,
    nodes: graph.nodes.filter((n) => !dropped.has(n.name)).map((n) => replaced.get(n.name) ?? n),
  };
}

function fold<L extends Conv2dNode | DenseNode>(layer: L, bn: BatchNormNode): L | undefined {
  const channels = layer.weight.shape[0];
  const perChannel = [bn.scale, bn.bias, bn.mean, bn.variance];
  if (perChannel.some((t) => t.data.length !== channels)) return undefined;
  if (layer.bias !== null && layer.bias.data.length !== channels) return undefined;

  const factor = new Float64Array(channels);
  const bias = new Float32Array(channels);
  for (let o = 0; o < channels; o++) {
    factor[o] = bn.scale.data[o] / Math.sqrt(bn.variance.data[o] + bn.epsilon);
    const b = layer.bias === null ? 0 : layer.bias.data[o];
    bias[o] = (b - bn.mean.data[o]) * factor[o] + bn.bias.data[o];
  }
  return { ...layer, weight: scaleRows(layer.weight, factor), bias: tensor([channels], bias), output: bn.output };
}

/** Multiplies every slice along axis 0 by its factor. */
function scaleRows(weight: Tensor, factor: Float64Array): Tensor {
  const rows = weight.shape[0];
  const row = rows === 0 ? 0 : weight.data.length / rows;
  const out = new Float32Array(weight.data.length);
  for (let o = 0; o < rows; o++) {
    for (let i = o * row; i < (o + 1) * row; i++) out[i] = weight.data[i] * factor[o];
  }
  return tensor(weight.shape, out);
}
