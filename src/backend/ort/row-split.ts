/**
 * Running a big batch as several smaller session runs. The simulator feeds [steps·batch, …] tensors
 * (hundreds of rows, tens of MB); on our 2-core machines with a shared L3 the memory-bound parts of a
 * segment (casts, im2col, transposes, NCHWc reorders) run several times faster when each run's
 * intermediates stay in cache (bench/int8.ts). Outputs are written in place into one buffer per
 * requested value (pre-allocated ORT outputs over sub-arrays), so splitting costs no copies.
 */
import type * as ort from 'onnxruntime-common';
import { platform } from '../../host/platform.js';
import type { Graph } from '../../ir/graph.js';
import { inferShapes } from '../../ir/shapes.js';
import { sizeOf, type Tensor } from '../../tensor/tensor.js';
import { BackendError } from '../backend.js';

export interface RowLayout {
  /** Elements per row of the input. */
  readonly inputRow: number;
  /** Per-sample shape of each requested output. */
  readonly outputSamples: readonly (readonly number[])[];
  /** Bytes per row of the largest intermediate values (f32), for sizing the slices. */
  readonly workingBytes: number;
}

/**
 * The layout when every value of the graph is [N, per-sample…] and no op mixes rows (no Softmax or
 * Concat along the batch); null when a slice of rows cannot run on its own.
 */
export function rowLayout(graph: Graph, outputs: readonly string[]): RowLayout | null {
  let one: ReturnType<typeof inferShapes>;
  let two: ReturnType<typeof inferShapes>;
  try {
    one = inferShapes(graph, 1);
    two = inferShapes(graph, 2);
  } catch {
    return null;
  }
  if (graph.nodes.some((n) => (n.op === 'Softmax' || n.op === 'Concat') && n.axis === 0)) return null;
  const sizes: number[] = [];
  for (const [name, s1] of one) {
    const s2 = two.get(name);
    if (s2 === undefined || s1.length !== s2.length || s1[0] !== 1 || s2[0] !== 2 || s1.some((d, i) => i > 0 && d !== s2[i])) return null;
    sizes.push(sizeOf(s1));
  }
  sizes.sort((a, b) => b - a);
  return {
    inputRow: sizeOf(one.get(graph.input.name) as readonly number[]),
    outputSamples: outputs.map((o) => (one.get(o) as readonly number[]).slice(1)),
    workingBytes: 4 * (sizes[0] + (sizes[1] ?? 0)),
  };
}

/** Rows per run for a working-set budget (at least 1). */
export function rowsForBudget(budgetBytes: number, rowBytes: number): number {
  return Math.max(1, Math.floor(budgetBytes / Math.max(1, rowBytes)));
}

/**
 * How one run is split: slices of `rowsPerRun` rows, each requested output written into one whole
 * buffer. Plain data: the off-thread host posts it to its worker (ort-worker.ts), which runs the
 * same `runSlices`.
 */
export interface RowSplit {
  readonly rowsPerRun: number;
  /** Elements per input row. */
  readonly inputRow: number;
  /** Per-sample shape of each requested output. */
  readonly outputSamples: readonly (readonly number[])[];
}

/**
 * Runs `input` (shape [rows, …]) in slices of `split.rowsPerRun` rows; ORT writes output k of rows
 * [start, start + count) into that slice of buffer k (rows × sample). ONNX Runtime's errors pass through.
 */
export async function runSlices(
  session: ort.InferenceSession,
  inputName: string,
  input: Float32Array,
  shape: readonly number[],
  outputs: readonly string[],
  split: RowSplit,
): Promise<Float32Array[]> {
  const rows = shape[0];
  const buffers = split.outputSamples.map((s) => new Float32Array(rows * sizeOf(s)));
  const OrtTensor = platform().ort.Tensor;
  for (let start = 0; start < rows; start += split.rowsPerRun) {
    const count = Math.min(split.rowsPerRun, rows - start);
    const feed = new OrtTensor('float32', input.subarray(start * split.inputRow, (start + count) * split.inputRow), [
      count,
      ...shape.slice(1),
    ]);
    const fetches: Record<string, ort.Tensor> = {};
    outputs.forEach((name, i) => {
      const per = sizeOf(split.outputSamples[i]);
      fetches[name] = new OrtTensor('float32', buffers[i].subarray(start * per, (start + count) * per), [count, ...split.outputSamples[i]]);
    });
    await session.run({ [inputName]: feed }, fetches);
  }
  return buffers;
}

/** `runSlices` on this thread: every output as one Tensor; a failed run is a BackendError. */
export async function runInRows(
  session: ort.InferenceSession,
  inputName: string,
  input: Tensor,
  outputs: readonly string[],
  layout: RowLayout,
  rowsPerRun: number,
): Promise<Map<string, Tensor>> {
  const rows = input.shape[0];
  let buffers: Float32Array[];
  try {
    buffers = await runSlices(session, inputName, input.data, input.shape, outputs, {
      rowsPerRun,
      inputRow: layout.inputRow,
      outputSamples: layout.outputSamples,
    });
  } catch (error) {
    throw new BackendError(`ort backend: run failed: ${(error as Error).message}`, { cause: error });
  }
  return new Map(outputs.map((name, i) => [name, { shape: [rows, ...layout.outputSamples[i]], data: buffers[i] }]));
}
