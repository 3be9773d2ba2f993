/**
 * The compute seam. A backend compiles a graph (or a piece of one) once and then runs it on
 * batches many times; the simulator compiles one piece per linear segment between spiking layers.
 *
 * Contract: `run` returns, for every name in `outputs`, the value the reference backend defines
 * for that graph (to 1e-5 relative), and never mutates its inputs.
 */
import type { Graph } from '../ir/graph.js';
import type { Tensor } from '../tensor/tensor.js';

export interface CompileOptions {
  /** Values to return; defaults to [graph.output]. Any node output may be requested. */
  readonly outputs?: readonly string[];
  /**
   * The input holds only small non-negative integers, exact in u8: spike counts (0/1, or 0..γ for
   * burst neurons) whose amplitude θ is folded into the weights. A backend may then run the first
   * Conv2d/Dense on integer kernels (ORT with precision 'int8'); others ignore it.
   */
  readonly binaryInput?: boolean;
  /** With `binaryInput`: the largest value the input holds (γ; default 1). */
  readonly inputMax?: number;
}

export interface CompiledGraph {
  readonly outputs: readonly string[];
  /** Feeds the graph input (shape [N, …]) and returns the requested values. */
  run(input: Tensor): Promise<ReadonlyMap<string, Tensor>>;
  dispose(): Promise<void>;
}

export interface Backend {
  readonly name: string;
  /**
   * The arithmetic of segments compiled with `binaryInput`, for fast backends. The simulator picks its
   * (f32) event engine automatically only where this is 'f32'; a backend without it (the reference,
   * the oracle) is simulated with the dense engine unless asked otherwise.
   */
  readonly spikePrecision?: string;
  compile(graph: Graph, options?: CompileOptions): Promise<CompiledGraph>;
}

export class BackendError extends Error {
  override readonly name = 'BackendError';
}
