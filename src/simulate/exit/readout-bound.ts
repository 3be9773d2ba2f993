/**
 * The per-step bound of the certified early exit (docs/method.md §13). With an accumulating readout
 * a_c(t) = Σ_{u≤t} (W x(u) + b)_c, where x_f(u) = θ_f·n_f(u) and the spike count n_f(u) of a
 * feature lies in [lo, hi] (IF: [0, γ]), one step changes a_j − a_k by at most
 *   B_jk = Σ_f θ_f·(max(0, W_jf − W_kf)·hi + min(0, W_jf − W_kf)·lo) + (b_j − b_k) + δ_j + δ_k
 * (lo = 0: the Σ_f max(0, W_jf − W_kf)·θ_f·γ + (b_j − b_k) of the issue). δ_c bounds the f32
 * rounding of the engines' sum of row c, in any order: δ_c = 2(n + 2)·2⁻²⁴·S_c with n the terms
 * summed and S_c = Σ_f |W_cf|·θ_f·max(|lo|, hi) + |b_c|, which also bounds |I_c| per step.
 * Average pools and zero padding between the spiking layer and W keep every feature in [lo, hi]
 * (a mean of counts), so f runs over W's inputs. With a spiking readout (the output is a Spike),
 * a_c = θ_c·Σ n_c and B_jk = θ_j·hi − θ_k·lo (one spike's worth).
 */
import { producerOf, type Conv2dNode, type DenseNode, type Graph, type Node, type SpikeNode } from '../../ir/graph.js';
import { spikeSource } from '../../ir/spike-source.js';
import { OP_TRAITS } from '../../ir/op-traits.js';
import { sampleShapes } from '../../ir/shapes.js';
import { neuronKind } from '../../neurons/index.js';
import { perUnit } from '../per-unit.js';
import { sizeOf } from '../../tensor/tensor.js';

/** B_jk and S_c of a graph's readout (plain data: it travels to the event workers). */
export interface ReadoutBound {
  readonly classes: number;
  /** bound[j·classes + k] = B_jk (f32 rounding included). */
  readonly bound: Float64Array;
  /** S_c: the largest |I_c| of one step. */
  readonly step: Float64Array;
}

const U32 = 2 ** -24;

/** The bound of `graph`'s readout, or why it has none (a readout that is not one linear map of one spiking layer). */
export function readoutBound(graph: Graph): ReadoutBound | { readonly reason: string } {
  const shapes = sampleShapes(graph);
  const out = producerOf(graph, graph.output);
  if (out?.op === 'Spike') return spikingReadout(out, sizeOf(shapes.get(out.output)!));
  // Back from the output: shape ops, then one Conv2d/Dense, then pools/pads/shape ops to a spiking layer.
  let node: Node | undefined = out;
  while (node && OP_TRAITS[node.op].kind === 'shape') node = producerOf(graph, node.inputs[0]);
  if (!node || (node.op !== 'Dense' && node.op !== 'Conv2d'))
    return { reason: `the readout '${out?.name ?? graph.output}' is not a Conv2d or Dense (after shape ops)` };
  const linear = node;
  let value = linear.inputs[0];
  for (let p = producerOf(graph, value); p && p.op !== 'Spike' && p.op !== 'SpikeMaxPool'; p = producerOf(graph, value)) {
    const kind = OP_TRAITS[p.op].kind;
    const passes = kind === 'shape' || kind === 'average-pool' || (p.op === 'Pad' && p.value === 0);
    if (!passes)
      return { reason: `'${p.name}' between the last spiking layer and the readout '${linear.name}' is not a pool, zero pad or shape op` };
    value = p.inputs[0];
  }
  const source = spikeSource(graph, value);
  if (!source) return { reason: `the readout '${linear.name}' is not fed by a spiking layer` };
  if (sizeOf(shapes.get(linear.output)!) !== linear.weight.shape[0])
    return { reason: `the readout '${linear.name}' has more than one output position` };
  return linearReadout(linear, source, shapes.get(source.output)!, shapes.get(linear.inputs[0])!);
}

function spikingReadout(spike: SpikeNode, classes: number): ReadoutBound {
  const [lo, hi] = neuronKind(spike.neuron).spikeRange(spike.maxSpikesPerStep);
  const theta = perUnit(spike.threshold.data, [classes]);
  const step = Float64Array.from(theta, (t) => t * Math.max(-lo, hi));
  const bound = new Float64Array(classes * classes);
  for (let j = 0; j < classes; j++)
    for (let k = 0; k < classes; k++) bound[j * classes + k] = theta[j] * hi - theta[k] * lo + 2 * U32 * (step[j] + step[k]);
  return { classes, bound, step };
}

/** Rows W_c· of the readout over its input features, θ_f per feature, and b. */
function linearReadout(
  linear: Conv2dNode | DenseNode,
  source: SpikeNode,
  sourceShape: readonly number[],
  inputShape: readonly number[],
): ReadoutBound | { readonly reason: string } {
  const [lo, hi] = neuronKind(source.neuron).spikeRange(source.maxSpikesPerStep);
  const classes = linear.weight.shape[0];
  const features = linear.weight.data.length / classes;
  if (linear.op === 'Conv2d' && linear.groups !== 1) return { reason: `the readout '${linear.name}' is a grouped convolution` };
  // θ per input feature: per channel of the source (channels keep their order through pools and flattening).
  const channels = sourceShape[0];
  const thetaOfChannel = perUnit(source.threshold.data, [channels]);
  const perChannelFeatures = linear.op === 'Dense' ? features / channels : 0;
  const kernel = linear.op === 'Conv2d' ? linear.weight.shape[2] * linear.weight.shape[3] : 0;
  const theta = Float64Array.from(
    { length: features },
    (_, f) => thetaOfChannel[Math.floor(linear.op === 'Dense' ? f / perChannelFeatures : f / kernel)],
  );
  const w = linear.weight.data;
  const b = linear.bias?.data ?? new Float32Array(classes);
  const amplitude = Math.max(-lo, hi);
  const step = Float64Array.from({ length: classes }, (_, c) => {
    let s = Math.abs(b[c]);
    for (let f = 0; f < features; f++) s += Math.abs(w[c * features + f]) * theta[f] * amplitude;
    return s;
  });
  // Terms of one row's sum, whatever the engine: one per spike (one tap each: a single output
  // position), plus the pooled features and the bias.
  const terms = sizeOf(sourceShape) * amplitude + sizeOf(inputShape) + 1;
  const rounding = Float64Array.from(step, (s) => 2 * (terms + 2) * U32 * s);
  const bound = new Float64Array(classes * classes);
  for (let j = 0; j < classes; j++) {
    for (let k = 0; k < classes; k++) {
      if (j === k) continue;
      let sum = b[j] - b[k];
      for (let f = 0; f < features; f++) {
        const d = w[j * features + f] - w[k * features + f];
        sum += theta[f] * (d > 0 ? d * hi : d * lo);
      }
      bound[j * classes + k] = sum + rounding[j] + rounding[k];
    }
  }
  return { classes, bound, step };
}
