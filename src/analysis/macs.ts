/**
 * Per-node cost of one ANN inference (one image):
 *   Conv2d:  MACs = |output| · (C_in/groups) · kh · kw        Dense: MACs = |output| · inputs
 * Other nodes cost no multiply-accumulates in this convention (pooling and adds are counted by
 * the field as negligible beside the synapses).
 */
import { parameterCount, type Graph, type Node } from '../ir/graph.js';
import { fanIn, isLinear } from '../ir/op-traits.js';
import { sampleShapes } from '../ir/shapes.js';
import { sizeOf } from '../tensor/tensor.js';

export interface NodeCost {
  readonly node: string;
  readonly op: Node['op'];
  readonly outputShape: readonly number[];
  readonly parameters: number;
  readonly macs: number;
  /** Outgoing synapses per input unit, averaged: MACs / |input| (the fan-out used for SNN synops). */
  readonly fanOut: number;
}

export function nodeCosts(graph: Graph): NodeCost[] {
  const shapes = sampleShapes(graph);
  return graph.nodes.map((node) => {
    const outputShape = shapes.get(node.output)!;
    const macs = macsOf(node, sizeOf(outputShape));
    const inputUnits = sizeOf(shapes.get(node.inputs[0]) ?? [0]);
    return {
      node: node.name,
      op: node.op,
      outputShape,
      parameters: parameterCount(node),
      macs,
      fanOut: inputUnits > 0 ? macs / inputUnits : 0,
    };
  });
}

/** Linear ops (ir/op-traits.ts) cost |output| · fan-in; every other op none. */
function macsOf(node: Node, outputUnits: number): number {
  return isLinear(node) ? outputUnits * fanIn(node) : 0;
}

export function totalMacs(graph: Graph): number {
  return nodeCosts(graph).reduce((s, c) => s + c.macs, 0);
}
