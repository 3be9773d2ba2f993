/**
 * The conversion pipeline shared by every strategy (docs/method.md §1–5):
 *   Relu/Clip/QuantClip site l  →  Spike(neuron, θ_l, reset, v(0))   θ_l from the strategy (a QuantClip
 *                                  is a clip with ceiling λ to every strategy but qcfs), the neuron kind from options.neuron
 *   strategy.requires: the options its method fixes (qcfs: shift v0, soft reset), others refused
 *   shift 'bias':  b ← b + θ_l/(2·T_shift) on the Conv/Dense that feeds site l
 *   shift 'v0':    v_l(0) = θ_l/2
 *   readout:       a final Softmax is dropped (argmax is unchanged); 'spikes' adds a spiking layer
 *   MaxPool with kernel = stride on a layer's spikes  →  SpikeMaxPool (exact: convert/max-pool.ts)
 * The ANN must be simplified first (BatchNorm folded, Dropout/Identity removed: ir/passes).
 */
import type { ActivationStats } from '../ann/calibrate.js';
import { readoutNode } from '../ann/activation-sites.js';
import { producerOf, type Conv2dNode, type DenseNode, type Graph, type Node, type SpikeNode } from '../ir/graph.js';
import { isActivation } from '../ir/op-traits.js';
import { sampleShapes } from '../ir/shapes.js';
import { findNeuron, neuronKinds } from '../neurons/index.js';
import { sizeOf, tensor } from '../tensor/tensor.js';
import { strategyNamed } from './strategies/index.js';
import type { ConversionOptions, ConvertedLayer, SnnModel } from '../model/snn-model.js';
import { ConversionError, type ThresholdChoice } from './strategy.js';
import { planMaxPools, type MaxPoolPlan } from './max-pool.js';

export function convertToSnn(ann: Graph, stats: ActivationStats | null, options: ConversionOptions): SnnModel {
  checkNeuron(options);
  const maxPools = checkConvertible(ann);
  const strategy = strategyNamed(options.strategy);
  checkRequiredOptions(options);
  const withoutSoftmax = dropFinalSoftmax(ann);
  const shapes = sampleShapes(withoutSoftmax);
  const layers: ConvertedLayer[] = [];
  const biasShifts = new Map<string, Float32Array>();
  let nodes: Node[] = withoutSoftmax.nodes.map((node) => {
    if (node.op === 'MaxPool') return maxPools.get(node.name) ?? node;
    if (!isActivation(node)) return node;
    if (node.op === 'Clip' && node.min !== 0) {
      throw new ConversionError(`node '${node.name}': Clip(min=${node.min}) is not a threshold ReLU; only min = 0 converts to IF neurons`);
    }
    const choice = strategy.threshold(node, stats, options);
    layers.push({ node: node.name, theta: [...choice.theta], source: choice.source, units: sizeOf(shapes.get(node.output)!) });
    if (options.shift === 'bias')
      biasShifts.set(
        node.inputs[0],
        choice.theta.map((t) => t / (2 * options.tShift)),
      );
    return spikeNode(node.name, node.inputs[0], node.output, choice, options);
  });
  nodes = applyBiasShifts(withoutSoftmax, nodes, biasShifts);
  let output = withoutSoftmax.output;
  if (options.readout === 'spikes') {
    const readout = readoutNode(withoutSoftmax);
    const layerStats = stats?.layers.get(readout.name);
    if (!layerStats) throw new ConversionError(`--readout spikes needs calibration statistics of the output node '${readout.name}'`);
    const choice: ThresholdChoice = {
      theta: Float32Array.of(layerStats.max > 0 ? layerStats.max : 1),
      source: 'max output (spiking readout)',
    };
    output = `${readout.output}_spikes`;
    nodes = [...nodes, spikeNode(`${readout.name}_readout`, readout.output, output, choice, options)];
    layers.push({
      node: `${readout.name}_readout`,
      theta: [...choice.theta],
      source: choice.source,
      units: sizeOf(shapes.get(readout.output)!),
    });
  }
  const graph: Graph = { input: ann.input, output, nodes };
  const calibrationData = stats?.data === undefined ? {} : { calibrationData: `${stats.data}, ${stats.images} images` };
  return { graph, ann: withoutSoftmax, conversion: { options, layers, calibrationImages: stats?.images ?? 0, ...calibrationData } };
}

function spikeNode(name: string, input: string, output: string, choice: ThresholdChoice, options: ConversionOptions): SpikeNode {
  const v0 = options.shift === 'v0' ? choice.theta.map((t) => t / 2) : new Float32Array(choice.theta.length);
  return {
    op: 'Spike',
    name,
    inputs: [input],
    output,
    neuron: options.neuron,
    reset: options.reset,
    maxSpikesPerStep: options.maxSpikesPerStep,
    threshold: tensor([choice.theta.length], choice.theta),
    initialPotential: tensor([v0.length], v0),
  };
}

