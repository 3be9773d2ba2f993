/**
 * What NIR cannot express, refused before anything is written (NirExportError naming the node):
 * ops without a NIR node (MaxPool, Pad, BatchNorm, Reshape, …), asymmetric padding, non-square
 * kernels (the `nir` reader takes both sides of a Conv2d kernel from weight.shape[2]), average
 * pooling that is not a sum times 1/k² (padding not counted, partial ceil-mode windows), burst
 * neurons (γ > 1: an IF emits one spike per step), neuron kinds without a NIR form (the kind says why),
 * and exact spiking max pooling (SpikeMaxPool: NIR has no node with an accumulator state that
 * inhibits its window).
 */
import type { SnnModel } from '../../model/snn-model.js';
import type { Node } from '../../ir/graph.js';
import { sampleShapes } from '../../ir/shapes.js';
import { neuronUnsupported } from '../../neurons/index.js';
import { NirExportError } from './nir-graph.js';

export function checkNirExportable(model: SnnModel): void {
  const graph = model.graph;
  const rank = graph.input.shape.length;
  if (rank !== 4 && rank !== 2) throw new NirExportError(`input '${graph.input.name}': NIR Input takes (C, H, W) or (N); got rank ${rank}`);
  // Node by node before any shape inference, so the refusal names the node NIR cannot express.
  let shapes: Map<string, readonly number[]> | null = null;
  const shapeOf = (value: string): readonly number[] => (shapes ??= sampleShapes(graph)).get(value)!;
  for (const node of graph.nodes) checkNode(node, shapeOf);
  shapeOf(graph.output);
}

function checkNode(node: Node, shapeOf: (value: string) => readonly number[]): void {
  const refuse = (why: string): never => {
    throw new NirExportError(why, node.name);
  };
  switch (node.op) {
    case 'Conv2d': {
      const [, , kh, kw] = node.weight.shape;
      if (kh !== kw) refuse(`${kh}×${kw} kernel: NIR readers take both kernel sides from the first (square kernels only)`);
      checkSymmetric(node.pads, refuse);
      return;
    }
    case 'Dense':
    case 'Add':
    case 'GlobalAvgPool':
      return;
    case 'AvgPool': {
      checkSymmetric(node.pads, refuse);
      const padded = node.pads.some((p) => p !== 0);
      if (padded && !node.countIncludePad) refuse('padded average pooling that does not count the padding is not a SumPool2d times 1/k²');
      if (node.ceilMode) {
        const inputShape = shapeOf(node.inputs[0]);
        const partial = [0, 1].some((a) => (inputShape[a + 1] + node.pads[a] + node.pads[a + 2] - node.kernel[a]) % node.strides[a] !== 0);
        if (partial) refuse('ceil-mode pooling with partial windows has no NIR equivalent');
      }
      return;
    }
    case 'Flatten':
      if (node.axis !== 1) refuse(`Flatten(axis=${node.axis}): only axis 1 maps to NIR Flatten(start_dim 0, end_dim −1)`);
      return;
    case 'Reshape':
      // [0, −1] or [−1, F]: (N, everything else), a flatten for every batch size.
      if (node.shape.length !== 2 || (node.shape[0] !== 0 && node.shape[0] !== -1))
        refuse(`Reshape to [${node.shape.join(', ')}]: only flattening to (N, features) maps to NIR Flatten`);
      return;
    case 'Concat':
      if (node.axis !== 1)
        refuse(`Concat(axis=${node.axis}): only channel concatenation (axis 1) can be split into the next layer's weights`);
      return;
    case 'Spike': {
      const unsupported = neuronUnsupported(node.neuron, 'nir');
      if (unsupported !== null) refuse(unsupported);
      if (node.maxSpikesPerStep !== 1) refuse(`burst neuron (γ = ${node.maxSpikesPerStep}): NIR IF emits at most one spike per step`);
      return;
    }
    case 'MaxPool':
      return refuse('MaxPool has no exact spiking form and no NIR node');
    case 'SpikeMaxPool':
      return refuse(
        'exact spiking max pooling (SpikeMaxPool: accumulators that inhibit their window) has no NIR node; export to onnx or onnx-step, or use AvgPool',
      );
    case 'Pad':
      return refuse('Pad has no NIR node (fold it into the next Conv2d: ann2snn folds zero padding on import)');
    default:
      return refuse(`${node.op} has no NIR node`);
  }
}

function checkSymmetric(pads: readonly number[], refuse: (why: string) => never): void {
  if (pads[0] !== pads[2] || pads[1] !== pads[3]) {
    refuse(`asymmetric padding [${pads.join(', ')}] (top, left, bottom, right): NIR padding is one value per axis`);
  }
}
