/**
 * What each IR op is, in one table that the passes and engines read instead of their own op lists
 * (θ folding, the dense plan, the event lowering, the int8 plan, MAC counting). Adding an op to
 * `Node` fails to compile until it has a row here.
 *
 *   linear        y = W·x + b with weights: Conv2d, Dense (θ folds into W; MACs; the int8 op)
 *   channel-wise  a per-channel affine map: BatchNorm
 *   average-pool  a linear, channel-preserving mean: AvgPool, GlobalAvgPool (sums of integers stay integers ·k)
 *   max-pool      MaxPool (keeps integers integers, but is not linear)
 *   shape         moves values without changing them: Flatten, Reshape, Identity, Dropout
 *   pad           Pad (linear only with value 0)
 *   merge         several inputs into one: Add, Concat
 *   activation    Relu, Clip, QuantClip (each becomes one layer of spiking neurons)
 *   softmax       Softmax
 *   spike         Spike: stepped by the simulator, never by a backend
 *   spike-pool    SpikeMaxPool: a stateful max of spike counts, stepped by the simulator; channel-preserving,
 *                 so it commutes with θ (a positive scale per channel) and its output carries its input's θ
 */
import type { ClipNode, Conv2dNode, DenseNode, Node, OpType, QuantClipNode, ReluNode } from './graph.js';

export type OpKind =
  'linear' | 'channel-wise' | 'average-pool' | 'max-pool' | 'shape' | 'pad' | 'merge' | 'activation' | 'softmax' | 'spike' | 'spike-pool';

export interface OpTraits {
  readonly kind: OpKind;
  /** A shape op that flattens the sample (channel c becomes features c·H·W … (c+1)·H·W − 1). */
  readonly flattens: boolean;
}

const kind = (k: OpKind, flattens = false): OpTraits => ({ kind: k, flattens });

export const OP_TRAITS: Readonly<Record<OpType, OpTraits>> = {
  Conv2d: kind('linear'),
  Dense: kind('linear'),
  BatchNorm: kind('channel-wise'),
  AvgPool: kind('average-pool'),
  GlobalAvgPool: kind('average-pool'),
  MaxPool: kind('max-pool'),
  Flatten: kind('shape', true),
  Reshape: kind('shape', true),
  Identity: kind('shape'),
  Dropout: kind('shape'),
  Pad: kind('pad'),
  Add: kind('merge'),
  Concat: kind('merge'),
  Relu: kind('activation'),
  Clip: kind('activation'),
  QuantClip: kind('activation'),
  Softmax: kind('softmax'),
  Spike: kind('spike'),
  SpikeMaxPool: kind('spike-pool'),
};

/** Conv2d or Dense, as the table says. */
export function isLinear(node: Node): node is Conv2dNode | DenseNode {
  return OP_TRAITS[node.op].kind === 'linear';
}

/** Inputs each output unit of a linear op reads: C_in/groups · kh · kw (Conv2d) or the input features (Dense). */
export function fanIn(node: Conv2dNode | DenseNode): number {
  if (node.op === 'Dense') return node.weight.shape[1];
  const [, perGroup, kh, kw] = node.weight.shape;
  return perGroup * kh * kw;
}

/** Relu, Clip or QuantClip: an ANN activation, i.e. a site that becomes a layer of spiking neurons. */
export function isActivation(node: Node): node is ReluNode | ClipNode | QuantClipNode {
  return OP_TRAITS[node.op].kind === 'activation';
}