/** The first option a strategy fixes (ConversionStrategy.requires, e.g. qcfs) that `options` sets otherwise, or null. */
export function requiredOptionMismatch(options: ConversionOptions): { key: string; required: string; given: string } | null {
  for (const [key, value] of Object.entries(strategyNamed(options.strategy).requires ?? {})) {
    const given = options[key as keyof ConversionOptions];
    if (given !== value) return { key, required: String(value), given: String(given) };
  }
  return null;
}

function checkRequiredOptions(options: ConversionOptions): void {
  const m = requiredOptionMismatch(options);
  if (m) throw new ConversionError(`strategy '${options.strategy}' requires --${m.key} ${m.required}; got --${m.key} ${m.given}`);
}

function checkNeuron(options: ConversionOptions): void {
  const kind = findNeuron(options.neuron);
  if (!kind) throw new ConversionError(`unknown neuron '${options.neuron}'; known: ${Object.keys(neuronKinds).join(', ')}`);
  const why = kind.checkSettings(options);
  if (why !== null) throw new ConversionError(`neuron '${options.neuron}': ${why}`);
}

/**
 * MaxPool must tile the spikes of one layer (max-pool.ts); BatchNorm must have been folded. Returns
 * the MaxPools that become spiking max pools.
 */
function checkConvertible(ann: Graph): MaxPoolPlan['spiking'] {
  const spiking = valuesAfterActivations(ann);
  const { refused, spiking: maxPools } = planMaxPools(ann, spiking);
  if (refused.length > 0) {
    throw new ConversionError(
      `max pooling cannot be converted exactly (the max of spikes is not the max of rates) at ${refused.join('; ')}. ` +
        'Use kernel = stride without padding directly after the activation, or replace MaxPool with AveragePool and retrain or fine-tune.',
    );
  }
  // Before the first activation a BatchNorm acts on the analog input and stays as it is; after one
  // it would have to act on spikes, so it must have been folded into a Conv/Dense.
  const unfolded = ann.nodes.filter((n) => n.op === 'BatchNorm' && spiking.has(n.inputs[0])).map((n) => `'${n.name}'`);
  if (unfolded.length > 0) throw new ConversionError(`BatchNorm not directly after a Conv/Dense cannot be folded: ${unfolded.join(', ')}`);
  // The engines feed a spiking layer from the segment computed before it; the graph input is no segment's output.
  const onInput = ann.nodes.filter((n) => isActivation(n) && n.inputs[0] === ann.input.name).map((n) => `'${n.name}'`);
  if (onInput.length > 0) {
    throw new ConversionError(`activation ${onInput.join(', ')} reads the graph input directly; a spiking layer needs a layer before it`);
  }
  const lastIndex = ann.nodes.length - 1;
  const softmaxes = ann.nodes.filter((n, i) => n.op === 'Softmax' && i !== lastIndex).map((n) => `'${n.name}'`);
  if (softmaxes.length > 0) throw new ConversionError(`Softmax inside the network cannot be converted: ${softmaxes.join(', ')}`);
  return maxPools;
}

/** Values computed from the output of some Relu/Clip/QuantClip (the part of the network that will spike). */
function valuesAfterActivations(ann: Graph): Set<string> {
  const values = new Set<string>();
  for (const n of ann.nodes) if (isActivation(n) || n.inputs.some((i) => values.has(i))) values.add(n.output);
  return values;
}

function dropFinalSoftmax(ann: Graph): Graph {
  const last = producerOf(ann, ann.output);
  if (last?.op !== 'Softmax') return ann;
  return { ...ann, output: last.inputs[0], nodes: ann.nodes.filter((n) => n !== last) };
}

/**
 * b ← b + δ on the Conv/Dense whose output is the site's current. Through a residual Add the
 * constant goes to the first branch: (a + δ) + b = (a + b) + δ.
 */
function applyBiasShifts(graph: Graph, nodes: Node[], shifts: ReadonlyMap<string, Float32Array>): Node[] {
  const delta = new Map<string, Float32Array>();
  for (const [value, shift] of shifts) {
    const carrier = biasCarrier(graph, value);
    if (!carrier) {
      throw new ConversionError(`--shift bias: no Conv/Dense bias feeds '${value}' (only through Add); use --shift v0`);
    }
    delta.set(carrier.name, shift);
  }
  return nodes.map((n) => {
    const shift = delta.get(n.name);
    if (!shift || (n.op !== 'Conv2d' && n.op !== 'Dense')) return n;
    return withShiftedBias(n, shift);
  });
}

/** The Conv/Dense whose bias feeds `value` (through a residual Add: its first branch), or null. */
export function biasCarrier(graph: Graph, value: string): Conv2dNode | DenseNode | null {
  const node = producerOf(graph, value);
  if (!node) return null;
  if (node.op === 'Conv2d' || node.op === 'Dense') return node;
  if (node.op === 'Add') return biasCarrier(graph, node.inputs[0]);
  return null;
}

function withShiftedBias<N extends Conv2dNode | DenseNode>(node: N, shift: Float32Array): N {
  const outputs = node.weight.shape[0];
  const bias = new Float32Array(outputs);
  if (node.bias) bias.set(node.bias.data);
  for (let o = 0; o < outputs; o++) bias[o] += shift.length === 1 ? shift[0] : shift[o];
  return { ...node, bias: tensor([outputs], bias) };
}
