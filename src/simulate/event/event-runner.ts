/**
 * Runs an event net (event-net.ts) on the WebAssembly kernels (assembly/event-kernels.ts), one image
 * at a time for all T steps: per step the first layer integrates its constant current, each further
 * layer gathers the rows of W' its input spikes select and fires (one fused pass), and the readout's
 * current is recorded. All state of one image (membranes and spike lists) lives in the module's
 * memory, laid out once; nothing is allocated in the time loop, and memory does not depend on T.
 * With precision 'int8' the synapses hold s8 weights with a scale per output channel
 * (event-quantize.ts) and sum in i16/i32 before the f32 neurons.
 */
import { readFileSync } from 'node:fs';
import type { EventGrid, EventNet, EventSpikingLayer, EventSynapses } from './event-net.js';
import { quantizeSynapses } from './event-quantize.js';

const WASM_URL = new URL('../../../build/event-kernels.wasm', import.meta.url);
/** Where the int8 kernels count saturated sums (an i32; the kernels' SATURATED). */
const SATURATED = 32;
/** Below this address: scratch and tables of the kernels (written by their `init`). */
const RESERVED = 512;
/** Spike lists are written whole four lanes at a time: room past the last entry. */
const LIST_SLACK = 16;

export type EventPrecision = 'f32' | 'int8';

interface Kernels {
  readonly memory: WebAssembly.Memory;
  convStep(...args: number[]): number;
  convStepI8(...args: number[]): number;
  denseStep(...args: number[]): number;
  denseStepI8(...args: number[]): number;
  constantStep(...args: number[]): number;
  poolLists(...args: number[]): void;
  init(): void;
  entryLists(...args: number[]): void;
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
  readonly pixels: number;
  readonly v: number;
  readonly threshold: number;
  readonly idx: number;
  readonly off: number;
}

interface SynapseBuffers {
  readonly synapses: EventSynapses;
  readonly weights: number;
  readonly bias: number;
  /** Per-channel scale of int8 weights; 0 for f32. */
  readonly scale: number;
  /** The input spikes as entries (weight-row offsets, see the kernels), in the pooled grid's CSR when pooled. */
  readonly entries: number;
  /** The pooled CSR offsets; null when not pooled (the spiking layer's own offsets). */
  readonly pooledOff: number | null;
  /** Bytes per row of W' (coutPad × 4 for f32, × 1 for int8). */
  readonly rowBytes: number;
}

/** What one image's simulation adds up. */
export interface ImageTally {
  /** Spikes per spiking layer. */
  readonly spikes: Float64Array;
  /** Per spiking layer, each unit's spike count (graph order: c·H·W + pixel), when requested. */
  readonly unitCounts: readonly Float64Array[] | null;
  /** int8: sums of 32 channels in which one reached the i16 limits (kept, not wrapped). */
  saturated: number;
}

export class EventRunner {
  private readonly kernels: Kernels;
  private readonly layers: LayerBuffers[];
  private readonly synapses: SynapseBuffers[];
  private readonly readout: SynapseBuffers;
  private readonly readoutCurrent: number;
  private readonly drive: number;
  /** Scratch rows of the single-pixel (dense) kernels: f32 (or i32) and i16. */
  private readonly accumulator: number;
  private readonly accumulator16: number;
  private top = RESERVED;

  constructor(
    private readonly net: EventNet,
    private readonly precision: EventPrecision = 'f32',
  ) {
    const instance = new WebAssembly.Instance(eventKernelsModule(), {});
    this.kernels = instance.exports as unknown as Kernels;
    const all = [net.first, ...net.hidden.map((h) => h.layer)];
    const quantized = [...net.hidden.map((h) => h.synapses), net.readout].map((s) => (precision === 'int8' ? quantizeSynapses(s) : null));
    // Lay everything out, grow the memory once, then fill it.
    this.layers = all.map((layer) => this.layLayer(layer));
    const synapses = [...net.hidden.map((h) => h.synapses), net.readout].map((s, i) => this.laySynapses(s, all[i], quantized[i] !== null));
    this.synapses = synapses.slice(0, -1);
    this.readout = synapses[synapses.length - 1];
    this.readoutCurrent = this.alloc(net.readout.output.paddedChannels * 4);
    this.drive = this.alloc(pixelsOf(net.first.grid) * net.first.grid.paddedChannels * 4);
    const widest = Math.max(...synapses.map((s) => s.synapses.output.paddedChannels));
    this.accumulator = this.alloc(widest * 4);
    this.accumulator16 = this.alloc(widest * 2);
    this.kernels.memory.grow(Math.max(0, Math.ceil((this.top - this.kernels.memory.buffer.byteLength) / 65536)));
    this.kernels.init();
    for (const l of this.layers) this.f32(l.threshold, l.layer.threshold.length).set(l.layer.threshold);
    synapses.forEach((s, i) => {
      const q = quantized[i];
      if (q) {
        new Int8Array(this.kernels.memory.buffer, s.weights, q.weights.length).set(q.weights);
        this.f32(s.scale, q.scale.length).set(q.scale);
      } else {
        this.f32(s.weights, s.synapses.weights.length).set(s.synapses.weights);
      }
      this.f32(s.bias, s.synapses.bias.length).set(s.synapses.bias);
    });
  }

