/**
 * Values computed from the input alone when it is constant in time (direct encoding): both engines
 * compute them once per batch. Nothing is static when the input changes in time.
 */
import type { Graph } from '../ir/graph.js';

export function findStaticValues(graph: Graph, constantInput: boolean): Set<string> {
  const values = new Set<string>();
  if (!constantInput) return values;
  values.add(graph.input.name);
  for (const n of graph.nodes) if (n.op !== 'Spike' && n.inputs.every((i) => values.has(i))) values.add(n.output);
  return values;
}
