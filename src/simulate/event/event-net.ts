/**
 * Lowering an SNN graph to an event-driven net: the plain data the event kernels run.
 *
 * Every spiking layer is a channels-last map of H·W pixels × C channels whose spikes, per step, are
 * a list of the channels that fired at each pixel. Between two spiking layers there is one linear
 * map, written as a convolution over the first layer's grid, so a step of the next layer is
 *   I[o, c] = b[c] + Σ_{ky,kx} Σ_{ci fired at o·s − p + k} W'[ky, kx, ci, c]
 * which costs one row of W' per spike and tap (the synaptic operations), not a dense product:
 *   - Conv2d (groups 1, dilation 1): W'[ky, kx, ci, c] = θ(ci) · W[c, ci, ky, kx];
 *   - Dense after Flatten: a kernel over the whole grid, W'[y, x, ci, c] = θ(ci) · W[c, (ci·H + y)·W + x];
 *   - AvgPool P×Q (kernel = stride, no padding) or GlobalAvgPool before either: the spike lists are
 *     sum-pooled (each window's lists concatenated) and W' is divided by P·Q — the same sums, exactly.
 * θ(ci) is the amplitude of the binary spikes (they stand for θ·s). The first spiking layer is driven
 * by the static part (computed once per image); the last linear map is the readout.
 * Anything else (residual Add, Concat, burst neurons, a Poisson input, …) is not lowered: the reason
 * is returned and the simulator uses its dense engine.
 */
import type { Conv2dNode, DenseNode, Graph, Node, SpikeNode } from '../../ir/graph.js';
import { consumersOf } from '../../ir/graph.js';

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
  /** The layer's sample shape in the graph ([C, H, W] or [F]), for per-unit statistics. */
  readonly shape: readonly number[];
}

export interface EventSynapses {
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
  /** The static value that drives the first spiking layer (its current, constant in time). */
  readonly drive: string;
  readonly first: EventSpikingLayer;
  /** Synapses into each further spiking layer. */
  readonly hidden: readonly { readonly synapses: EventSynapses; readonly layer: EventSpikingLayer }[];
  readonly readout: EventSynapses;
  readonly classes: number;
}

export type Lowering = { readonly net: EventNet } | { readonly reason: string };

/** Lowers `graph` (shapes per sample; `staticValues` computed once per image), or says why not. */
export function lowerToEvents(graph: Graph, shapes: ReadonlyMap<string, readonly number[]>, staticValues: ReadonlySet<string>): Lowering {
  const spikes = graph.nodes.filter((n): n is SpikeNode => n.op === 'Spike');
  if (spikes.length === 0) return { reason: 'the graph has no spiking layer' };
  const bad = spikes.find((s) => s.neuron !== 'if' || s.maxSpikesPerStep !== 1);
  if (bad) return { reason: `'${bad.name}' is not a plain IF neuron (burst or other kinds run on the dense engine)` };
  const drive = spikes[0].inputs[0];
  if (!staticValues.has(drive)) return { reason: 'the input is not constant in time (Poisson input runs on the dense engine)' };
  const layers = spikes.map((s) => spikingLayer(s, shapes.get(s.output)!));
  const links: EventSynapses[] = [];
  for (let i = 0; i < spikes.length; i++) {
    const link = followLink(graph, spikes[i], layers[i], shapes, i + 1 < spikes.length ? spikes[i + 1] : null);
    if ('reason' in link) return link;
    links.push(link.synapses);
  }
  const firstDynamic = graph.nodes.find((n) => !staticValues.has(n.output));
  if (firstDynamic !== spikes[0]) return { reason: `'${firstDynamic?.name}' is not a spiking layer fed by the static part` };
  return {
    net: {
      drive,
      first: layers[0],
      hidden: layers.slice(1).map((layer, i) => ({ synapses: links[i], layer })),
      readout: links[links.length - 1],
      classes: links[links.length - 1].output.channels,
    },
  };
}

function grid(shape: readonly number[]): EventGrid {
  const [channels, height, width] = shape.length === 3 ? shape : [shape.reduce((a, b) => a * b, 1), 1, 1];
  return { height, width, channels, paddedChannels: Math.ceil(channels / CHANNEL_BLOCK) * CHANNEL_BLOCK };
}

function spikingLayer(node: SpikeNode, shape: readonly number[]): EventSpikingLayer {
  const g = grid(shape);
  const perChannel = (values: Float32Array, c: number) => (values.length === 1 ? values[0] : values[c]);
  const threshold = new Float32Array(g.paddedChannels).fill(Infinity);
  for (let c = 0; c < g.channels; c++) threshold[c] = perChannel(node.threshold.data, c);
  const initialPotential = new Float32Array(g.height * g.width * g.paddedChannels);
  for (let p = 0; p < g.height * g.width; p++) {
    for (let c = 0; c < g.channels; c++) initialPotential[p * g.paddedChannels + c] = perChannel(node.initialPotential.data, c);
  }
  return { name: node.name, grid: g, threshold, initialPotential, hardReset: node.reset === 'hard', shape };
}

