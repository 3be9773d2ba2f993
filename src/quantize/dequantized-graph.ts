/**
 * The int8 rewrite of a graph, as its oracle: the same f32 graph with the selected Conv2d/Dense
 * weights W replaced by dequantize(quantize(W)). Approximate (|W − W̃| ≤ scale/2), so not an exact
 * graph pass. Integer accumulation of u8 × s8 is exact, so the ORT backend's int8 segments equal the
 * reference backend on this graph up to f32 rounding.
 */
import { GraphError, type Conv2dNode, type DenseNode, type Graph, type Node } from '../ir/graph.js';
import { dequantizeWeight, quantizeWeight, type WeightPrecision } from './quantize-weights.js';
import { isLinear } from '../ir/op-traits.js';

export interface DequantizeOptions {
  readonly precision?: WeightPrecision;
  /** Names of the Conv2d/Dense nodes to quantize; default: every Conv2d and Dense. */
  readonly nodes?: readonly string[];
}

/** The graph with the selected Conv2d/Dense weights replaced by their dequantized values (biases stay f32). */
export function dequantizedGraph(graph: Graph, options: DequantizeOptions = {}): Graph {
  const selected = options.nodes ? new Set(options.nodes) : null;
  if (selected) {
    for (const name of selected) {
      const node = graph.nodes.find((n) => n.name === name);
      if (!node) throw new GraphError(`dequantizedGraph: no node named '${name}'`);
      if (!isLinear(node)) throw new GraphError(`dequantizedGraph: '${name}' is a ${node.op}, not a Conv2d or Dense`);
    }
  }
  const nodes = graph.nodes.map((n): Node => {
    if (!isLinear(n) || (selected && !selected.has(n.name))) return n;
    const weight = dequantizeWeight(quantizeWeight(n.weight, options.precision));
    return n.op === 'Conv2d' ? ({ ...n, weight } satisfies Conv2dNode) : ({ ...n, weight } satisfies DenseNode);
  });
  return { ...graph, nodes };
}
