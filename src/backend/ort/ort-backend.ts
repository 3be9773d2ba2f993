/**
 * The ONNX Runtime backend (the host's `platform().ort`: on the CPU under Node, on WebAssembly in a
 * browser): compile = write the graph as ONNX (`graphToOnnx`) and open one InferenceSession on the
 * bytes; run = one `session.run`. The fast path for every heavy linear op; its results match the
 * reference backend to 1e-5 relative.
 *
 * A graph compiled with `spikeCountInput` and precision 'int8' (or 'int8x2') (a simulator segment fed
 * spike counts) runs its first Conv2d/Dense as u8 × s8 with per-output-channel weight scales
 * (int8-segment.ts); its results then match the reference backend on the dequantized weights
 * (src/quantize/dequantized-graph.ts), not on the f32 ones. Where the integer path does not apply, the graph runs in
 * f32 and the compiled graph says why (`OrtCompiledGraph.fallbackReason`).
 */
import type * as ort from 'onnxruntime-common';
import { platform } from '../../host/platform.js';
import type { Graph } from '../../ir/graph.js';
import { graphToOnnx } from '../../onnx/export-graph.js';
import { tensor, type Tensor } from '../../tensor/tensor.js';
import { BackendError, SPIKE_PRECISIONS, type Backend, type CompiledGraph, type CompileOptions, type SpikePrecision } from '../backend.js';
import { checkInput, nodesToRun } from '../nodes-to-run.js';
import { planInt8 } from '../../quantize/int8-plan.js';
import { int8RowBytes, int8SegmentOnnx } from './int8-segment.js';
import { OrtWorkerHost, type RemoteSession } from './off-thread.js';
import { rowLayout, rowsForBudget, runInRows, type RowLayout } from './row-split.js';
import { createOrtSession, ortSessionOptions } from './session.js';

/** Working-set budget per session run of the dense int8 path (measured best on cnn4 when it was tuned). */
export const INT8_SUB_BATCH_BYTES = 4 << 20;

export interface OrtBackendOptions {
  /** Intra-op threads per session (default 1: the simulator opens many small sessions; benchmarks raise it). */
  readonly threads?: number;
  /**
   * Split large batches into session runs of about this many bytes of intermediates each, so they
   * stay in cache. Default: int8 segments INT8_SUB_BATCH_BYTES, f32 graphs unsplit; 0: never split.
   */
  readonly subBatchBytes?: number;
  /**
   * Host the sessions in a worker thread (off-thread.ts; one per backend, started with the first
   * session and ended with the last): a run then leaves the JS thread free, so the simulator's two
   * batches in flight overlap ONNX Runtime with the neuron updates. Costs an input copy on the JS
   * thread and a message round trip per run, and pays only where the JS thread has a core of its own:
   * 'auto' = threads < platform().cores. Default false. Measured on 2 cores (simulations of
   * several batches): threads 1 7–26 % faster off the thread; threads 2 from 7 % slower (demo-mnist)
   * to 17 % faster (a VGG, int8); a single batch (nothing to overlap) ~10 % slower.
   *
   * In a browser (`platform().name === 'browser'`) the host serves no ONNX Runtime worker: 'auto' is
   * false there and true a BackendError (the page runs the whole simulation in a Web Worker instead,
   * and onnxruntime-web spreads a session's work over its own WebAssembly threads).
   */
  readonly offThread?: boolean | 'auto';
}

/** What a compiled graph of this backend runs. */
export interface OrtCompiledGraph extends CompiledGraph {
  /** 'f32', or the integer precision when the first Conv2d/Dense runs on integer kernels. */
  readonly precision: SpikePrecision;
  /** Why an integer precision was asked for and not used; null otherwise. */
  readonly fallbackReason: string | null;
  /** Rows per session run (null: one run per call). */
  readonly rowsPerRun: number | null;
  /** The session runs in the backend's worker thread. */
  readonly offThread: boolean;
}

/** Wraps an ORT float32 tensor as a Tensor without copying (ORT hands back a fresh JS buffer per run). */
export function fromOrtTensor(name: string, t: ort.Tensor): Tensor {
  if (t.type !== 'float32') throw new BackendError(`ort backend: output '${name}' has type ${t.type}, expected float32`);
  return tensor(t.dims, t.data as Float32Array);
}

