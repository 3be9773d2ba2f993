/**
 * Which MaxPool nodes of an ANN become exact spiking max pools (SpikeMaxPool, ir/graph.ts) and which
 * cannot convert. A MaxPool converts when
 *   - its windows tile the input: kernel = stride, no padding, and no partial window (ceil mode only
 *     where it adds none); overlapping windows would share accumulators, which the induction does not cover;
 *   - it reads the output of a Relu/Clip/QuantClip (a future Spike node) or of a MaxPool that converts: the
 *     pool then sees one layer's spike counts, whose θ commutes with the max.
 * A MaxPool before the first activation acts on the analog input and stays a MaxPool.
 */
import { producerOf, type Graph, type MaxPoolNode, type SpikeMaxPoolNode } from '../ir/graph.js';
import { isActivation } from '../ir/op-traits.js';
import { sampleShapes, windowOut } from '../ir/shapes.js';

export interface MaxPoolPlan {
  /** MaxPool name → its spiking form. */
  readonly spiking: ReadonlyMap<string, SpikeMaxPoolNode>;
  /** One line per MaxPool that cannot convert: `'name': why`. */
  readonly refused: readonly string[];
}

export function planMaxPools(ann: Graph, spikingValues: ReadonlySet<string>): MaxPoolPlan {
  let shapes: ReadonlyMap<string, readonly number[]> | null = null; // only ceil mode needs them
  const inputShape = (value: string) => (shapes ??= sampleShapes(ann)).get(value)!;
  const spiking = new Map<string, SpikeMaxPoolNode>();
  const refused: string[] = [];
  for (const node of ann.nodes) {
    if (node.op !== 'MaxPool' || !spikingValues.has(node.inputs[0])) continue;
    const why = tilingProblem(node, () => inputShape(node.inputs[0])) ?? inputProblem(ann, node, spiking);
    if (why) refused.push(`'${node.name}': ${why}`);
    else spiking.set(node.name, { op: 'SpikeMaxPool', name: node.name, inputs: node.inputs, output: node.output, kernel: node.kernel });
  }
  return { spiking, refused };
}

function tilingProblem(node: MaxPoolNode, inputShape: () => readonly number[]): string | null {
  const [kh, kw] = node.kernel;
  if (node.strides[0] !== kh || node.strides[1] !== kw) {
    return `overlapping or gapped windows (kernel ${kh}×${kw}, strides ${node.strides.join('×')}); only kernel = stride converts exactly`;
  }
  if (node.pads.some((p) => p !== 0)) return `padding [${node.pads.join(', ')}]; only unpadded max pooling converts exactly`;
  if (!node.ceilMode) return null;
  const input = inputShape();
  const partial = [0, 1].some(
    (a) => windowOut(input[a + 1], node.kernel[a], node.kernel[a], 0, 0, 1, node.ceilMode) !== Math.floor(input[a + 1] / node.kernel[a]),
  );
  if (partial) return `ceil mode makes partial windows on input ${input.join('×')}; only whole windows convert exactly`;
  return null;
}

function inputProblem(ann: Graph, node: MaxPoolNode, spiking: ReadonlyMap<string, SpikeMaxPoolNode>): string | null {
  const producer = producerOf(ann, node.inputs[0]);
  if ((producer !== undefined && isActivation(producer)) || (producer?.op === 'MaxPool' && spiking.has(producer.name))) return null;
  const after = producer ? `'${producer.name}' (${producer.op})` : `'${node.inputs[0]}'`;
  const hint =
    producer && (producer.op === 'Conv2d' || producer.op === 'Dense' || producer.op === 'BatchNorm')
      ? '; max pooling commutes with ReLU: move the MaxPool after the activation'
      : '';
  return `reads ${after}, not an activation's output: the exact spiking max pool needs the spike counts of one layer${hint}`;
}
