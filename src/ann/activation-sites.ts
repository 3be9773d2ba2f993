import { GraphError, producerOf, type Graph, type Node } from '../ir/graph.js';
import { isActivation } from '../ir/op-traits.js';

/**
 * The activation sites of an ANN: every Relu, Clip or QuantClip node. Each becomes one layer of spiking
 * neurons in the SNN, and its output is what calibration measures.
 */
export function activationSites(graph: Graph): Node[] {
  return graph.nodes.filter(isActivation);
}

/** The node that produces the class scores: the graph output, looking through a final Softmax. */
export function readoutNode(graph: Graph): Node {
  let node = producerOf(graph, graph.output);
  if (node?.op === 'Softmax') node = producerOf(graph, node.inputs[0]);
  if (!node) throw new GraphError(`graph output '${graph.output}' has no producing node`);
  return node;
}

/** Activation sites plus the readout: everything calibration records. */
export function calibrationSites(graph: Graph): Node[] {
  const readout = readoutNode(graph);
  const sites = activationSites(graph);
  return sites.includes(readout) ? sites : [...sites, readout];
}