export function createOrtBackend(options: OrtBackendOptions = {}): Backend {
  if ('precision' in options) {
    // A JavaScript caller of the old API would otherwise get f32 silently.
    throw new BackendError('ort backend: precision is a simulation option now (simulate(…, { precision })), not a backend option');
  }
  const host = platform();
  const threads = options.threads ?? 1;
  if (!Number.isInteger(threads) || threads < 1 || threads > host.cores * 4) {
    throw new BackendError(`ort backend: threads must be an integer in 1..${host.cores * 4}, got ${threads}`);
  }
  const subBatchBytes = options.subBatchBytes;
  if (subBatchBytes !== undefined && (!Number.isFinite(subBatchBytes) || subBatchBytes < 0)) {
    throw new BackendError(`ort backend: subBatchBytes must be a non-negative number, got ${subBatchBytes}`);
  }
  if (options.offThread !== undefined && typeof options.offThread !== 'boolean' && options.offThread !== 'auto') {
    throw new BackendError(`ort backend: offThread must be true, false or 'auto', got '${String(options.offThread)}'`);
  }
  if (options.offThread === true && host.name === 'browser') {
    throw new BackendError(
      "ort backend: offThread is not available in a browser (the page runs the simulation in a Web Worker of its own; use false or 'auto')",
    );
  }
  const offThread = options.offThread === 'auto' ? host.name !== 'browser' && threads < host.cores : (options.offThread ?? false);
  const workers = offThread ? new OrtWorkerHost() : null;
  return {
    name: 'ort',
    compile: (graph, compileOptions) => compileOrt(graph, compileOptions, { threads, subBatchBytes, host: workers }),
  };
}

interface Settings {
  readonly threads: number;
  readonly subBatchBytes: number | undefined;
  /** Where the sessions live when off the JS thread; null: on it. */
  readonly host: OrtWorkerHost | null;
}

async function compileOrt(graph: Graph, options: CompileOptions = {}, settings: Settings): Promise<OrtCompiledGraph> {
  const plan = nodesToRun('ort', graph, options.outputs);
  const { threads } = settings;
  let bytes: Uint8Array | null = null;
  const asked = options.precision ?? 'f32';
  if (!SPIKE_PRECISIONS.includes(asked))
    throw new BackendError(`ort backend: precision must be one of ${SPIKE_PRECISIONS.join(', ')}, got '${String(asked)}'`);
  let precision: SpikePrecision = 'f32';
  let fallbackReason: string | null = null;
  let rowBytes: number | null = null;
  if (asked !== 'f32' && options.spikeCountInput) {
    const int8 = planInt8(graph, { outputs: plan.outputs, inputMax: options.inputMax, inputMin: options.inputMin });
    if ('reason' in int8) {
      fallbackReason = int8.reason;
    } else {
      bytes = int8SegmentOnnx(graph, int8, asked, plan.outputs);
      precision = asked;
      rowBytes = int8RowBytes(graph, int8);
    }
  } else if (asked !== 'f32') {
    fallbackReason = 'the input is not declared spike counts (CompileOptions.spikeCountInput)';
  }
  bytes ??= graphToOnnx(graph, { outputs: plan.outputs });
  const layout = rowLayout(graph, plan.outputs);
  const budget = settings.subBatchBytes ?? (precision === 'f32' ? 0 : INT8_SUB_BATCH_BYTES);
  const rowsPerRun = layout && budget > 0 ? rowsForBudget(budget, Math.max(rowBytes ?? 0, layout.workingBytes)) : null;
  if (settings.host !== null) {
    const remote: RemoteSession = await settings.host.open(bytes, ortSessionOptions(threads));
    const split =
      rowsPerRun !== null && layout !== null ? { rowsPerRun, inputRow: layout.inputRow, outputSamples: layout.outputSamples } : null;
    return {
      outputs: plan.outputs,
      precision,
      fallbackReason,
      rowsPerRun,
      offThread: true,
      async run(input) {
        checkInput('ort', graph, input);
        return remote.run(graph.input.name, input, plan.outputs, split);
      },
      dispose: () => remote.release(),
    };
  }
  let session: ort.InferenceSession | null;
  try {
    session = await createOrtSession(bytes, threads);
  } catch (error) {
    throw new BackendError(`ort backend: ONNX Runtime refused the graph: ${(error as Error).message}`, { cause: error });
  }
  return {
    outputs: plan.outputs,
    precision,
    fallbackReason,
    rowsPerRun,
    offThread: false,
    async run(input) {
      if (session === null) throw new BackendError('ort backend: run after dispose');
      checkInput('ort', graph, input);
      if (rowsPerRun !== null && input.shape[0] > rowsPerRun) {
        return runInRows(session, graph.input.name, input, plan.outputs, layout as RowLayout, rowsPerRun);
      }
      const OrtTensor = platform().ort.Tensor;
      const feed = new OrtTensor('float32', input.data, input.shape);
      let results: ort.InferenceSession.ReturnType;
      try {
        results = await session.run({ [graph.input.name]: feed });
      } catch (error) {
        throw new BackendError(`ort backend: run failed: ${(error as Error).message}`, { cause: error });
      }
      return new Map(plan.outputs.map((name) => [name, fromOrtTensor(name, results[name])]));
    },
    async dispose() {
      const s = session;
      session = null;
      await s?.release();
    },
  };
}
