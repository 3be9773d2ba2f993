/**
 * Lowering an SNN graph to an event-driven net: the plain data the event kernels run.
 *
 * Every spiking layer is a channels-last map of H·W pixels × C channels whose spikes, per step, are
 * a list of the channels that fired at each pixel. A layer's input current is a sum of linear maps
 * of earlier layers' spikes, each written as a convolution over its source layer's grid:
 *   I[o, c] = b[c] + Σ_{ky,kx} Σ_{ci fired at o·s − p + k} W'[ky, kx, ci, c]
 * which costs one row of W' per spike and tap (the synaptic operations), not a dense product:
 *   - Conv2d: W'[ky, kx, ci, c] = θ(ci) · W[c, ci, ky, kx] (groups and dilation as zeros in W');
 *     θ is folded by fold-threshold.ts (`scaleInputs`), as in the dense engine;
 *   - Dense after Flatten: a kernel over the whole grid, W'[y, x, ci, c] = θ(ci) · W[c, (ci·H + y)·W + x];
 *   - AvgPool P×Q (kernel = stride, no padding) or GlobalAvgPool before either: the spike lists are
 *     sum-pooled (each window's lists concatenated) and W' is divided by P·Q — the same sums, exactly;
 *   - a spiking layer added in directly (a residual shortcut): a 1×1 kernel W'[ci, c] = θ(ci)·[ci = c].
 * θ(ci) is the amplitude of the spike counts (they stand for θ·s). A SpikeMaxPool is a layer of its
 * own without synapses: it pools its source layer's spike lists (assembly/max-pool.ts), and its spikes
 * carry the source's θ. Add sums maps; a channel Concat
 * sums maps that each write their own channels (zeros elsewhere); only spiking layers may branch.
 * The first spiking layer is fed by the static part (computed once per image), or the input is
 * itself a layer of Bernoulli spikes. The maps into the graph output are the readout (a spiking
 * readout is the identity map of its layer: the output accumulates θ·s).
 * Anything else (overlapping or padded pools, Pad, …) is not lowered: the reason is returned and
 * the simulator uses its dense engine.
 */
import type { Conv2dNode, DenseNode, Graph, Node, SpikeMaxPoolNode, SpikeNode } from '../../ir/graph.js';
import { consumersOf, producerOf } from '../../ir/graph.js';
import { isLinear, OP_TRAITS } from '../../ir/op-traits.js';
import { neuronUnsupported } from '../../neurons/index.js';
import { scaleInputs } from '../fold-threshold.js';
import { perUnit } from '../per-unit.js';

/** Output channels are padded to a multiple of this (the kernels' block of 8 × 4 lanes). */
export const CHANNEL_BLOCK = 32;

export interface EventGrid {
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  /** channels rounded up to CHANNEL_BLOCK. */
  readonly paddedChannels: number;
}

export interface EventSpikingLayer {
  readonly name: string;
  readonly grid: EventGrid;
  /** θ per padded channel (+∞ for padding, which therefore never fires). */
  readonly threshold: Float32Array;
  /** v(0) per unit, channels-last: [pixel × paddedChannels]. */
  readonly initialPotential: Float32Array;
  readonly hardReset: boolean;
  /** γ: the most spikes a unit emits per step (1: IF; > 1: burst neuron, its spikes listed n times). */
  readonly maxSpikesPerStep: number;
  /** The layer's sample shape in the graph ([C, H, W] or [F]), for per-unit statistics. */
  readonly shape: readonly number[];
  /** A spiking max pool: no neurons, no synapses; it pools the spike lists of layers[from]. */
  readonly maxPool: EventMaxPool | null;
}

/** SpikeMaxPool over layers[from] (kernel = stride; the grid's H and W are the whole windows). */
export interface EventMaxPool {
  readonly from: number;
  readonly kernel: readonly [number, number];
}

export interface EventSynapses {
  /** The spiking layer (index into EventNet.layers) whose spikes these synapses carry. */
  readonly from: number;
  /** Sum-pooling window of the spike lists before the synapses ([1, 1]: none). */
  readonly pool: readonly [number, number];
  /** The grid the kernel slides over (the spiking layer's, pooled). */
  readonly input: EventGrid;
  readonly output: EventGrid;
  readonly kernel: readonly [number, number];
  readonly strides: readonly [number, number];
  /** Top and left padding. */
  readonly pads: readonly [number, number];
  /** W' as [kh][kw][cin][paddedChannels]. */
  readonly weights: Float32Array;
  /** b per padded channel. */
  readonly bias: Float32Array;
}

