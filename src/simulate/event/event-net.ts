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
 *   - zero Pads, AvgPools (any kernel, stride, padding, countIncludePad, ceil mode) and GlobalAvgPool
 *     before either are a fixed linear map of the spikes, separable by axis (spike-windows.ts): each
 *     input spike adds its weight r (1/|window|, or 1/|valid window|) to every output whose window
 *     holds it. Tiling pools (kernel = stride, no padding; a floor-mode remainder is dropped) sum-pool
 *     the spike lists (each window's lists concatenated) and divide W' by P·Q — the same sums,
 *     exactly; a zero Pad before a conv becomes more of its padding; any other map gathers, per pixel
 *     of the grid the linear op reads, the lists of the pixels it reads, each through the copy of W'
 *     scaled by its weight (W' has one copy per distinct r; event-synapses.ts builds W');
 *   - a spiking layer added in directly (a residual shortcut): a 1×1 kernel W'[ci, c] = θ(ci)·[ci = c].
 * θ(ci) is the amplitude of the spike counts (they stand for θ·s). A SpikeMaxPool is a layer of its
 * own without synapses: it pools its source layer's spike lists (assembly/max-pool.ts), and its spikes
 * carry the source's θ. Add sums maps; a channel Concat
 * sums maps that each write their own channels (zeros elsewhere). A value read by several nodes (a
 * pooled map read by two convs, a conv read twice) is lowered once per reader: its maps are
 * duplicated, the same sums.
 * The first spiking layer is fed by the static part (computed once per image), or the input is
 * itself a layer of Bernoulli spikes. The maps into the graph output are the readout (a spiking
 * readout is the identity map of its layer: the output accumulates θ·s).
 * Anything else (a Pad of another value, a pool after Flatten, a channel-wise op on spikes, …)
 * is not lowered: the reason is returned and the simulator uses its dense engine.
 */
import type { Conv2dNode, DenseNode, Graph, Node, SpikeMaxPoolNode, SpikeNode } from '../../ir/graph.js';
import { producerOf } from '../../ir/graph.js';
import { isLinear, OP_TRAITS } from '../../ir/op-traits.js';
import { neuronUnsupported } from '../../neurons/index.js';
import { perUnit } from '../per-unit.js';
import { convSynapses, denseSynapses, identitySynapses, type GatherTable, type SynapseSource } from './event-synapses.js';
import { identityAxis, padAxis, poolAxis, tiling, times, type AxisMap, type Ratio } from './spike-windows.js';

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
  /** Instead of sum pooling: the lists gathered per pixel of `input` (null: none). */
  readonly gather: EventGather | null;
  /** The grid the kernel slides over (the spiking layer's, pooled or gathered). */
  readonly input: EventGrid;
  readonly output: EventGrid;
  readonly kernel: readonly [number, number];
  readonly strides: readonly [number, number];
  /** Top and left padding. */
  readonly pads: readonly [number, number];
  /** W' as [copy][kh][kw][cin][paddedChannels] (one copy unless gathered with several weights). */
  readonly weights: Float32Array;
  /** b per padded channel. */
  readonly bias: Float32Array;
}

/**
 * The spike list of pixel q of the read grid: for k in offsets[q] … offsets[q+1] − 1, the spikes of
 * source pixel sources[k], each read through the rows of W' that start at row rows[k] (its copy).
 */
