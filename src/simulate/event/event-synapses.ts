/**
 * W′ of the event net's synapses (event-net.ts): the weights a spike entry gathers, θ folded in.
 * A spike of channel ci read with weight r (the pooling map's, spike-windows.ts) adds
 * θ(ci)·r·W[…, ci, …] to the outputs it reaches, so W′ holds one copy per distinct r:
 *   W′[d][ky][kx][ci][c] = θ(ci)·num_d/den_d · W[c, ci, ky, kx]
 * each weight one f64 product rounded to f32 once (fold-threshold.ts: scaleInputs). A sum-pooled
 * read (tiles of P×Q) has the single copy r = 1/(P·Q).
 */
import type { Conv2dNode, DenseNode } from '../../ir/graph.js';
import { scaleInputs } from '../fold-threshold.js';
import type { EventGather, EventGrid, EventSpikingLayer, EventSynapses } from './event-net.js';
import type { Ratio } from './spike-windows.js';

/** How a map reads its spiking layer: through sum pooling (`pool`) or a gather table, with one weight per copy of W′. */
export interface SynapseSource {
  /** Index of the spiking layer in EventNet.layers. */
  readonly index: number;
  readonly layer: EventSpikingLayer;
  /** The grid the linear op reads (pooled, padded or gathered). */
  readonly input: EventGrid;
  readonly pool: readonly [number, number];
  /** Per pixel of `input`: the source pixels and the copy of W′ each is read through; null when sum-pooled. */
  readonly table: GatherTable | null;
  /** The weight of each copy of W′ (one when sum-pooled). */
  readonly factors: readonly Ratio[];
  /** Top and left zero padding of `input` that the kernel adds to its own (a tiled map's empty rows). */
  readonly shift: readonly [number, number];
}

export interface GatherTable {
  readonly offsets: Int32Array;
  readonly sources: Int32Array;
  readonly copies: Int32Array;
}

function amplitude(layer: EventSpikingLayer, channel: number, factor: Ratio): number {
  return (layer.threshold[channel] * factor.num) / factor.den;
}

/** The gather table with copy d as row offset d·rowsPerCopy of W′. */
function gather(table: GatherTable | null, rowsPerCopy: number): EventGather | null {
  if (!table) return null;
  return { offsets: table.offsets, sources: table.sources, rows: table.copies.map((d) => d * rowsPerCopy) };
}

/**
 * W′ of a Conv2d. Groups and dilation become zeros: input channel ci reaches output c only in c's
 * group, and kernel tap (ky, kx) sits at (ky·dy, kx·dx) of a (kh−1)·dy+1 × (kw−1)·dx+1 kernel.
 */
export function convSynapses(node: Conv2dNode, source: SynapseSource, output: EventGrid): EventSynapses {
  const [cout, perGroup, kh, kw] = node.weight.shape;
  const [dy, dx] = node.dilations;
  const [KH, KW] = [(kh - 1) * dy + 1, (kw - 1) * dx + 1];
  const cin = source.input.channels;
  const outPerGroup = cout / node.groups;
  const copy = KH * KW * cin * output.paddedChannels;
  const weights = new Float32Array(source.factors.length * copy);
  source.factors.forEach((factor, d) => {
    const scaled = scaleInputs(node, (ci) => amplitude(source.layer, ci, factor)).weight.data;
    for (let ky = 0; ky < kh; ky++) {
      for (let kx = 0; kx < kw; kx++) {
        for (let c = 0; c < cout; c++) {
          const group = Math.floor(c / outPerGroup);
          for (let k = 0; k < perGroup; k++) {
            const ci = group * perGroup + k;
            const row = ((ky * dy * KW + kx * dx) * cin + ci) * output.paddedChannels;
            weights[d * copy + row + c] = scaled[((c * perGroup + k) * kh + ky) * kw + kx];
          }
        }
      }
    }
  });
  return {
    from: source.index,
    pool: source.pool,
    gather: gather(source.table, KH * KW * cin),
    input: source.input,
    output,
    kernel: [KH, KW],
    strides: node.strides,
    pads: [node.pads[0] + source.shift[0], node.pads[1] + source.shift[1]],
    weights,
    bias: paddedBias(node.bias?.data ?? null, cout, output.paddedChannels),
  };
}

/** W′ of a Dense after Flatten: a kernel over the whole read grid, W′[y, x, ci, c] = θ(ci)·r · W[c, (ci·H + y)·W + x]. */
export function denseSynapses(node: DenseNode, source: SynapseSource, output: EventGrid): EventSynapses {
  const [fout, fin] = node.weight.shape;
  const { input } = source;
  const { height: H, width: W, channels: cin } = input;
  const copy = H * W * cin * output.paddedChannels;
  const weights = new Float32Array(source.factors.length * copy);
  source.factors.forEach((factor, d) => {
    // Feature f of the flattened read grid is channel ⌊f / (H·W)⌋.
    const scaled = scaleInputs(node, (f) => amplitude(source.layer, Math.floor(f / (H * W)), factor)).weight.data;
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        for (let ci = 0; ci < cin; ci++) {
          const feature = (ci * H + y) * W + x;
          const row = d * copy + ((y * W + x) * cin + ci) * output.paddedChannels;
          for (let c = 0; c < fout; c++) weights[row + c] = scaled[c * fin + feature];
        }
      }
    }
  });
  return {
    from: source.index,
    pool: source.pool,
    gather: gather(source.table, H * W * cin),
    input,
    output,
    kernel: [H, W],
    strides: [1, 1],
    pads: [0, 0],
    weights,
    bias: paddedBias(node.bias?.data ?? null, fout, output.paddedChannels),
  };
}

/** A spiking layer added in as it is read (a residual shortcut, after optional pooling or padding): a 1×1 kernel W′ = θ·r·I. */
export function identitySynapses(source: SynapseSource, output: EventGrid): EventSynapses {
  const { input } = source;
  const weights = new Float32Array(source.factors.length * input.channels * output.paddedChannels);
  source.factors.forEach((factor, d) => {
    const row = d * input.channels;
    for (let c = 0; c < input.channels; c++) weights[(row + c) * output.paddedChannels + c] = amplitude(source.layer, c, factor);
  });
  return {
    from: source.index,
    pool: source.pool,
    gather: gather(source.table, input.channels),
    input,
    output,
    kernel: [1, 1],
    strides: [1, 1],
    pads: [source.shift[0], source.shift[1]],
    weights,
    bias: new Float32Array(output.paddedChannels),
  };
}

function paddedBias(bias: Float32Array | null, channels: number, padded: number): Float32Array {
  const out = new Float32Array(padded);
  if (bias) out.set(bias.subarray(0, channels));
  return out;
}
