/**
 * An SNN graph rewritten into NIR's conventions, exactly (up to float rounding):
 *   - every Spike gets θ = 1 and v(0) = 0: its incoming current is divided by θ_L (per channel) and
 *     its outgoing x = θ_S·s multiplied into the readers, so spikes stay binary. An identity path
 *     between two spiking layers (a residual shortcut) becomes a diagonal 1×1 Conv2d θ_S/θ_L;
 *   - a flattening Reshape becomes a Flatten;
 *   - every AvgPool/GlobalAvgPool becomes a sum over its window (flagged in `sumPools`, GlobalAvgPool
 *     as a window over the whole map) with 1/k² multiplied into the readers.
 * The readout keeps its scale only up to a positive factor (argmax over time sums is unchanged).
 */
import type { SnnModel } from '../../model/snn-model.js';
import type { AvgPoolNode, Graph, Node, SpikeNode } from '../../ir/graph.js';
import { tensor } from '../../tensor/tensor.js';
import { graphOf, netOf, perChannel, scaleReaders, scaleValue } from './scale-values.js';

export interface NirReadyGraph {
  readonly graph: Graph;
  /** AvgPool nodes that stand for sums over their window. */
  readonly sumPools: ReadonlySet<string>;
}

export function normalizeForNir(model: SnnModel): NirReadyGraph {
  const net = netOf(model.graph, [model.graph.output]);
  // A Reshape that check-exportable let through flattens each sample: it is a Flatten.
  net.nodes = net.nodes.map((n): Node =>
    n.op === 'Reshape' ? { op: 'Flatten', name: n.name, inputs: n.inputs, output: n.output, axis: 1 } : n,
  );
  const spikes = net.nodes.filter((n): n is SpikeNode => n.op === 'Spike');
  for (const s of spikes)
    scaleReaders(
      net,
      s.output,
      perChannel(s.threshold.data, net.shapes.get(s.output)!, (t) => t),
    );
  for (const s of spikes) {
    const now = net.nodes.find((n) => n.name === s.name) as SpikeNode;
    scaleValue(
      net,
      now.inputs[0],
      perChannel(s.threshold.data, net.shapes.get(s.output)!, (t) => 1 / t),
      now,
    );
  }
  net.nodes = net.nodes.map((n) => (n.op === 'Spike' ? { ...n, threshold: tensor([1], [1]), initialPotential: tensor([1], [0]) } : n));
  const sumPools = new Set<string>();
  for (const pool of net.nodes.filter((n) => n.op === 'AvgPool' || n.op === 'GlobalAvgPool')) {
    const [, h, w] = net.shapes.get(pool.inputs[0])!;
    const sum: AvgPoolNode =
      pool.op === 'AvgPool'
        ? pool
        : { ...pool, op: 'AvgPool', kernel: [h, w], strides: [h, w], pads: [0, 0, 0, 0], ceilMode: false, countIncludePad: true };
    net.nodes[net.nodes.indexOf(pool)] = sum;
    sumPools.add(sum.name);
    const c = net.shapes.get(pool.output)![0];
    scaleReaders(net, sum.output, new Float64Array(c).fill(1 / (sum.kernel[0] * sum.kernel[1])));
  }
  return { graph: graphOf(net), sumPools };
}