export interface EventGather {
  readonly offsets: Int32Array;
  readonly sources: Int32Array;
  readonly rows: Int32Array;
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
  walk.visited.add(node);
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

/** One map: `value` leads back through pooling, zero Pads and shape-only ops to a spiking layer; `linear` (or the identity) is applied to it. */
function mapFrom(walk: Walk, value: string, linear: Conv2dNode | DenseNode | null, outputShape: readonly number[]): Maps {
  const chain: Node[] = [];
  let node = producerOf(walk.graph, value);
  while (node && node.op !== 'Spike' && node.op !== 'SpikeMaxPool') {
    const { kind } = OP_TRAITS[node.op];
    if (kind !== 'average-pool' && kind !== 'shape' && kind !== 'pad')
      return { reason: `'${node.name}' (${node.op}) between spiking layers` };
    walk.visited.add(node);
    chain.unshift(node);
    node = producerOf(walk.graph, node.inputs[0]);
  }
  const spikingInput = walk.offset === 1 && !node && (chain.length > 0 ? chain[0].inputs[0] : value) === walk.graph.input.name;
  if (!node && !spikingInput) return { reason: `'${value}' is not computed from spikes` };
  const from = node ? walk.spikes.indexOf(node as SpikingNode) + walk.offset : 0;
  const read = readThrough(walk, from, chain, linear);
  if ('reason' in read) return read;
  const output = grid(outputShape);
  if (!linear) {
    if (!sameGrid(read.view, output))
      return { reason: `the spiking layer '${read.source.layer.name}' is added to a value of another shape` };
    return { synapses: [identitySynapses(read.source, output)] };
  }
  walk.visited.add(linear);
  if (linear.op === 'Dense') {
    const { channels, height, width } = read.source.input;
    if (linear.weight.shape[1] !== channels * height * width)
      return { reason: `'${linear.name}': its ${linear.weight.shape[1]} inputs do not match the flattened spiking layer` };
    return { synapses: [denseSynapses(linear, read.source, output)] };
  }
  return { synapses: [convSynapses(linear, read.source, output)] };
}

/** How `linear` (null: an Add) reads layers[from] through `chain`: the per-axis maps, then sum pooling or a gather. */
function readThrough(
  walk: Walk,
  from: number,
  chain: readonly Node[],
  linear: Conv2dNode | DenseNode | null,
): { source: SynapseSource; view: EventGrid } | { reason: string } {
  const layer = walk.layers[from];
  let flat = layer.shape.length !== 3;
  let axes: readonly [AxisMap, AxisMap] = [identityAxis(layer.grid.height), identityAxis(layer.grid.width)];
  for (const n of chain) {
    if (OP_TRAITS[n.op].kind === 'shape') {
      flat ||= OP_TRAITS[n.op].flattens;
      continue;
    }
    if (flat) return { reason: `'${n.name}': ${n.op} after Flatten` };
    const next = windowed(n, axes);
    if (typeof next === 'string') return { reason: next };
    axes = next;
    const shape = walk.shapes.get(n.output)!;
    if (shape[1] !== axes[0].taps.length || shape[2] !== axes[1].taps.length)
      return { reason: `'${n.name}': its output ${shape.join('×')} is not what its windows give` };
  }
  if (linear?.op === 'Conv2d' && flat) return { reason: `'${linear.name}': Conv2d after Flatten` };
  if (linear?.op === 'Dense' && !flat) return { reason: `'${linear.name}': Dense on a 3-D value` };
  const view = { ...layer.grid, height: axes[0].taps.length, width: axes[1].taps.length };
  return { source: sourceOf(from, layer, axes, view, linear?.op !== 'Dense'), view };
}

/** The per-axis maps after a zero Pad or an average pool, or why not. */
function windowed(n: Node, [y, x]: readonly [AxisMap, AxisMap]): readonly [AxisMap, AxisMap] | string {
  switch (n.op) {
    case 'Pad':
      if (n.value !== 0)
        return `'${n.name}': a Pad of ${n.value} (padding that is not zero is an input of its own; only zero Pads are lowered)`;
      return [padAxis(y, n.pads[0], n.pads[2]), padAxis(x, n.pads[1], n.pads[3])];
    case 'AvgPool': {
      const { kernel: k, strides: s, pads: p, ceilMode, countIncludePad } = n;
      return [
        poolAxis(y, k[0], s[0], p[0], p[2], ceilMode, countIncludePad),
        poolAxis(x, k[1], s[1], p[1], p[3], ceilMode, countIncludePad),
      ];
    }
    case 'GlobalAvgPool':
      return [poolAxis(y, y.taps.length, 1, 0, 0, false, false), poolAxis(x, x.taps.length, 1, 0, 0, false, false)];
    default:
      return `'${n.name}' (${n.op}) between spiking layers`;
  }
}

/**
 * Sum pooling where both axes tile (with `shifted`, a conv's or a shortcut's read, also after empty
 * rows and before trailing ones: zero padding), else a gather table with one copy of W' per weight.
 */
function sourceOf(
  index: number,
  layer: EventSpikingLayer,
  [y, x]: readonly [AxisMap, AxisMap],
  view: EventGrid,
  shifted: boolean,
): SynapseSource {
  const [ty, tx] = [tiling(y), tiling(x)];
  if (ty && tx) {
    const input = { ...layer.grid, height: ty.tiles, width: tx.tiles };
    const exact = ty.shift === 0 && tx.shift === 0 && sameGrid(input, view);
    // Unpooled lists are read on the layer's own grid: no rows dropped there.
    const ownGrid = ty.factor * tx.factor > 1 || sameGrid(input, layer.grid);
    if ((exact || shifted) && ownGrid) {
      const pool = [ty.factor, tx.factor] as const;
      return { index, layer, input, pool, table: null, factors: [{ num: 1, den: pool[0] * pool[1] }], shift: [ty.shift, tx.shift] };
    }
  }
  const copyOf = new Map<string, number>();
  const factors: Ratio[] = [];
  const offsets = new Int32Array(view.height * view.width + 1);
  const sources: number[] = [];
  const copies: number[] = [];
  for (let qy = 0; qy < view.height; qy++) {
    for (let qx = 0; qx < view.width; qx++) {
      for (const a of y.taps[qy]) {
        for (const b of x.taps[qx]) {
          const weight = times(a.weight, b.weight);
          const key = `${weight.num}/${weight.den}`;
          if (!copyOf.has(key)) copyOf.set(key, factors.push(weight) - 1);
          sources.push(a.index * layer.grid.width + b.index);
          copies.push(copyOf.get(key)!);
        }
      }
      offsets[qy * view.width + qx + 1] = sources.length;
    }
  }
  const table: GatherTable = { offsets, sources: Int32Array.from(sources), copies: Int32Array.from(copies) };
  return { index, layer, input: view, pool: [1, 1], table, factors: factors.length > 0 ? factors : [{ num: 1, den: 1 }], shift: [0, 0] };
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
