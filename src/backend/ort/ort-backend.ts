/**
 * The ONNX Runtime backend (onnxruntime-node, CPU): compile = write the graph as ONNX
 * (`graphToOnnx`) and open one InferenceSession on the bytes; run = one `session.run`. The fast path
 * for every heavy linear op; its results match the reference backend to 1e-5 relative.
 */
import { availableParallelism } from 'node:os';
import * as ort from 'onnxruntime-node';
import type { Graph } from '../../ir/graph.js';
import { graphToOnnx } from '../../onnx/export-graph.js';
import { tensor, type Tensor } from '../../tensor/tensor.js';
import { BackendError, type Backend, type CompiledGraph, type CompileOptions } from '../backend.js';
import { checkInput, planGraph } from '../plan.js';

export interface OrtBackendOptions {
  /** Intra-op threads per session (default 1: the simulator opens many small sessions; benchmarks raise it). */
  readonly threads?: number;
}

/**
 * Opens a CPU session on ONNX bytes with the project's settings: `threads` intra-op threads, one
 * inter-op thread, all graph optimizations, sequential execution, warnings silenced (ORT warns about
 * symbolic output dims it cannot verify; our shapes come from the IR's own inference).
 */
export async function createOrtSession(bytes: Uint8Array, threads = 1): Promise<ort.InferenceSession> {
  if (!Number.isInteger(threads) || threads < 1) throw new BackendError(`ort backend: threads must be a positive integer, got ${threads}`);
  return ort.InferenceSession.create(bytes, {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    logSeverityLevel: 3,
  });
}

/** Wraps an ORT float32 tensor as a Tensor without copying (ORT hands back a fresh JS buffer per run). */
export function fromOrtTensor(name: string, t: ort.Tensor): Tensor {
  if (t.type !== 'float32') throw new BackendError(`ort backend: output '${name}' has type ${t.type}, expected float32`);
  return tensor(t.dims, t.data as Float32Array);
}

export function createOrtBackend(options: OrtBackendOptions = {}): Backend {
  const threads = options.threads ?? 1;
  if (!Number.isInteger(threads) || threads < 1 || threads > availableParallelism() * 4) {
    throw new BackendError(`ort backend: threads must be an integer in 1..${availableParallelism() * 4}, got ${threads}`);
  }
  return {
    name: 'ort',
    compile: (graph, compileOptions) => compileOrt(graph, compileOptions, threads),
  };
}

async function compileOrt(graph: Graph, options: CompileOptions = {}, threads: number): Promise<CompiledGraph> {
  const plan = planGraph('ort', graph, options.outputs);
  const bytes = graphToOnnx(graph, { outputs: plan.outputs });
  let session: ort.InferenceSession | null;
  try {
    session = await createOrtSession(bytes, threads);
  } catch (error) {
    throw new BackendError(`ort backend: ONNX Runtime refused the graph: ${(error as Error).message}`, { cause: error });
  }
  return {
    outputs: plan.outputs,
    async run(input) {
      if (session === null) throw new BackendError('ort backend: run after dispose');
      checkInput('ort', graph, input);
      const feed = new ort.Tensor('float32', input.data, input.shape);
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
