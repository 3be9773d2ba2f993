/**
 * Early exit in the dense engine: the readout's running argmax with an exit rule (exit/exit-rule.ts),
 * and the compaction of a batch's per-image rows once images are decided, so that the backend and
 * the neurons work only on the images still running.
 */
import type { NeuronState } from '../../neurons/neuron.js';
import type { ExitRule } from '../exit/exit-rule.js';
import { ExitWatch } from '../exit/exit-rule.js';
import type { ReadoutTrace } from '../exit/readout-trace.js';

/** The images of one batch still simulated, and what the decided ones recorded. */
export class BatchExit {
  /** Original row (index in the batch) of each running row. */
  readonly rows: Int32Array;
  /** Running rows. */
  active: number;
  /** Per running row: the step (1-based) at which it was decided in this chunk; 0 while running. */
  readonly decidedAt: Int32Array;
  readonly prediction: Int32Array;
  private readonly watch: ExitWatch | null;

  constructor(
    readonly rule: ExitRule | null,
    batch: number,
  ) {
    this.rows = Int32Array.from({ length: batch }, (_, i) => i);
    this.active = batch;
    this.decidedAt = new Int32Array(batch);
    this.prediction = new Int32Array(batch);
    this.watch = rule && new ExitWatch(rule, batch);
  }

  /**
   * cumulative += I(t) for each step of the chunk, for the running rows; correctAt[t − 1] counts
   * argmax(cumulative) = label (first on ties), a decided row counting its recorded prediction.
   */
  accumulate(
    out: Float32Array,
    isStatic: boolean,
    cumulative: Float64Array,
    labels: Int32Array,
    steps: number,
    t0: number,
    correctAt: Int32Array,
    trace: { readonly readout: Float64Array; readonly T: number; readonly firstImage: number } | null = null,
  ): void {
    const batch = this.active;
    const classes = cumulative.length / labels.length;
    for (let t = 0; t < steps; t++) {
      const base = isStatic ? 0 : t * batch * classes;
      for (let b = 0; b < batch; b++) {
        if (this.decidedAt[b] > 0) {
          if (this.prediction[b] === labels[b]) correctAt[t0 + t]++;
          continue;
        }
        let best = 0;
        let bestValue = -Infinity;
        for (let k = 0; k < classes; k++) {
          const i = b * classes + k;
          cumulative[i] += out[base + i];
          if (cumulative[i] > bestValue) {
            bestValue = cumulative[i];
            best = k;
          }
        }
        if (best === labels[b]) correctAt[t0 + t]++;
        if (trace) {
          const at = ((trace.firstImage + this.rows[b]) * trace.T + t0 + t) * classes;
          trace.readout.set(cumulative.subarray(b * classes, (b + 1) * classes), at);
        }
        if (this.watch?.decided(b, t0 + t + 1, cumulative, b * classes, best)) {
          this.decidedAt[b] = t0 + t + 1;
          this.prediction[b] = best;
        }
      }
    }
  }

  /**
   * After a chunk ending at step `end`: the decided rows record their prediction for the steps left
   * and their steps used (`end`: they ran to the chunk's end); returns the running rows' old indices
   * (ascending), or null when none was decided.
   */
  finishChunk(end: number, T: number, labels: Int32Array, correctAt: Int32Array, steps: Int32Array): Int32Array | null {
    const keep: number[] = [];
    for (let b = 0; b < this.active; b++) {
      if (this.decidedAt[b] === 0) {
        keep.push(b);
        continue;
      }
      if (this.prediction[b] === labels[b]) for (let u = end; u < T; u++) correctAt[u]++;
      steps[end]++;
    }
    if (keep.length === this.active) return null;
    keep.forEach((from, to) => {
      this.rows[to] = this.rows[from];
      this.watch?.move(from, to);
    });
    this.decidedAt.fill(0);
    this.active = keep.length;
    return Int32Array.from(keep);
  }
}

type Rows = Float32Array | Float64Array | Int32Array;

/** Keeps rows `keep` (ascending) of `rowsOf` rows, moved to the front in place; returns the kept part. */
export function compactRows<A extends Rows>(data: A, rowsOf: number, keep: Int32Array): A {
  const width = data.length / rowsOf;
  keep.forEach((from, to) => {
    if (from !== to) data.copyWithin(to * width, from * width, (from + 1) * width);
  });
  return data.subarray(0, keep.length * width) as A;
}

/** A neuron state with the rows `keep` of its per-row arrays (v, and a kind's own, e.g. the signed neuron's counts). */
export function compactState(state: NeuronState, rowsOf: number, keep: Int32Array): NeuronState {
  const entries = Object.entries(state).map(([key, value]: [string, unknown]) =>
    value instanceof Float32Array || value instanceof Float64Array || value instanceof Int32Array
      ? [key, compactRows(value, rowsOf, keep)]
      : [key, value],
  );
  return Object.fromEntries(entries) as unknown as NeuronState;
}

/**
 * Records a chunk's spikes [steps × running rows × units] per image and step in column `column` of a
 * readout trace (Σ|s|: a signed neuron's −1 counts as a spike, as the tallies count it).
 */
export function traceSpikes(
  trace: ReadoutTrace,
  column: number,
  data: Float32Array,
  steps: number,
  t0: number,
  firstImage: number,
  exit: BatchExit,
): void {
  const batch = exit.active;
  const units = data.length / (steps * batch);
  for (let t = 0; t < steps; t++)
    for (let b = 0; b < batch; b++) {
      let n = 0;
      const from = (t * batch + b) * units;
      for (let j = from; j < from + units; j++) n += Math.abs(data[j]);
      trace.spikes[((firstImage + exit.rows[b]) * trace.T + t0 + t) * trace.columns + column] = n;
    }
}