/** Walks from a spiking layer to the next one (or the output) through one Conv2d/Dense. */
function followLink(
  graph: Graph,
  from: SpikeNode,
  layer: EventSpikingLayer,
  shapes: ReadonlyMap<string, readonly number[]>,
  next: SpikeNode | null,
): { synapses: EventSynapses } | { reason: string } {
  let pool: [number, number] = [1, 1];
  let flat = layer.shape.length !== 3;
  let linear: Conv2dNode | DenseNode | null = null;
  let value = from.output;
  if (value === graph.output)
    return { reason: `the readout is the spiking layer '${from.name}' (a spiking readout runs on the dense engine)` };
  for (;;) {
    const consumers = consumersOf(graph, value);
    if (value === graph.output) break;
    if (consumers.length !== 1) return { reason: `'${value}' feeds ${consumers.length} nodes (branches run on the dense engine)` };
    const node: Node = consumers[0];
    if (node === next) break;
    if (node.inputs.length !== 1) return { reason: `'${node.name}' (${node.op}) merges values (runs on the dense engine)` };
    const refusal = linear ? afterLinear(node) : beforeLinear(node, shapes.get(value)!, pool, flat);
    if (refusal) return { reason: refusal };
    if (node.op === 'AvgPool') pool = [pool[0] * node.kernel[0], pool[1] * node.kernel[1]];
    if (node.op === 'GlobalAvgPool') pool = [layer.grid.height, layer.grid.width];
    if (node.op === 'Flatten' || node.op === 'Reshape') flat = true;
    if (node.op === 'Conv2d' || node.op === 'Dense') linear = node;
    value = node.output;
  }
  if (!linear) return { reason: `no Conv2d/Dense after '${from.name}'` };
  if (next && value !== next.inputs[0]) return { reason: `'${next.name}' is not fed by the chain after '${from.name}'` };
  const output = grid(shapes.get(linear.output)!);
  if (
    linear.op === 'Dense' &&
    linear.weight.shape[1] !== (layer.grid.channels * layer.grid.height * layer.grid.width) / (pool[0] * pool[1])
  )
    return { reason: `'${linear.name}': its ${linear.weight.shape[1]} inputs do not match the flattened spiking layer` };
  return { synapses: linear.op === 'Conv2d' ? convSynapses(linear, layer, pool, output) : denseSynapses(linear, layer, pool, output) };
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
    case 'Flatten':
    case 'Reshape':
    case 'Identity':
    case 'Dropout':
      return null;
    case 'Conv2d':
      if (flat) return `'${node.name}': Conv2d after Flatten`;
      return node.groups === 1 && node.dilations.every((d) => d === 1) ? null : `'${node.name}': grouped or dilated Conv2d`;
    case 'Dense':
      return flat ? null : `'${node.name}': Dense on a 3-D value`;
    default:
      return `'${node.name}' (${node.op}) between spiking layers`;
  }
}

function afterLinear(node: Node): string | null {
  const shapeOnly = node.op === 'Flatten' || node.op === 'Reshape' || node.op === 'Identity' || node.op === 'Dropout';
  return shapeOnly ? null : `'${node.name}' (${node.op}) after a Conv2d/Dense`;
}

function amplitude(layer: EventSpikingLayer, channel: number): number {
  return layer.threshold[channel];
}

function pooled(from: EventSpikingLayer, pool: readonly [number, number]): EventGrid {
  return { ...from.grid, height: from.grid.height / pool[0], width: from.grid.width / pool[1] };
}

function convSynapses(node: Conv2dNode, from: EventSpikingLayer, pool: readonly [number, number], output: EventGrid): EventSynapses {
  const [cout, cin, kh, kw] = node.weight.shape;
  const weights = new Float32Array(kh * kw * cin * output.paddedChannels);
  for (let ky = 0; ky < kh; ky++) {
    for (let kx = 0; kx < kw; kx++) {
      for (let ci = 0; ci < cin; ci++) {
        const scale = amplitude(from, ci) / (pool[0] * pool[1]);
        const row = ((ky * kw + kx) * cin + ci) * output.paddedChannels;
        for (let c = 0; c < cout; c++) weights[row + c] = scale * node.weight.data[((c * cin + ci) * kh + ky) * kw + kx];
      }
    }
  }
  return {
    pool,
    input: pooled(from, pool),
    output,
    kernel: [kh, kw],
    strides: node.strides,
    pads: [node.pads[0], node.pads[1]],
    weights,
    bias: paddedBias(node.bias?.data ?? null, cout, output.paddedChannels),
  };
}

function denseSynapses(node: DenseNode, from: EventSpikingLayer, pool: readonly [number, number], output: EventGrid): EventSynapses {
  const [fout, fin] = node.weight.shape;
  const input = pooled(from, pool);
  const { height: H, width: W, channels: cin } = input;
  const weights = new Float32Array(H * W * cin * output.paddedChannels);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      for (let ci = 0; ci < cin; ci++) {
        const scale = amplitude(from, ci) / (pool[0] * pool[1]);
        const feature = (ci * H + y) * W + x;
        const row = ((y * W + x) * cin + ci) * output.paddedChannels;
        for (let c = 0; c < fout; c++) weights[row + c] = scale * node.weight.data[c * fin + feature];
      }
    }
  }
  return {
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

function paddedBias(bias: Float32Array | null, channels: number, padded: number): Float32Array {
  const out = new Float32Array(padded);
  if (bias) out.set(bias.subarray(0, channels));
  return out;
}
