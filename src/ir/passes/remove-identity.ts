/**
 * Pass: drop Identity and Dropout nodes (both are y = x at inference).
 *
 * Contract: the result computes the same graph output for every input. Every consumer of an
 * identity's output reads the identity's input instead. When an identity writes `graph.output`,
 * the output name is kept: the value feeding the identity is renamed to it (its producer writes
 * `graph.output` directly). The one identity that cannot go is one wiring the graph input straight
 * to the graph output; it stays so that the output is still produced by a node.
 */
import type { Graph, Node } from '../graph.js';

export function removeIdentity(graph: Graph): Graph {
  const alias = new Map<string, string>();
  const resolve = (name: string): string => {
    let current = name;
    for (let next = alias.get(current); next !== undefined; next = alias.get(current)) current = next;
    return current;
  };

  const kept: Node[] = [];
  let renameFrom: string | undefined;
  for (const node of graph.nodes) {
    const inputs = node.inputs.map(resolve);
    if (node.op === 'Identity' || node.op === 'Dropout') {
      const source = inputs[0];
      if (node.output !== graph.output) {
        alias.set(node.output, source);
        continue;
      }
      if (source === graph.input.name) {
        kept.push({ ...node, inputs });
        continue;
      }
      // The identity writes the graph output: its source value takes the output name instead.
      renameFrom = source;
      alias.set(node.output, source);
      continue;
    }
    kept.push({ ...node, inputs });
  }

  if (renameFrom === undefined) return { ...graph, nodes: kept };
  const from = renameFrom;
  const to = graph.output;
  const rename = (name: string): string => (name === from ? to : name);
  return {
    ...graph,
    nodes: kept.map((node) => ({ ...node, inputs: node.inputs.map(rename), output: rename(node.output) })),
  };
}
