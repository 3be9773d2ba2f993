/**
 * Pass: fold an explicit Pad node into the window of the one node that reads it.
 *
 * Exact rewrites only (x: the Pad's input, p = [top, left, bottom, right] ≥ 0, q: the consumer's
 * own pads):
 *
 *   Pad(x, p, 0)    → Conv2d(q)                       ≡ Conv2d(x, q + p)      (conv pads are zeros)
 *   Pad(x, p, 0)    → AvgPool(q, countIncludePad)     ≡ AvgPool(x, q + p, countIncludePad)
 *   Pad(x, p, 0)    → AvgPool(q = 0, !countIncludePad) ≡ AvgPool(x, p, countIncludePad = true)
 *   Pad(x, p, −∞)   → MaxPool(q)                      ≡ MaxPool(x, q + p)     (pool pads are −∞)
 *
 * The third line: without pads of its own, every window of the pool lies inside the explicitly
 * padded tensor, so its divisor is always kh·kw — which is what countIncludePad = true gives once the
 * zeros become pool padding. With pads of its own (q ≠ 0) the divisors of border windows would
 * change, so that case is left alone. A Pad with any other value (say 0 before a MaxPool) is kept.
 *
 * With ceilMode the last window's existence depends on size + padBefore, so moving bottom/right
 * padding from the tensor into the pool could drop a window: with ceilMode only Pads whose bottom
 * and right are 0 are folded, and the countIncludePad = false case is folded only without ceilMode.
 *
 * Pools keep every pad smaller than the kernel in its dimension (ONNX Runtime and the reference
 * backend refuse larger ones): a fold that would exceed it is not made.
 *
 * The Pad must have exactly one consumer and must not be the graph output.
 */
import { consumersOf, type Graph, type Node, type Pads2d, type PadNode } from '../graph.js';

export function foldPad(graph: Graph): Graph {
  const dropped = new Set<string>();
  const replaced = new Map<string, Node>();
  for (const node of graph.nodes) {
    if (node.op !== 'Pad' || node.output === graph.output) continue;
    const consumers = consumersOf(graph, node.output);
    if (consumers.length !== 1 || replaced.has(consumers[0].name)) continue;
    const folded = foldInto(node, consumers[0]);
    if (folded === undefined) continue;
    dropped.add(node.name);
    replaced.set(folded.name, folded);
  }
  if (dropped.size === 0) return graph;
  return {
    ...graph,
    nodes: graph.nodes.filter((n) => !dropped.has(n.name)).map((n) => replaced.get(n.name) ?? n),
  };
}

function addPads(a: Pads2d, b: Pads2d): Pads2d {
  return [a[0] + b[0], a[1] + b[1], a[2] + b[2], a[3] + b[3]];
}

/** Pool pads must stay smaller than the kernel: [top, left, bottom, right] against [kh, kw]. */
function fitsKernel(pads: Pads2d, kernel: readonly [number, number]): boolean {
  return pads[0] < kernel[0] && pads[2] < kernel[0] && pads[1] < kernel[1] && pads[3] < kernel[1];
}

function foldInto(pad: PadNode, consumer: Node): Node | undefined {
  if (pad.pads.some((p) => !Number.isInteger(p) || p < 0)) return undefined;
  if (consumer.inputs.length !== 1 || consumer.inputs[0] !== pad.output) return undefined;
  const input = pad.inputs[0];
  const tailFree = pad.pads[2] === 0 && pad.pads[3] === 0;
  switch (consumer.op) {
    case 'Conv2d':
      if (pad.value !== 0) return undefined;
      return { ...consumer, inputs: [input], pads: addPads(consumer.pads, pad.pads) };
    case 'MaxPool': {
      const pads = addPads(consumer.pads, pad.pads);
      if (pad.value !== -Infinity || (consumer.ceilMode && !tailFree) || !fitsKernel(pads, consumer.kernel)) return undefined;
      return { ...consumer, inputs: [input], pads };
    }
    case 'AvgPool': {
      const pads = addPads(consumer.pads, pad.pads);
      if (pad.value !== 0 || (consumer.ceilMode && !tailFree) || !fitsKernel(pads, consumer.kernel)) return undefined;
      if (consumer.countIncludePad) return { ...consumer, inputs: [input], pads };
      if (consumer.ceilMode || consumer.pads.some((p) => p !== 0)) return undefined;
      return { ...consumer, inputs: [input], pads, countIncludePad: true };
    }
    default:
      return undefined;
  }
}