  /**
   * Simulates one image for T steps. `drive` is the first layer's current for this image in graph
   * order ([C, H, W] or [F]). Scores the image at every t, as the dense engine does:
   *   prediction(t) = argmax_k Σ_{τ≤t} I_k(τ)  (first on ties);  correctAt[t − 1] += [prediction(t) = label]
   */
  runImage(drive: Float32Array, label: number, correctAt: Int32Array, tally: ImageTally): void {
    const { net, kernels } = this;
    writeChannelsLast(drive, net.first.grid, this.f32(this.drive, pixelsOf(net.first.grid) * net.first.grid.paddedChannels));
    for (const l of this.layers) this.f32(l.v, l.layer.initialPotential.length).set(l.layer.initialPotential);
    const saturated = new Int32Array(kernels.memory.buffer, SATURATED, 1);
    saturated[0] = 0;
    const current = this.f32(this.readoutCurrent, net.classes);
    const cumulative = new Float64Array(net.classes);
    const first = this.layers[0];
    for (let t = 0; t < correctAt.length; t++) {
      tally.spikes[0] += kernels.constantStep(
        this.drive,
        first.pixels,
        first.layer.grid.paddedChannels,
        first.threshold,
        first.v,
        first.idx,
        first.off,
        +first.layer.hardReset,
      );
      if (tally.unitCounts) this.countUnits(0, tally.unitCounts[0]);
      for (let i = 0; i < this.synapses.length; i++) {
        const into = this.layers[i + 1];
        tally.spikes[i + 1] += this.step(this.layers[i], this.synapses[i], into, false);
        if (tally.unitCounts) this.countUnits(i + 1, tally.unitCounts[i + 1]);
      }
      this.step(this.layers[this.layers.length - 1], this.readout, null, true);
      let best = 0;
      for (let k = 0; k < net.classes; k++) {
        cumulative[k] += current[k];
        if (cumulative[k] > cumulative[best]) best = k;
      }
      if (best === label) correctAt[t]++;
    }
    tally.saturated += saturated[0];
  }

  /** One step of the synapses from `from` into `into` (or into the readout current). */
  private step(from: LayerBuffers, s: SynapseBuffers, into: LayerBuffers | null, readout: boolean): number {
    const { input, output, kernel, strides, pads, pool } = s.synapses;
    const off = s.pooledOff ?? from.off;
    if (s.pooledOff !== null) {
      const { width } = from.layer.grid;
      this.kernels.poolLists(
        from.idx,
        from.off,
        width,
        pool[0],
        pool[1],
        input.height,
        input.width,
        input.channels,
        s.rowBytes,
        s.entries,
        off,
      );
    } else {
      this.kernels.entryLists(from.idx, from.off, input.height, input.width, input.channels, s.rowBytes, s.entries);
    }
    const int8 = this.precision === 'int8';
    const neurons = [
      into?.threshold ?? 0,
      into?.v ?? this.readoutCurrent,
      into?.idx ?? 0,
      into?.off ?? 0,
      +readout,
      +(into?.layer.hardReset ?? false),
    ];
    const inputs = [s.entries, off, input.height, input.width, input.channels, s.weights, s.bias, ...(int8 ? [s.scale] : [])];
    const dense =
      output.height * output.width === 1 && kernel[0] === input.height && kernel[1] === input.width && pads[0] === 0 && pads[1] === 0;
    if (dense) {
      const scratch = int8 ? [this.accumulator16, this.accumulator] : [this.accumulator];
      return (int8 ? this.kernels.denseStepI8 : this.kernels.denseStep)(...inputs, output.paddedChannels, ...scratch, ...neurons);
    }
    const geometry = [kernel[0], kernel[1], strides[0], strides[1], pads[0], pads[1], output.height, output.width, output.paddedChannels];
    return (int8 ? this.kernels.convStepI8 : this.kernels.convStep)(...inputs, ...geometry, ...neurons);
  }

  private countUnits(layer: number, counts: Float64Array): void {
    const l = this.layers[layer];
    const memory = this.kernels.memory.buffer;
    const off = new Int32Array(memory, l.off, l.pixels + 1);
    const idx = new Int32Array(memory, l.idx, off[l.pixels]);
    for (let p = 0; p < l.pixels; p++) for (let k = off[p]; k < off[p + 1]; k++) counts[idx[k] * l.pixels + p]++;
  }

  private f32(at: number, length: number): Float32Array {
    return new Float32Array(this.kernels.memory.buffer, at, length);
  }

  private alloc(bytes: number): number {
    const at = this.top;
    this.top += Math.ceil(bytes / 64) * 64;
    return at;
  }

  private layLayer(layer: EventSpikingLayer): LayerBuffers {
    const pixels = pixelsOf(layer.grid);
    const units = pixels * layer.grid.paddedChannels;
    const threshold = this.alloc(layer.threshold.length * 4);
    return {
      layer,
      pixels,
      threshold,
      v: this.alloc(units * 4),
      idx: this.alloc(units * 4 + LIST_SLACK),
      off: this.alloc((pixels + 1) * 4),
    };
  }

  private laySynapses(synapses: EventSynapses, from: EventSpikingLayer, int8: boolean): SynapseBuffers {
    const channels = synapses.output.paddedChannels;
    return {
      synapses,
      rowBytes: int8 ? channels : channels * 4,
      entries: this.alloc(pixelsOf(from.grid) * from.grid.paddedChannels * 4),
      pooledOff: synapses.pool[0] * synapses.pool[1] !== 1 ? this.alloc((pixelsOf(synapses.input) + 1) * 4) : null,
      weights: this.alloc(synapses.weights.length * (int8 ? 1 : 4)),
      scale: int8 ? this.alloc(channels * 4) : 0,
      bias: this.alloc(channels * 4),
    };
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
