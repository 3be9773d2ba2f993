/**
 * The compute seam. A backend compiles a graph (or a piece of one) once and then runs it on
 * batches many times; the simulator compiles one piece per linear segment between spiking layers.
 *
 * Contract: `run` returns, for every name in `outputs`, the value the reference backend defines
 * for that graph (to 1e-5 relative), and never mutates its inputs.
 */
import type { Graph } from '../ir/graph.js';
import type { Tensor } from '../tensor/tensor.js';

/**
 * Arithmetic of the layers fed by spike counts: 'f32'; 'int8': u8 counts × s8 weights with
 * per-output-channel scales (~8-bit weights); 'int8x2': the weights as two int8 halves (~16-bit).
 */
export type SpikePrecision = 'f32' | 'int8' | 'int8x2';
export const SPIKE_PRECISIONS: readonly SpikePrecision[] = ['f32', 'int8', 'int8x2'];

export interface CompileOptions {
  /** Values to return; defaults to [graph.output]. Any node output may be requested. */
  readonly outputs?: readonly string[];
  /**
   * The input holds spike counts per unit and step (0/1, 0..γ for burst neurons, −1/0/1 for signed
   * neurons; small integers in [inputMin, inputMax]) whose amplitude θ is folded into the weights. A backend may then run the first
   * Conv2d/Dense on integer kernels (ORT with precision 'int8'); others ignore it.
   */
  readonly spikeCountInput?: boolean;
  /** With `spikeCountInput`: the largest value the input holds (γ; default 1). */
  readonly inputMax?: number;
  /** With `spikeCountInput`: the least value the input holds (default 0; −1 for signed neurons, which u8 cannot hold). */
  readonly inputMin?: number;
  /**
   * With `spikeCountInput`: the arithmetic of the first Conv2d/Dense (default 'f32'). A backend with
   * integer kernels (ORT) runs 'int8'/'int8x2' there, where the graph allows it; a backend without
   * them computes in f32. Chosen per compile by the simulator (SimulateOptions.precision).
   */
  readonly precision?: SpikePrecision;
}

export interface CompiledGraph {
  readonly outputs: readonly string[];
  /** Feeds the graph input (shape [N, …]) and returns the requested values. */
  run(input: Tensor): Promise<ReadonlyMap<string, Tensor>>;
  dispose(): Promise<void>;
}

export interface Backend {
  readonly name: string;
  compile(graph: Graph, options?: CompileOptions): Promise<CompiledGraph>;
}

export class BackendError extends Error {
  override readonly name = 'BackendError';
}
