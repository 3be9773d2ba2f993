/**
 * Which spiking layer's counts a value carries: a Spike node's output, or a SpikeMaxPool of one (of a
 * SpikeMaxPool of one, …). The engines fold that Spike's θ into the next Conv/Dense and keep the value
 * as counts, since max pooling commutes with a positive per-channel scale.
 */
import { producerOf, type Graph, type SpikeNode } from './graph.js';

export function spikeSource(graph: Graph, value: string): SpikeNode | null {
  const node = producerOf(graph, value);
  if (node?.op === 'Spike') return node;
  if (node?.op === 'SpikeMaxPool') return spikeSource(graph, node.inputs[0]);
  return null;
}