export interface EventNet {
  /**
   * 'static': layers[0] is the first spiking layer, fed by the static value `layer0Input` (its
   * current, constant in time); 'spikes': layers[0] is the input itself (`layer0Input` = the graph
   * input), spiking as a Bernoulli encoder makes it (amplitude 1).
   */
  readonly input: 'static' | 'spikes';
  /** The graph value that feeds layers[0], per image. */
  readonly layer0Input: string;
  /** The spiking layers in graph order (after the input layer, with spiking input). */
  readonly layers: readonly EventSpikingLayer[];
  /** inputs[i]: the synapses whose currents add up into layers[i] (empty for layers[0]). */
  readonly inputs: readonly (readonly EventSynapses[])[];
  /** The synapses whose currents add up into the output. */
  readonly readout: readonly EventSynapses[];
  readonly classes: number;
}

export type Lowering = { readonly net: EventNet } | { readonly reason: string };

type Shapes = ReadonlyMap<string, readonly number[]>;

/**
 * Lowers `graph` (shapes per sample; `staticValues` computed once per image, none when the input is
 * spikes), or says why not. `input` says how the input reaches the network.
 */
export function lowerToEvents(
  graph: Graph,
  shapes: Shapes,
  staticValues: ReadonlySet<string>,
  input: 'static' | 'spikes' = 'static',
): Lowering {
  // Spiking layers and spiking max pools, in graph order: the layers of the event net.
  const spikes = graph.nodes.filter((n): n is SpikingNode => n.op === 'Spike' || n.op === 'SpikeMaxPool');
  if (spikes.length === 0) return { reason: 'the graph has no spiking layer' };
  for (const s of spikes) {
    const why = s.op === 'Spike' ? neuronUnsupported(s.neuron, 'event') : null;
    if (why !== null) return { reason: `'${s.name}': ${why}` };
  }
  const spikingInput = input === 'spikes';
  const layer0Input = spikingInput ? graph.input.name : spikes[0].inputs[0];
  if (!spikingInput) {
    if (!staticValues.has(layer0Input)) return { reason: 'the input changes in time and is not a Bernoulli spike train' };
    const firstDynamic = graph.nodes.find((n) => !staticValues.has(n.output));
    if (firstDynamic !== spikes[0]) return { reason: `'${firstDynamic?.name}' is not a spiking layer fed by the static part` };
  }
  const offset = spikingInput ? 1 : 0;
  const layers: EventSpikingLayer[] = spikingInput ? [inputLayer(graph.input.name, shapes.get(graph.input.name)!)] : [];
  for (const s of spikes) {
    if (s.op === 'Spike') {
      layers.push(spikingLayer(s, shapes.get(s.output)!));
      continue;
    }
    const from = spikes.findIndex((n) => n.output === s.inputs[0]);
    if (from < 0) return { reason: `'${s.name}' does not read a spiking layer's output` };
    layers.push(maxPoolLayer(s, from + offset, layers[from + offset], shapes.get(s.output)!));
  }
  const walk: Walk = { graph, shapes, spikes, layers, offset, visited: new Set(spikes) };
  const inputs: EventSynapses[][] = spikingInput ? [[]] : [];
  for (const spike of spikingInput ? spikes : spikes.slice(1)) {
    if (spike.op === 'SpikeMaxPool') {
      inputs.push([]);
      continue;
    }
    const into = sumOfMaps(walk, spike.inputs[0]);
    if ('reason' in into) return into;
    inputs.push(into.synapses);
  }
  if (!spikingInput) inputs.unshift([]);
  const misfit = inputs.findIndex((maps, i) => maps.some((s) => !sameGrid(s.output, layers[i].grid)));
  if (misfit >= 0) return { reason: `the input of '${layers[misfit].name}' is laid out differently from the layer (a reshape in between)` };
  const readout = sumOfMaps(walk, graph.output);
  if ('reason' in readout) return readout;
  const outputGrid = readout.synapses[0].output;
  if (outputGrid.height * outputGrid.width !== 1) return { reason: `the output '${graph.output}' is not a vector of class scores` };
  const left = graph.nodes.find((n) => !staticValues.has(n.output) && !walk.visited.has(n));
  if (left) return { reason: `'${left.name}' (${left.op}) is not on a path the event engine lowers` };
  return { net: { input, layer0Input, layers, inputs, readout: readout.synapses, classes: outputGrid.channels } };
}

type SpikingNode = SpikeNode | SpikeMaxPoolNode;

