/**
 * What a simulation is asked and what it answers, shared by the engines and the simulator that
 * chooses between them. Both engines record, for every image, the readout's
 *   prediction(t) = argmax_k Σ_{τ≤t} I_k(τ)       for every t = 1..T
 * so one simulation of T steps gives the accuracy at every t.
 */
import type { SpikePrecision } from '../backend/backend.js';
import type { Encoder } from './encoders.js';
import type { EarlyExitOptions } from './exit/exit-rule.js';
import type { ExitSummary } from './exit/steps-summary.js';
import type { ReadoutTrace } from './exit/readout-trace.js';

/** Sees every chunk as it is simulated; for analysis (per-image rates, rasters, membrane traces). */
export interface Probe {
  /**
   * After a spiking layer processed a chunk: `spikes` is [steps × batch × units] (counts per step),
   * `v` the membrane potentials [batch × units] after the chunk's last step (with chunk = 1: every step);
   * for a spiking max pool (SpikeMaxPool) its accumulators, [batch × units of its input].
   * Both buffers are reused by the next chunk: copy what you keep.
   */
  onSpikes?(layer: string, spikes: Float32Array, v: Float32Array, chunk: ChunkInfo): void;
  /** After the readout current of a chunk was accumulated: `current` is [steps × batch × classes] (or [batch × classes] when static). */
  onReadout?(current: Float32Array, isStatic: boolean, chunk: ChunkInfo): void;
}

export interface ChunkInfo {
  /** First step of the chunk (0-based). */
  readonly t0: number;
  readonly steps: number;
  readonly batch: number;
  /** Index of the batch's first image in the data set order. */
  readonly firstImage: number;
  readonly units: number;
}

export interface SimulateOptions {
  readonly T: number;
  /**
   * Dense engine: time steps per chunk (memory ∝ chunk × batch). Default: as many as keep the largest
   * layer's values of a chunk within CHUNK_BYTES, 1 to 8 (on cnn4 one step: faster than 8 and with a
   * third of the memory, docs/design.md).
   */
  readonly chunk?: number;
  readonly batchSize?: number;
  readonly limit?: number;
  readonly encoder?: Encoder;
  /** Also keep every unit's spike count (for firing-rate histograms). */
  readonly unitCounts?: boolean;
  readonly probes?: readonly Probe[];
  /** Batches simulated concurrently (default 2: overlaps the JS thread with ONNX Runtime or the event workers). */
  readonly inFlight?: number;
  readonly onProgress?: (done: number, total: number) => void;
  /**
   * 'event': spikes drive event kernels (WebAssembly, work ∝ synaptic operations; event/); 'dense':
   * every step runs the backend's dense segments (dense/); 'auto' (default): event where the graph
   * lowers to it, no probe is attached and the precision is f32 or int8, dense otherwise (the result's
   * engineNote says why).
   */
  readonly engine?: SimulationEngine | 'auto';
  /**
   * Arithmetic of the layers fed by spikes (default 'f32'). 'int8': u8 spike counts × s8 weights with
   * per-output-channel scales (event engine: its s8 kernels; dense engine: passed to the backend per
   * compile, which runs it where it has integer kernels, ORT). 'int8x2': two int8 halves, dense only.
   */
  readonly precision?: SpikePrecision;
  /** Worker threads of the event engine (default: one per core, at most one per 16 images; 1: in this thread). */
  readonly threads?: number;
  /**
   * Early exit (default none): stop an image once its prediction is decided and record it for the
   * steps left. 'certified' changes no prediction at any t (only the work); 'confidence' is
   * approximate (exit/exit-rule.ts). With exit, the dense engine's default chunk is 1 step (an image
   * stops at the end of the chunk in which it was decided) and no probe may be attached.
   */
  readonly exit?: EarlyExitOptions;
  /**
   * Also return every image's readout trace (exit/readout-trace.ts: a(t) and each step's spikes), on
   * which any exit rule can be replayed exactly. Full simulations only (no exit).
   */
  readonly trace?: boolean;
}

export type SimulationEngine = 'event' | 'dense';

export interface LayerActivity {
  readonly node: string;
  readonly units: number;
  readonly spikes: number;
  /** spikes / (units · steps simulated), steps = images · T without early exit */
  readonly rate: number;
  /** Spike count of every unit summed over images and steps, when requested. */
  readonly unitCounts: Float64Array | null;
}

export interface SimulationResult {
  readonly T: number;
  readonly images: number;
  readonly encoder: string;
  /** Input spikes (events) over all images and steps for a spiking encoder; null for direct (analog) input. */
  readonly inputEvents: number | null;
  /** correctAt[t−1]: images classified correctly after t steps. */
  readonly correctAt: Int32Array;
  readonly accuracyAt: Float64Array;
  readonly layers: readonly LayerActivity[];
  readonly seconds: number;
  readonly engine: SimulationEngine;
  /** Why the dense engine ran when the event engine was possible in principle (null otherwise). */
  readonly engineNote: string | null;
  /** The steps each image used (all T without early exit). */
  readonly exit: ExitSummary;
  /** With `trace`: every image's readout trace; null otherwise. */
  readonly trace: ReadoutTrace | null;
}

/** What an engine hands back; the simulator derives rates and accuracies from it. */
export interface EngineRun {
  readonly images: number;
  readonly correctAt: Int32Array;
  readonly layers: readonly {
    readonly node: string;
    readonly units: number;
    readonly spikes: number;
    readonly unitCounts: Float64Array | null;
  }[];
  readonly inputEvents: number | null;
  /** steps[s]: images that used s steps (1 … T). */
  readonly steps: Int32Array;
  readonly trace: ReadoutTrace | null;
  /** Seconds of simulation (the dense engine: after compiling its plan; the event engine: all of it). */
  readonly seconds: number;
}
