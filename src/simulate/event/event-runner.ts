/**
 * Runs an event net (event-net.ts) on the WebAssembly kernels (assembly/event-kernels.ts), one image
 * at a time for all T steps: per step the first layer integrates its constant current, each further
 * layer gathers the rows of W' its input spikes select and fires (one fused pass), and the readout's
 * current is recorded. All state of one image (membranes and spike lists) lives in the module's
 * memory, laid out once; nothing is allocated in the time loop, and memory does not depend on T.
 */
import { readFileSync } from 'node:fs';
import type { EventGrid, EventNet, EventSpikingLayer, EventSynapses } from './event-net.js';

const WASM_URL = new URL('../../../build/event-kernels.wasm', import.meta.url);

interface Kernels {
  readonly memory: WebAssembly.Memory;
  convStep(...args: number[]): number;
  constantStep(...args: number[]): number;
  poolLists(...args: number[]): number;
  entryLists(...args: number[]): number;
  denseStep(...args: number[]): number;
}

let compiled: WebAssembly.Module | null = null;

/** The compiled kernels (built by `npm run build:wasm`, which `npm ci` runs). */
export function eventKernelsModule(): WebAssembly.Module {
  if (compiled) return compiled;
  let bytes: Buffer;
  try {
    bytes = readFileSync(WASM_URL);
  } catch {
    throw new Error(`the event kernels are not built (${WASM_URL.pathname} is missing): run 'npm run build:wasm'`);
  }
  compiled = new WebAssembly.Module(new Uint8Array(bytes));
  return compiled;
}

interface LayerBuffers {
  readonly layer: EventSpikingLayer;
  readonly v: number;
  readonly threshold: number;
  readonly idx: number;
  readonly off: number;
  readonly pixels: number;
}

interface SynapseBuffers {
  readonly synapses: EventSynapses;
  readonly weights: number;
  readonly bias: number;
  /** The input spikes as entries (weight-row offsets, see the kernels), in the pooled grid's CSR when pooled. */
  readonly entries: number;
  /** The pooled CSR offsets; null when not pooled (the spiking layer's own offsets). */
  readonly pooledOff: number | null;
}

/** What one image's simulation adds up. */
export interface ImageTally {
  /** Spikes per spiking layer. */
  readonly spikes: Float64Array;
  /** Per spiking layer, each unit's spike count (graph order: c·H·W + pixel), when requested. */
  readonly unitCounts: readonly Float64Array[] | null;
}

export class EventRunner {
  private readonly kernels: Kernels;
  private readonly layers: LayerBuffers[] = [];
  private readonly synapses: SynapseBuffers[] = [];
  private readonly readout: SynapseBuffers;
  private readonly readoutCurrent: number;
  private readonly drive: number;
  /** Scratch row of the single-pixel (dense) kernel. */
  private readonly accumulator: number;
  private top = 64;

  constructor(private readonly net: EventNet) {
    const instance = new WebAssembly.Instance(eventKernelsModule(), {});
    this.kernels = instance.exports as unknown as Kernels;
    this.kernels.memory.grow(Math.ceil(bytesNeeded(net) / 65536) + 1);
    const all = [net.first, ...net.hidden.map((h) => h.layer)];
    for (const layer of all) this.layers.push(this.layerBuffers(layer));
    net.hidden.forEach((h, i) => this.synapses.push(this.synapseBuffers(h.synapses, all[i])));
    this.readout = this.synapseBuffers(net.readout, all[all.length - 1]);
    this.readoutCurrent = this.alloc(net.readout.output.paddedChannels * 4);
    this.drive = this.alloc(pixelsOf(net.first.grid) * net.first.grid.paddedChannels * 4);
    this.accumulator = this.alloc(Math.max(...[net.readout, ...net.hidden.map((h) => h.synapses)].map((s) => s.output.paddedChannels)) * 4);
  }

  /**
   * Simulates one image for T steps. `drive` is the first layer's current for this image in graph
   * order ([C, H, W] or [F]); writes the readout current of every step to `readout` ([T × classes]).
   */
  runImage(drive: Float32Array, T: number, readout: Float32Array, tally: ImageTally): void {
    const { net, kernels } = this;
    const memory = kernels.memory.buffer;
    writeChannelsLast(
      drive,
      net.first.grid,
      new Float32Array(memory, this.drive, pixelsOf(net.first.grid) * net.first.grid.paddedChannels),
    );
    for (const l of this.layers) new Float32Array(memory, l.v, l.layer.initialPotential.length).set(l.layer.initialPotential);
    const current = new Float32Array(memory, this.readoutCurrent, net.classes);
    for (let t = 0; t < T; t++) {
      const first = this.layers[0];
      const cp = first.layer.grid.paddedChannels;
      tally.spikes[0] += kernels.constantStep(
        this.drive,
        first.pixels,
        cp,
        first.threshold,
        first.v,
        first.idx,
        first.off,
        +first.layer.hardReset,
      );
      if (tally.unitCounts) this.countUnits(0, tally.unitCounts[0]);
      for (let i = 0; i < this.synapses.length; i++) {
        const into = this.layers[i + 1];
        tally.spikes[i + 1] += this.convStep(
          this.layers[i],
          this.synapses[i],
          into.threshold,
          into.v,
          into.idx,
          into.off,
          false,
          into.layer.hardReset,
        );
        if (tally.unitCounts) this.countUnits(i + 1, tally.unitCounts[i + 1]);
      }
      this.convStep(this.layers[this.layers.length - 1], this.readout, 0, this.readoutCurrent, 0, 0, true, false);
      readout.set(current, t * net.classes);
    }
  }

