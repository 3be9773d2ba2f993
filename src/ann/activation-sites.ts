import type { Graph, Node } from '../ir/graph.js';

/**
 * The activation sites of an ANN: every Relu or Clip node. Each becomes one layer of spiking
 * neurons in the SNN, and its output is what calibration measures.
 */
export function activationSites(graph: Graph): Node[] {
  return graph.nodes.filter((n) => n.op === 'Relu' || n.op === 'Clip');
}