interface Walk {
  readonly graph: Graph;
  readonly shapes: Shapes;
  readonly spikes: readonly SpikingNode[];
  readonly layers: readonly EventSpikingLayer[];
  /** Index in `layers` of spikes[0] (1 when the input is a spiking layer). */
  readonly offset: number;
  readonly visited: Set<Node>;
}

type Maps = { synapses: EventSynapses[] } | { reason: string };

/** The synapses whose currents sum to `value`: through shape-only ops and Add, down to Conv2d/Dense or a spiking layer. */
function sumOfMaps(walk: Walk, value: string): Maps {
  const node = producerOf(walk.graph, value);
  if (!node || node.op === 'Spike' || node.op === 'SpikeMaxPool') return mapFrom(walk, value, null, walk.shapes.get(value)!);
  const single = ownedBy(walk, node);
  if (single) return single;
  if (OP_TRAITS[node.op].kind === 'shape') return sumOfMaps(walk, node.inputs[0]);
  if (node.op === 'Add') {
    const synapses: EventSynapses[] = [];
    for (const input of node.inputs) {
      const part = sumOfMaps(walk, input);
      if ('reason' in part) return part;
      synapses.push(...part.synapses);
    }
    return { synapses };
  }
  if (node.op === 'Concat') return concatenated(walk, node.inputs, node.axis, grid(walk.shapes.get(value)!));
  if (isLinear(node)) return mapFrom(walk, node.inputs[0], node, walk.shapes.get(node.output)!);
  return mapFrom(walk, value, null, walk.shapes.get(value)!);
}

/** Channel Concat as a sum: input i's maps write channels o_i … o_i + C_i − 1 of the output and zeros elsewhere. */
function concatenated(walk: Walk, inputs: readonly string[], axis: number, output: EventGrid): Maps {
  if (axis !== 1) return { reason: `Concat along axis ${axis} (only channels are lowered)` };
  const synapses: EventSynapses[] = [];
  let offset = 0;
  for (const input of inputs) {
    const part = sumOfMaps(walk, input);
    if ('reason' in part) return part;
    for (const s of part.synapses) synapses.push(intoChannels(s, offset, output));
    offset += walk.shapes.get(input)![0];
  }
  return { synapses };
}

function intoChannels(s: EventSynapses, offset: number, output: EventGrid): EventSynapses {
  const from = s.output.paddedChannels;
  const to = output.paddedChannels;
  const rows = s.weights.length / from;
  const weights = new Float32Array(rows * to);
  for (let r = 0; r < rows; r++) weights.set(s.weights.subarray(r * from, r * from + s.output.channels), r * to + offset);
  const bias = new Float32Array(to);
  bias.set(s.bias.subarray(0, s.output.channels), offset);
  return { ...s, output, weights, bias };
}

/** Marks a node as lowered; refuses one whose value has other readers (a branch not at a spiking layer). */
function ownedBy(walk: Walk, node: Node): { reason: string } | null {
  walk.visited.add(node);
  const readers = consumersOf(walk.graph, node.output).length;
  return readers > 1 ? { reason: `'${node.output}' feeds ${readers} nodes (only spiking layers may branch)` } : null;
}

/** One map: `value` leads back through pooling and shape-only ops to a spiking layer; `linear` (or the identity) is applied to it. */
function mapFrom(walk: Walk, value: string, linear: Conv2dNode | DenseNode | null, outputShape: readonly number[]): Maps {
  const chain: Node[] = [];
  let node = producerOf(walk.graph, value);
  while (node && node.op !== 'Spike' && node.op !== 'SpikeMaxPool') {
    const { kind } = OP_TRAITS[node.op];
    if (kind !== 'average-pool' && kind !== 'shape') return { reason: `'${node.name}' (${node.op}) between spiking layers` };
    const refusal = ownedBy(walk, node);
    if (refusal) return refusal;
    chain.unshift(node);
    node = producerOf(walk.graph, node.inputs[0]);
  }
  const spikingInput = walk.offset === 1 && !node && (chain.length > 0 ? chain[0].inputs[0] : value) === walk.graph.input.name;
  if (!node && !spikingInput) return { reason: `'${value}' is not computed from spikes` };
  const from = node ? walk.spikes.indexOf(node as SpikingNode) + walk.offset : 0;
  const layer = walk.layers[from];
  let pool: [number, number] = [1, 1];
  let flat = layer.shape.length !== 3;
  let shape = layer.shape;
  for (const n of [...chain, ...(linear ? [linear] : [])]) {
    const refusal = beforeLinear(n, shape, pool, flat);
    if (refusal) return { reason: refusal };
    if (n.op === 'AvgPool') pool = [pool[0] * n.kernel[0], pool[1] * n.kernel[1]];
    if (n.op === 'GlobalAvgPool') pool = [layer.grid.height, layer.grid.width];
    if (OP_TRAITS[n.op].flattens) flat = true;
    shape = walk.shapes.get(n.output)!;
  }
  const output = grid(outputShape);
  if (!linear) return identitySynapses(from, layer, pool, output);
  walk.visited.add(linear);
  if (linear.op === 'Dense') {
    const features = (layer.grid.channels * layer.grid.height * layer.grid.width) / (pool[0] * pool[1]);
    if (linear.weight.shape[1] !== features)
      return { reason: `'${linear.name}': its ${linear.weight.shape[1]} inputs do not match the flattened spiking layer` };
    return { synapses: [denseSynapses(linear, from, layer, pool, output)] };
  }
  return { synapses: [convSynapses(linear, from, layer, pool, output)] };
}