  private convStep(
    from: LayerBuffers,
    s: SynapseBuffers,
    theta: number,
    v: number,
    outIdx: number,
    outOff: number,
    readout: boolean,
    hard: boolean,
  ): number {
    const { input, output, kernel, strides, pads, pool } = s.synapses;
    const rowBytes = output.paddedChannels * 4;
    const off = s.pooledOff ?? from.off;
    if (s.pooledOff !== null) {
      this.kernels.poolLists(
        from.idx,
        from.off,
        from.layer.grid.width,
        pool[0],
        pool[1],
        input.height,
        input.width,
        input.channels,
        rowBytes,
        s.entries,
        off,
      );
    } else {
      this.kernels.entryLists(from.idx, from.off, input.height, input.width, input.channels, rowBytes, s.entries);
    }
    if (output.height * output.width === 1 && kernel[0] === input.height && kernel[1] === input.width && pads[0] === 0 && pads[1] === 0) {
      const args = [s.entries, off, input.height, input.width, input.channels, s.weights, s.bias, output.paddedChannels, this.accumulator];
      return this.kernels.denseStep(...args, theta, v, outIdx, outOff, +readout, +hard);
    }
    return this.kernels.convStep(
      s.entries,
      off,
      input.height,
      input.width,
      input.channels,
      s.weights,
      s.bias,
      kernel[0],
      kernel[1],
      strides[0],
      strides[1],
      pads[0],
      pads[1],
      output.height,
      output.width,
      output.paddedChannels,
      theta,
      v,
      outIdx,
      outOff,
      +readout,
      +hard,
    );
  }

  private countUnits(layer: number, counts: Float64Array): void {
    const l = this.layers[layer];
    const memory = this.kernels.memory.buffer;
    const off = new Int32Array(memory, l.off, l.pixels + 1);
    const idx = new Int32Array(memory, l.idx, off[l.pixels]);
    for (let p = 0; p < l.pixels; p++) for (let k = off[p]; k < off[p + 1]; k++) counts[idx[k] * l.pixels + p]++;
  }

  private alloc(bytes: number): number {
    const at = this.top;
    this.top += Math.ceil(bytes / 64) * 64;
    if (this.top > this.kernels.memory.buffer.byteLength) throw new Error('event runner: memory layout overflow');
    return at;
  }

  private layerBuffers(layer: EventSpikingLayer): LayerBuffers {
    const pixels = pixelsOf(layer.grid);
    const units = pixels * layer.grid.paddedChannels;
    const threshold = this.alloc(layer.threshold.length * 4);
    new Float32Array(this.kernels.memory.buffer, threshold, layer.threshold.length).set(layer.threshold);
    return { layer, pixels, threshold, v: this.alloc(units * 4), idx: this.alloc(units * 4), off: this.alloc((pixels + 1) * 4) };
  }

  private synapseBuffers(synapses: EventSynapses, from: EventSpikingLayer): SynapseBuffers {
    const pooled = synapses.pool[0] * synapses.pool[1] !== 1;
    const entries = this.alloc(pixelsOf(from.grid) * from.grid.paddedChannels * 4);
    const pooledOff = pooled ? this.alloc((pixelsOf(synapses.input) + 1) * 4) : null;
    const weights = this.alloc(synapses.weights.length * 4);
    new Float32Array(this.kernels.memory.buffer, weights, synapses.weights.length).set(synapses.weights);
    const bias = this.alloc(synapses.bias.length * 4);
    new Float32Array(this.kernels.memory.buffer, bias, synapses.bias.length).set(synapses.bias);
    return { synapses, weights, bias, entries, pooledOff };
  }
}

function pixelsOf(grid: EventGrid): number {
  return grid.height * grid.width;
}

/** [C, H, W] (graph order) → [H·W, paddedChannels] (zeros in the padding). */
function writeChannelsLast(source: Float32Array, grid: EventGrid, target: Float32Array): void {
  const pixels = pixelsOf(grid);
  target.fill(0);
  for (let c = 0; c < grid.channels; c++) {
    for (let p = 0; p < pixels; p++) target[p * grid.paddedChannels + c] = source[c * pixels + p];
  }
}

function bytesNeeded(net: EventNet): number {
  const round = (b: number) => Math.ceil(b / 64) * 64;
  const layer = (l: EventSpikingLayer) => {
    const pixels = pixelsOf(l.grid);
    return round(l.threshold.length * 4) + 2 * round(pixels * l.grid.paddedChannels * 4) + round((pixels + 1) * 4);
  };
  const synapses = (s: EventSynapses, from: EventSpikingLayer) =>
    round(s.weights.length * 4) +
    round(s.bias.length * 4) +
    round(pixelsOf(from.grid) * from.grid.paddedChannels * 4) +
    round((pixelsOf(s.input) + 1) * 4);
  const all = [net.first, ...net.hidden.map((h) => h.layer)];
  let total = 64 + layer(net.first) + round(pixelsOf(net.first.grid) * net.first.grid.paddedChannels * 4);
  net.hidden.forEach((h, i) => (total += layer(h.layer) + synapses(h.synapses, all[i])));
  const widest = Math.max(...[net.readout, ...net.hidden.map((h) => h.synapses)].map((s) => s.output.paddedChannels));
  return total + synapses(net.readout, all[all.length - 1]) + round(net.readout.output.paddedChannels * 4) + round(widest * 4);
}
