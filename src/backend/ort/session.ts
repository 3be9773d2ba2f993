/**
 * ONNX Runtime sessions, one home for their options: the backend (on the JS thread and in its
 * worker) and the training engine open every session with `ortSessionOptions`. ONNX Runtime is the
 * host's (`platform().ort`: the Node package or the web one).
 */
import type * as ort from 'onnxruntime-common';
import { platform } from '../../host/platform.js';
import { BackendError } from '../backend.js';

/** How a caller departs from the backend's defaults. */
export interface OrtSessionTuning {
  /** Graph optimization level (default 'all'). */
  readonly optimization?: 'basic' | 'extended' | 'all';
  /**
   * Whether pool threads spin between parallel sections (ONNX Runtime's default). Default false:
   * the simulator runs its neuron updates on the JS thread between session runs, and on 2 cores a
   * spinning pool thread starved it (cnn4 SNN at 2 threads: 11.0 s spinning, 7.4 s not; ANN
   * inference unchanged). Training, with nothing between its runs, keeps ONNX Runtime's default.
   */
  readonly spinning?: boolean;
  /**
   * Whether ONNX Runtime prints warnings. Default false: it warns about symbolic output dims it
   * cannot verify, and the backend's shapes come from the IR's own inference.
   */
  readonly warnings?: boolean;
}

/**
 * Session options: the host's execution providers (CPU on Node, WebAssembly in a browser),
 * `threads` intra-op threads, one inter-op thread, sequential execution, all graph optimizations,
 * pool threads not spinning and warnings silenced unless `tuning` says otherwise. A plain object:
 * the off-thread host posts it to its worker.
 */
export function ortSessionOptions(threads = 1, tuning: OrtSessionTuning = {}): ort.InferenceSession.SessionOptions {
  if (!Number.isInteger(threads) || threads < 1) throw new BackendError(`ort backend: threads must be a positive integer, got ${threads}`);
  return {
    executionProviders: [...platform().ortExecutionProviders],
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: tuning.optimization ?? 'all',
    executionMode: 'sequential',
    ...(tuning.warnings === true ? {} : { logSeverityLevel: 3 as const }),
    ...(tuning.spinning === true ? {} : { extra: { session: { intra_op: { allow_spinning: '0' } } } }),
  };
}

/** Opens a session on ONNX bytes with `ortSessionOptions(threads, tuning)`. */
export async function createOrtSession(bytes: Uint8Array, threads = 1, tuning: OrtSessionTuning = {}): Promise<ort.InferenceSession> {
  return platform().ort.InferenceSession.create(bytes, ortSessionOptions(threads, tuning));
}
