/**
 * Keeping spikes as counts (0/1, 0..γ for bursts): the next layer receives x = θ·s, and W(θ·s) = (W·θ)s, so θ moves into the
 * weights of the first linear op (Conv2d/Dense) after the spiking layer. Linear, channel-preserving
 * ops in between (average pools, zero Pad, shape-only ops) commute with the scaling; a flattening
 * op maps channel c to the features c·H·W … (c+1)·H·W − 1 (op kinds: ir/op-traits.ts). Returns null where the chain does not allow folding (the simulator then
 * scales the spikes itself). `scaleInputs` is the fold itself, shared with the event lowering.
 */
import type { Conv2dNode, DenseNode, Node } from '../ir/graph.js';
import { isLinear, OP_TRAITS } from '../ir/op-traits.js';
import { sizeOf, tensor } from '../tensor/tensor.js';
import { windowOut } from '../ir/shapes.js';

export function foldThreshold(nodes: readonly Node[], theta: Float32Array, inputShape: readonly number[]): Node[] | null {
  let perChannel = theta.length === 1 ? null : theta;
  let shape = inputShape;
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i];
    if (isLinear(node)) {
      const amplitude = perChannel;
      return [...nodes.slice(0, i), scaleInputs(node, amplitude ? (j) => amplitude[j] : () => theta[0]), ...nodes.slice(i + 1)];
    }
    switch (OP_TRAITS[node.op].kind) {
      case 'average-pool':
        break;
      case 'pad':
        if (node.op === 'Pad' && node.value !== 0) return null;
        break;
      case 'shape':
        if (OP_TRAITS[node.op].flattens && perChannel) {
          if (shape.length !== 3 || i + 1 >= nodes.length || nodes[i + 1].op !== 'Dense') return null;
          perChannel = expandChannels(perChannel, shape[1] * shape[2]);
        }
        break;
      default:
        return null;
    }
    shape = nextShape(node, shape);
  }
  return null;
}

/** Per-sample output shape of the shape-changing ops this fold walks through (H·W sets a flattened channel's features). */
function nextShape(node: Node, shape: readonly number[]): readonly number[] {
  if (OP_TRAITS[node.op].flattens) return [sizeOf(shape)];
  if (node.op === 'GlobalAvgPool') return [shape[0], 1, 1];
  if (node.op === 'AvgPool') {
    const { kernel: k, strides: s, pads: p, ceilMode } = node;
    return [shape[0], windowOut(shape[1], k[0], s[0], p[0], p[2], 1, ceilMode), windowOut(shape[2], k[1], s[1], p[1], p[3], 1, ceilMode)];
  }
  if (node.op === 'Pad') return [shape[0], shape[1] + node.pads[0] + node.pads[2], shape[2] + node.pads[1] + node.pads[3]];
  return shape;
}

function expandChannels(theta: Float32Array, inner: number): Float32Array {
  const out = new Float32Array(theta.length * inner);
  for (let c = 0; c < theta.length; c++) out.fill(theta[c], c * inner, (c + 1) * inner);
  return out;
}

/**
 * The one home of θ folding: W′ = W·diag(s) on the input side. Conv2d: s per input channel (across
 * groups: input channel g·C/groups + c of group g); Dense: s per input feature. Each weight is one f64
 * product w·s rounded to f32 once, so a caller that folds θ/(P·Q) (the event lowering, sum-pooled
 * spikes) gets the same W′ as multiplying there.
 */
export function scaleInputs<N extends Conv2dNode | DenseNode>(node: N, scale: (input: number) => number): N {
  const n: Conv2dNode | DenseNode = node;
  const w = n.weight.data.slice();
  if (n.op === 'Dense') {
    const [outputs, inputs] = n.weight.shape;
    const s = Float64Array.from({ length: inputs }, (_, f) => scale(f));
    for (let o = 0; o < outputs; o++) for (let f = 0; f < inputs; f++) w[o * inputs + f] *= s[f];
  } else {
    const [outChannels, channelsPerGroup, kh, kw] = n.weight.shape;
    const outPerGroup = outChannels / n.groups;
    const s = Float64Array.from({ length: channelsPerGroup * n.groups }, (_, ci) => scale(ci));
    const kernel = kh * kw;
    for (let o = 0; o < outChannels; o++) {
      const first = Math.floor(o / outPerGroup) * channelsPerGroup;
      for (let c = 0; c < channelsPerGroup; c++) {
        const base = (o * channelsPerGroup + c) * kernel;
        for (let k = 0; k < kernel; k++) w[base + k] *= s[first + c];
      }
    }
  }
  return { ...node, weight: tensor(node.weight.shape, w) };
}
