/**
 * What every backend checks before it compiles: the graph is valid, holds no Spike node, and the
 * requested outputs are node outputs; and what it runs: only the nodes those outputs depend on.
 * Shared so that the backends refuse the same graphs with the same messages.
 */
import { nodesNeededFor, type Graph, type Node } from '../ir/graph.js';
import { inferShapes } from '../ir/shapes.js';
import { formatShape, type Tensor } from '../tensor/tensor.js';
import { BackendError } from './backend.js';

/** What a compiled graph runs: the requested values and the nodes they need. */
export interface NodesToRun {
  /** Requested values, duplicates removed, in request order. */
  readonly outputs: readonly string[];
  /** The nodes the outputs depend on, in topological order. */
  readonly nodes: readonly Node[];
}

/** Validates `graph` for `backend` and lists the nodes needed for `outputs` (default: the graph output). */
export function nodesToRun(backend: string, graph: Graph, requested?: readonly string[]): NodesToRun {
  const spike = graph.nodes.find((n) => n.op === 'Spike' || n.op === 'SpikeMaxPool');
  if (spike) {
    throw new BackendError(
      `${backend} backend: node '${spike.name}' is a ${spike.op === 'Spike' ? 'Spike layer' : 'spiking max pool'}; backends run only the linear pieces between spiking layers (the simulator runs Spike nodes)`,
    );
  }
  inferShapes(graph, 1); // throws a GraphError naming the node when the graph is inconsistent
  const outputs = [...new Set(requested ?? [graph.output])];
  if (outputs.length === 0) throw new BackendError(`${backend} backend: no outputs requested`);
  const producer = new Map(graph.nodes.map((n) => [n.output, n]));
  for (const name of outputs) {
    if (!producer.has(name)) {
      const why = name === graph.input.name ? 'is the graph input, not a node output' : 'is not produced by any node';
      throw new BackendError(`${backend} backend: requested output '${name}' ${why}`);
    }
  }
  return { outputs, nodes: nodesNeededFor(graph, outputs) };
}

/** Checks that `input` fits the graph input: same rank, same non-batch dimensions, batch ≥ 1. */
export function checkInput(backend: string, graph: Graph, input: Tensor): void {
  const want = graph.input.shape;
  const ok =
    input.shape.length === want.length && input.shape[0] >= 1 && want.every((d, i) => i === 0 || d === null || d === input.shape[i]);
  if (!ok) {
    throw new BackendError(
      `${backend} backend: input '${graph.input.name}' expects ${formatShape(want.map((d, i) => (i === 0 ? null : d)))}, got ${formatShape(input.shape)}`,
    );
  }
}
