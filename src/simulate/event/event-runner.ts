/**
 * Runs an event net (event-net.ts) on the WebAssembly kernels (assembly/event-kernels.ts), one image
 * at a time for all T steps: per step layer 0 integrates its constant current (or draws the input's
 * Bernoulli spikes), each further layer gathers the rows of W' its input spikes select, map after
 * map, and fires in the pass of its last map, and the readout's current is scored. All state of one image (membranes and spike lists) lives in the module's
 * memory, laid out once; nothing is allocated in the time loop, and memory does not depend on T.
 * With precision 'int8' the synapses hold s8 weights with a scale per output channel
 * (src/quantize/quantize-weights.ts) and sum exactly (i16 lanes widened into i32) before the f32 neurons.
 */
import type { EventGrid, EventNet, EventSpikingLayer, EventSynapses } from './event-net.js';
import { quantizeChannelsLast } from '../../quantize/quantize-weights.js';
import { ExitWatch, type ExitRule } from '../exit/exit-rule.js';
import { platform } from '../../host/platform.js';

/** Below this address: scratch and tables of the kernels (written by their `init`). */
const RESERVED = 512;
/** Spike lists are written whole four lanes at a time: room past the last entry. */
const LIST_SLACK = 16;

export type EventPrecision = 'f32' | 'int8';

interface Kernels {
  readonly memory: WebAssembly.Memory;
  /** γ of the layer being fired. */
  readonly burst: WebAssembly.Global;
  convStep(...args: number[]): number;
  convStepI8(...args: number[]): number;
  denseStep(...args: number[]): number;
  denseStepI8(...args: number[]): number;
  constantStep(...args: number[]): number;
  poolLists(...args: number[]): void;
  gatherLists(...args: number[]): void;
  init(): void;
  entryLists(...args: number[]): void;
  bernoulliStep(...args: number[]): number;
  maxPoolStep(...args: number[]): number;
}

let compiled: WebAssembly.Module | null = null;

/**
 * The compiled kernels, from the host's bytes (`platform().eventKernels()`: build/event-kernels.wasm,
 * built by `npm run build:wasm`, which `npm ci` runs; a BackendError when not built).
 */
export function eventKernelsModule(): WebAssembly.Module {
  compiled ??= new WebAssembly.Module(new Uint8Array(platform().eventKernels())); // a copy: the module takes no shared buffer
  return compiled;
}

interface LayerBuffers {
  readonly layer: EventSpikingLayer;
  readonly pixels: number;
  readonly v: number;
  readonly threshold: number;
  readonly idx: number;
  readonly off: number;
  /** A spiking max pool's accumulators (i32 per unit of its source, channels-last); 0 for a neuron layer. */
  readonly accumulators: number;
}

interface SynapseBuffers {
  readonly synapses: EventSynapses;
  readonly weights: number;
  readonly bias: number;
  /** Per-channel scale of int8 weights; 0 for f32. */
  readonly scale: number;
  /** The input spikes as entries (weight-row offsets, see the kernels), in the pooled grid's CSR when pooled. */
  readonly entries: number;
  /** The pooled (or gathered) CSR offsets; null when not pooled (the spiking layer's own offsets). */
  readonly pooledOff: number | null;
  /** The gather table: offsets per read pixel, then (source pixel, first row) pairs; 0 when not gathered. */
  readonly gatherOff: number;
  readonly gatherTaps: number;
  /** Bytes per row of W' (coutPad × 4 for f32, × 1 for int8). */
  readonly rowBytes: number;
}

/**
 * With spiking input: where this image's spikes sit in its Bernoulli stream. Input j of the image
 * (graph order) at step t compares the float of index t·stride + first + j.
 */
export interface InputStream {
  readonly seed: number;
  /** Inputs per step in the stream (the image's inputs: one stream per image). */
  readonly stride: number;
  /** Index of the image's first input in the stream (0: one stream per image). */
  readonly first: number;
}

/** One map of one step: spike lists → entries, then the kernel (returns the spikes it fired). */
interface MapCall {
  readonly entries: () => void;
  readonly kernel: () => number;
}

