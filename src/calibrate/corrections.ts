/**
 * Li et al. (ICML 2021), steps two and three, as pure graph edits. With e_i = mean over images of
 * (θ_i·N_i/T − a_i), the SNN rate minus the ANN activation of unit i of a spiking layer:
 *   light:     b_c ← b_c − ē_c      ē_c = mean of e over the units of channel c (its positions)
 *   advanced:  v_i(0) ← v_i(0) − T·e_i   (the charge the neuron missed, or gained, over T steps)
 */
import { biasCarrier } from '../convert/convert.js';
import type { Graph, SpikeNode } from '../ir/graph.js';
import { perUnit } from '../simulate/per-unit.js';
import { tensor } from '../tensor/tensor.js';
import { SnnCalibrationError } from './calibration-error.js';

/** e_i = θ_i·Σ N_i/(T·images) − Σ a_i/images for every unit. */
export function unitErrors(
  theta: Float32Array,
  countSums: Float64Array,
  activationSums: Float64Array,
  T: number,
  images: number,
): Float64Array {
  return Float64Array.from(countSums, (n, i) => (theta[i] * n) / (T * images) - activationSums[i] / images);
}

/** ē_c: e averaged over each channel's units (channels = axis 0 of the sample shape). */
export function channelMeans(e: Float64Array, channels: number): Float64Array {
  const inner = e.length / channels;
  const out = new Float64Array(channels);
  for (let c = 0; c < channels; c++) {
    let sum = 0;
    for (let i = c * inner; i < (c + 1) * inner; i++) sum += e[i];
    out[c] = sum / inner;
  }
  return out;
}

export function meanAbs(values: Float64Array): number {
  let sum = 0;
  for (const v of values) sum += Math.abs(v);
  return values.length === 0 ? 0 : sum / values.length;
}

/** Light: b_c −= ē_c on the Conv/Dense whose bias feeds `spike` (through a residual Add: its first branch). */
export function correctBias(graph: Graph, spike: SpikeNode, channelError: Float64Array): Graph {
  const carrier = biasCarrier(graph, spike.inputs[0]);
  if (!carrier) {
    throw new SnnCalibrationError(`node '${spike.name}': light calibration needs a Conv/Dense bias feeding it; use --calibration advanced`);
  }
  const outputs = carrier.weight.shape[0];
  if (outputs !== channelError.length) {
    throw new SnnCalibrationError(`node '${spike.name}': ${channelError.length} channels, but '${carrier.name}' has ${outputs} outputs`);
  }
  const bias = new Float32Array(outputs);
  if (carrier.bias) bias.set(carrier.bias.data);
  for (let c = 0; c < outputs; c++) bias[c] -= channelError[c];
  const corrected = { ...carrier, bias: tensor([outputs], bias) };
  return { ...graph, nodes: graph.nodes.map((n) => (n === carrier ? corrected : n)) };
}

/** Advanced: v_i(0) −= T·e_i, one value per unit (the Spike node's v(0) takes the sample shape). */
export function correctInitialPotential(graph: Graph, spike: SpikeNode, sampleShape: readonly number[], e: Float64Array, T: number): Graph {
  const v0 = perUnit(spike.initialPotential.data, sampleShape);
  for (let i = 0; i < v0.length; i++) v0[i] -= T * e[i];
  const corrected: SpikeNode = { ...spike, initialPotential: tensor([...sampleShape], v0) };
  return { ...graph, nodes: graph.nodes.map((n) => (n === spike ? corrected : n)) };
}