function sameGrid(a: EventGrid, b: EventGrid): boolean {
  return a.height === b.height && a.width === b.width && a.channels === b.channels;
}

function grid(shape: readonly number[]): EventGrid {
  const [channels, height, width] = shape.length === 3 ? shape : [shape.reduce((a, b) => a * b, 1), 1, 1];
  return { height, width, channels, paddedChannels: Math.ceil(channels / CHANNEL_BLOCK) * CHANNEL_BLOCK };
}

/** The input as a layer of spikes of amplitude 1 (a Bernoulli encoder's output): it never fires by itself. */
function inputLayer(name: string, shape: readonly number[]): EventSpikingLayer {
  const g = grid(shape);
  const threshold = new Float32Array(g.paddedChannels).fill(Infinity).fill(1, 0, g.channels);
  const initialPotential = new Float32Array(g.height * g.width * g.paddedChannels);
  return { name, grid: g, threshold, initialPotential, hardReset: false, maxSpikesPerStep: 1, shape, maxPool: null };
}

function spikingLayer(node: SpikeNode, shape: readonly number[]): EventSpikingLayer {
  const g = grid(shape);
  const perChannel = (values: Float32Array, c: number) => (values.length === 1 ? values[0] : values[c]);
  const threshold = new Float32Array(g.paddedChannels).fill(Infinity);
  for (let c = 0; c < g.channels; c++) threshold[c] = perChannel(node.threshold.data, c);
  const initialPotential = new Float32Array(g.height * g.width * g.paddedChannels);
  // v(0) per unit (channels-first, as the IR holds it) written channels-last and padded.
  const v0 = perUnit(node.initialPotential.data, shape);
  const pixels = g.height * g.width;
  for (let p = 0; p < pixels; p++) {
    for (let c = 0; c < g.channels; c++) initialPotential[p * g.paddedChannels + c] = v0[c * pixels + p];
  }
  const hardReset = node.reset === 'hard';
  return {
    name: node.name,
    grid: g,
    threshold,
    initialPotential,
    hardReset,
    maxSpikesPerStep: node.maxSpikesPerStep,
    shape,
    maxPool: null,
  };
}

/** A SpikeMaxPool of layers[from]: its spikes carry the source's θ (`threshold` is their amplitude); it has no membrane. */
function maxPoolLayer(node: SpikeMaxPoolNode, from: number, source: EventSpikingLayer, shape: readonly number[]): EventSpikingLayer {
  const g = grid(shape);
  return {
    name: node.name,
    grid: g,
    threshold: source.threshold.slice(0, g.paddedChannels),
    initialPotential: new Float32Array(g.height * g.width * g.paddedChannels),
    hardReset: false,
    maxSpikesPerStep: source.maxSpikesPerStep,
    shape,
    maxPool: { from, kernel: node.kernel },
  };
}

function beforeLinear(node: Node, shape: readonly number[], pool: readonly [number, number], flat: boolean): string | null {
  switch (node.op) {
    case 'AvgPool': {
      const exact = node.kernel[0] === node.strides[0] && node.kernel[1] === node.strides[1] && node.pads.every((p) => p === 0);
      if (!exact || shape[1] % node.kernel[0] !== 0 || shape[2] % node.kernel[1] !== 0)
        return `'${node.name}': only AvgPool with kernel = stride, no padding and a divisible input is lowered`;
      return flat ? `'${node.name}': AvgPool after Flatten` : null;
    }
    case 'GlobalAvgPool':
      return pool[0] === 1 && pool[1] === 1 ? null : `'${node.name}': GlobalAvgPool after AvgPool`;
    case 'Conv2d':
      return flat ? `'${node.name}': Conv2d after Flatten` : null;
    case 'Dense':
      return flat ? null : `'${node.name}': Dense on a 3-D value`;
    default:
      return OP_TRAITS[node.op].kind === 'shape' ? null : `'${node.name}' (${node.op}) between spiking layers`;
  }
}