function runCalls(calls: readonly MapCall[]): number {
  let spikes = 0;
  for (const call of calls) {
    call.entries();
    spikes += call.kernel();
  }
  return spikes;
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
  private readonly layers: LayerBuffers[];
  /** layerCalls[i]: one step of layers[i] (none for layer 0, which `runImage` steps itself). */
  private readonly layerCalls: MapCall[][];
  private readonly readoutCalls: MapCall[];
  /** The output's current; with several maps into it, also where they add up. */
  private readonly readoutCurrent: number;
  /** Where layer 0's input current (or, with spiking input, the image) of the current image lies. */
  private readonly layer0Input: number;
  /** Scratch rows of the single-pixel (dense) kernels: f32 (or i32) and i16. */
  private readonly accumulator: number;
  private readonly accumulator16: number;
  /** The whole memory as i32 words (it never grows after construction). */
  private readonly words: Int32Array;
  private top = RESERVED;

  constructor(
    private readonly net: EventNet,
    private readonly precision: EventPrecision = 'f32',
  ) {
    const instance = new WebAssembly.Instance(eventKernelsModule(), {});
    this.kernels = instance.exports as unknown as Kernels;
    // Lay everything out, grow the memory once, then fill it.
    this.layers = net.layers.map((layer) => this.layLayer(layer));
    const inputs = net.inputs.map((list) => list.map((s) => this.laySynapses(s, net.layers[s.from], precision === 'int8')));
    const readout = net.readout.map((s) => this.laySynapses(s, net.layers[s.from], precision === 'int8'));
    // Per layer with several inputs, where their currents add up (0: one input).
    const partialCurrents = net.layers.map((l, i) =>
      net.inputs[i].length > 1 ? this.alloc(pixelsOf(l.grid) * l.grid.paddedChannels * 4) : 0,
    );
    this.readoutCurrent = this.alloc(net.readout[0].output.paddedChannels * 4);
    this.layer0Input = this.alloc(pixelsOf(net.layers[0].grid) * net.layers[0].grid.paddedChannels * 4);
    const synapses = [...inputs.flat(), ...readout];
    const widest = Math.max(...synapses.map((s) => s.synapses.output.paddedChannels));
    this.accumulator = this.alloc(widest * 4);
    this.accumulator16 = this.alloc(widest * 2);
    this.layerCalls = inputs.map((maps, i) =>
      this.layers[i].layer.maxPool ? [this.maxPoolCall(this.layers[i])] : this.mapCalls(maps, this.layers[i], partialCurrents[i]),
    );
    this.readoutCalls = this.mapCalls(readout, null, this.readoutCurrent);
    this.kernels.memory.grow(Math.max(0, Math.ceil((this.top - this.kernels.memory.buffer.byteLength) / 65536)));
    this.kernels.init();
    this.words = new Int32Array(this.kernels.memory.buffer);
    for (const l of this.layers) this.f32(l.threshold, l.layer.threshold.length).set(l.layer.threshold);
    synapses.forEach((s) => {
      const q = precision === 'int8' ? quantizeChannelsLast(s.synapses.weights, s.synapses.output.paddedChannels) : null;
      if (q) {
        new Int8Array(this.kernels.memory.buffer, s.weights, q.q.length).set(q.q);
        this.f32(s.scale, q.scale.length).set(q.scale);
      } else {
        this.f32(s.weights, s.synapses.weights.length).set(s.synapses.weights);
      }
      this.f32(s.bias, s.synapses.bias.length).set(s.synapses.bias);
      const { gather } = s.synapses;
      if (gather) {
        this.words.set(gather.offsets, s.gatherOff >> 2);
        const taps = this.words.subarray(s.gatherTaps >> 2, (s.gatherTaps >> 2) + 2 * gather.sources.length);
        gather.sources.forEach((p, k) => taps.set([p, gather.rows[k]], 2 * k));
      }
    });
  }

  /**
   * Simulates one image for T = correctAt.length steps. `layer0Input` is layer 0's current for this image
   * in graph order ([C, H, W] or [F]), or with `stream` the image itself (values in [0, 1]). Scores the image at every t, as the dense engine does:
   *   prediction(t) = argmax_k Σ_{τ≤t} I_k(τ)  (first on ties);  correctAt[t − 1] += [prediction(t) = label]
   * With an exit rule, the image stops once its prediction k is decided (exit-rule.ts) and k is
   * recorded for the steps left. With `trace` it also records a(t) [T × classes] and each step's
   * spikes per layer [T × (layers + column0)] (exit/readout-trace.ts). Returns the steps simulated.
   */
  runImage(
    layer0Input: Float32Array,
    label: number,
    correctAt: Int32Array,
    tally: ImageTally,
    stream: InputStream | null = null,
    exit: ExitRule | null = null,
    trace: { readonly readout: Float64Array; readonly spikes: Float32Array; readonly column0: number } | null = null,
  ): number {
    const { net, kernels } = this;
    const first = this.layers[0];
    writeChannelsLast(layer0Input, first.layer.grid, this.f32(this.layer0Input, first.layer.initialPotential.length));
    for (const l of this.layers) {
      this.f32(l.v, l.layer.initialPotential.length).set(l.layer.initialPotential);
      if (l.accumulators)
        this.words.fill(0, l.accumulators >> 2, (l.accumulators >> 2) + unitsOf(this.layers[l.layer.maxPool!.from].layer.grid));
    }
    const current = this.f32(this.readoutCurrent, net.classes);
    const cumulative = new Float64Array(net.classes);
    const watch = exit && new ExitWatch(exit, 1);
    const T = correctAt.length;
    const columns = trace ? this.layers.length + trace.column0 : 0;
    for (let t = 0; t < T; t++) {
      const { grid } = first.layer;
      kernels.burst.value = first.layer.maxSpikesPerStep;
      const inputSpikes = stream
        ? kernels.bernoulliStep(
            this.layer0Input,
            first.pixels,
            grid.channels,
            grid.paddedChannels,
            stream.seed,
            (Math.imul(t, stream.stride) + stream.first) >>> 0,
            first.idx,
            first.off,
          )
        : kernels.constantStep(
            this.layer0Input,
            first.pixels,
            grid.paddedChannels,
            first.threshold,
            first.v,
            first.idx,
            first.off,
            +first.layer.hardReset,
          );
      tally.spikes[0] += inputSpikes;
      if (trace) trace.spikes[t * columns + trace.column0] = inputSpikes;
      if (tally.unitCounts) this.countUnits(0, tally.unitCounts[0]);
      for (let i = 1; i < this.layers.length; i++) {
        kernels.burst.value = this.layers[i].layer.maxSpikesPerStep;
        const n = runCalls(this.layerCalls[i]);
        tally.spikes[i] += n;
        if (trace) trace.spikes[t * columns + i + trace.column0] = n;
        if (tally.unitCounts) this.countUnits(i, tally.unitCounts[i]);
      }
      runCalls(this.readoutCalls);
      let best = 0;
      for (let k = 0; k < net.classes; k++) {
        cumulative[k] += current[k];
        if (cumulative[k] > cumulative[best]) best = k;
      }
      if (best === label) correctAt[t]++;
      trace?.readout.set(cumulative, t * net.classes);
      if (watch?.decided(0, t + 1, cumulative, 0, best)) {
        if (best === label) for (let u = t + 1; u < T; u++) correctAt[u]++;
        return t + 1;
      }
    }
    return T;
  }

  /**
   * The calls of one step of a layer (or, with `into` null, of the output), their arguments fixed
   * here so that the time loop only calls: each map turns its source's spike lists into entries and
   * adds its currents to what the previous maps left in `partial`; the last one fires the layer (or
   * leaves the sum in `partial`, the output's current).
   */
  private mapCalls(maps: readonly SynapseBuffers[], into: LayerBuffers | null, partial: number): MapCall[] {
    return maps.map((s, i) => {
      const fires = i === maps.length - 1 && into !== null;
      return { entries: this.entriesCall(s), kernel: this.kernelCall(s, fires ? into : null, fires ? 0 : partial, i > 0 ? partial : 0) };
    });
  }

  /** One step of a spiking max pool: its source's spike lists → accumulators → its own spike lists. */
  private maxPoolCall(pool: LayerBuffers): MapCall {
    const { from, kernel } = pool.layer.maxPool!;
    const source = this.layers[from];
    const { height, width, channels } = source.layer.grid;
    const { grid } = pool.layer;
    const step = this.kernels.maxPoolStep.bind(
      null,
      source.idx,
      source.off,
      height,
      width,
      kernel[0],
      kernel[1],
      grid.height,
      grid.width,
      channels,
      pool.accumulators,
      pool.idx,
      pool.off,
    );
    return { entries: () => {}, kernel: step };
  }

  /** Spike lists of the map's source → entries (pooled when the map pools). */
  private entriesCall(s: SynapseBuffers): () => void {
    const from = this.layers[s.synapses.from];
    const { input, pool } = s.synapses;
    const { poolLists, entryLists, gatherLists } = this.kernels;
    if (s.synapses.gather)
      return gatherLists.bind(
        null,
        from.idx,
        from.off,
        input.width,
        pixelsOf(input),
        input.channels,
        s.rowBytes,
        s.gatherOff,
        s.gatherTaps,
        s.entries,
        s.pooledOff!,
      );
    return s.pooledOff !== null
      ? poolLists.bind(
          null,
          from.idx,
          from.off,
          from.layer.grid.width,
          pool[0],
          pool[1],
          input.height,
          input.width,
          input.channels,
          s.rowBytes,
          s.entries,
          s.pooledOff,
        )
      : entryLists.bind(null, from.idx, from.off, input.height, input.width, input.channels, s.rowBytes, s.entries);
  }

  /** The map's kernel: into the neurons `into`, or with `into` null into the currents at `target`; plus the currents at `extra`. */
  private kernelCall(s: SynapseBuffers, into: LayerBuffers | null, target: number, extra: number): () => number {
    const { input, output, kernel, strides, pads } = s.synapses;
    const off = s.pooledOff ?? this.layers[s.synapses.from].off;
    const int8 = this.precision === 'int8';
    const k = this.kernels;
    const neurons = into ? [into.threshold, into.v, extra, into.idx, into.off, 0, +into.layer.hardReset] : [0, target, extra, 0, 0, 1, 0];
    const inputs = [s.entries, off, input.height, input.width, input.channels, s.weights, s.bias, ...(int8 ? [s.scale] : [])];
    const dense =
      output.height * output.width === 1 && kernel[0] === input.height && kernel[1] === input.width && pads[0] === 0 && pads[1] === 0;
    if (dense) {
      const scratch = int8 ? [this.accumulator16, this.accumulator] : [this.accumulator];
      return (int8 ? k.denseStepI8 : k.denseStep).bind(null, ...inputs, output.paddedChannels, ...scratch, ...neurons);
    }
    const geometry = [kernel[0], kernel[1], strides[0], strides[1], pads[0], pads[1], output.height, output.width, output.paddedChannels];
    return (int8 ? k.convStepI8 : k.convStep).bind(null, ...inputs, ...geometry, ...neurons);
  }

  private countUnits(layer: number, counts: Float64Array): void {
    const l = this.layers[layer];
    const words = this.words;
    const off = l.off >> 2;
    const idx = l.idx >> 2;
    for (let p = 0; p < l.pixels; p++) for (let k = words[off + p]; k < words[off + p + 1]; k++) counts[words[idx + k] * l.pixels + p]++;
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
    const pooled = layer.maxPool ? this.net.layers[layer.maxPool.from].grid : null;
    return {
      layer,
      pixels,
      threshold,
      v: this.alloc(units * 4),
      idx: this.alloc(units * layer.maxSpikesPerStep * 4 + LIST_SLACK),
      off: this.alloc((pixels + 1) * 4),
      accumulators: pooled ? this.alloc(unitsOf(pooled) * 4) : 0,
    };
  }

  private laySynapses(synapses: EventSynapses, from: EventSpikingLayer, int8: boolean): SynapseBuffers {
    const channels = synapses.output.paddedChannels;
    const { gather } = synapses;
    // A gathered spike is listed once per read pixel that reads its pixel.
    const listed = gather ? gather.sources.length : pixelsOf(from.grid);
    return {
      synapses,
      rowBytes: int8 ? channels : channels * 4,
      entries: this.alloc(listed * from.grid.paddedChannels * from.maxSpikesPerStep * 4),
      pooledOff: synapses.pool[0] * synapses.pool[1] !== 1 || gather ? this.alloc((pixelsOf(synapses.input) + 1) * 4) : null,
      gatherOff: gather ? this.alloc(gather.offsets.length * 4) : 0,
      gatherTaps: gather ? this.alloc(gather.sources.length * 8) : 0,
      weights: this.alloc(synapses.weights.length * (int8 ? 1 : 4)),
      scale: int8 ? this.alloc(channels * 4) : 0,
      bias: this.alloc(channels * 4),
    };
  }
}

function pixelsOf(grid: EventGrid): number {
  return grid.height * grid.width;
}

/** Units of a grid without its channel padding (a max pool's accumulators). */
function unitsOf(grid: EventGrid): number {
  return grid.height * grid.width * grid.channels;
}

/** [C, H, W] (graph order) → [H·W, paddedChannels] (zeros in the padding). */
function writeChannelsLast(source: Float32Array, grid: EventGrid, target: Float32Array): void {
  const pixels = pixelsOf(grid);
  target.fill(0);
  for (let c = 0; c < grid.channels; c++) {
    for (let p = 0; p < pixels; p++) target[p * grid.paddedChannels + c] = source[c * pixels + p];
  }
}