function amplitude(layer: EventSpikingLayer, channel: number): number {
  return layer.threshold[channel];
}

function pooled(from: EventSpikingLayer, pool: readonly [number, number]): EventGrid {
  return { ...from.grid, height: from.grid.height / pool[0], width: from.grid.width / pool[1] };
}

/**
 * W′ of a Conv2d. Groups and dilation become zeros: input channel ci reaches output c only in c's
 * group, and kernel tap (ky, kx) sits at (ky·dy, kx·dx) of a (kh−1)·dy+1 × (kw−1)·dx+1 kernel.
 */
function convSynapses(
  node: Conv2dNode,
  index: number,
  from: EventSpikingLayer,
  pool: readonly [number, number],
  output: EventGrid,
): EventSynapses {
  const [cout, perGroup, kh, kw] = node.weight.shape;
  const [dy, dx] = node.dilations;
  const [KH, KW] = [(kh - 1) * dy + 1, (kw - 1) * dx + 1];
  const cin = from.grid.channels;
  const outPerGroup = cout / node.groups;
  const scaled = scaleInputs(node, (ci) => amplitude(from, ci) / (pool[0] * pool[1])).weight.data;
  const weights = new Float32Array(KH * KW * cin * output.paddedChannels);
  for (let ky = 0; ky < kh; ky++) {
    for (let kx = 0; kx < kw; kx++) {
      for (let c = 0; c < cout; c++) {
        const group = Math.floor(c / outPerGroup);
        for (let k = 0; k < perGroup; k++) {
          const ci = group * perGroup + k;
          const row = ((ky * dy * KW + kx * dx) * cin + ci) * output.paddedChannels;
          weights[row + c] = scaled[((c * perGroup + k) * kh + ky) * kw + kx];
        }
      }
    }
  }
  return {
    from: index,
    pool,
    input: pooled(from, pool),
    output,
    kernel: [KH, KW],
    strides: node.strides,
    pads: [node.pads[0], node.pads[1]],
    weights,
    bias: paddedBias(node.bias?.data ?? null, cout, output.paddedChannels),
  };
}

function denseSynapses(
  node: DenseNode,
  index: number,
  from: EventSpikingLayer,
  pool: readonly [number, number],
  output: EventGrid,
): EventSynapses {
  const [fout, fin] = node.weight.shape;
  const input = pooled(from, pool);
  const { height: H, width: W, channels: cin } = input;
  // Feature f of the flattened pooled grid is channel ⌊f / (H·W)⌋.
  const scaled = scaleInputs(node, (f) => amplitude(from, Math.floor(f / (H * W))) / (pool[0] * pool[1])).weight.data;
  const weights = new Float32Array(H * W * cin * output.paddedChannels);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      for (let ci = 0; ci < cin; ci++) {
        const feature = (ci * H + y) * W + x;
        const row = ((y * W + x) * cin + ci) * output.paddedChannels;
        for (let c = 0; c < fout; c++) weights[row + c] = scaled[c * fin + feature];
      }
    }
  }
  return {
    from: index,
    pool,
    input,
    output,
    kernel: [H, W],
    strides: [1, 1],
    pads: [0, 0],
    weights,
    bias: paddedBias(node.bias?.data ?? null, fout, output.paddedChannels),
  };
}

/** A spiking layer added in as it is (a residual shortcut, after an optional pooling): W' = diag(θ)/(py·px). */
function identitySynapses(index: number, from: EventSpikingLayer, pool: readonly [number, number], output: EventGrid): Maps {
  const input = pooled(from, pool);
  if (input.height !== output.height || input.width !== output.width || input.channels !== output.channels)
    return { reason: `the spiking layer '${from.name}' is added to a value of another shape` };
  const weights = new Float32Array(input.channels * output.paddedChannels);
  for (let c = 0; c < input.channels; c++) weights[c * output.paddedChannels + c] = amplitude(from, c) / (pool[0] * pool[1]);
  const bias = new Float32Array(output.paddedChannels);
  return { synapses: [{ from: index, pool, input, output, kernel: [1, 1], strides: [1, 1], pads: [0, 0], weights, bias }] };
}

function paddedBias(bias: Float32Array | null, channels: number, padded: number): Float32Array {
  const out = new Float32Array(padded);
  if (bias) out.set(bias.subarray(0, channels));
  return out;
}
