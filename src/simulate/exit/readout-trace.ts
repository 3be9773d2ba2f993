/**
 * A full simulation's readout trace: per image and step the cumulative readout a(t) (the engines'
 * f64 sums, exactly) and the spikes of that step. An exit rule reads nothing else, so replaying a
 * rule on the trace gives the same decisions, correct images at every t and steps as simulating
 * with it, and the spikes of the steps it keeps: one simulation prices a whole grid of rules.
 */
import { ExitWatch, type ExitRule } from './exit-rule.js';

export interface ReadoutTrace {
  readonly images: number;
  readonly T: number;
  readonly classes: number;
  /** Columns of `spikes`: the input events (0 with direct input), then each spiking layer of the result. */
  readonly columns: number;
  readonly labels: Int32Array;
  /** [images × T × classes]: a(t) after step t + 1. */
  readonly readout: Float64Array;
  /** [images × T × columns]: the spikes (input events) of each step. */
  readonly spikes: Float32Array;
}

export interface Replay {
  readonly correctAt: Int32Array;
  /** steps[s]: images that used s steps. */
  readonly steps: Int32Array;
  /** Per column of the trace: the spikes of the steps simulated. */
  readonly spikes: Float64Array;
}

/** What the engines record with `rule` (null: the full simulation). */
export function replayExit(trace: ReadoutTrace, rule: ExitRule | null): Replay {
  const { images, T, classes, columns } = trace;
  const correctAt = new Int32Array(T);
  const steps = new Int32Array(T + 1);
  const spikes = new Float64Array(columns);
  const watch = rule && new ExitWatch(rule, images);
  for (let i = 0; i < images; i++) {
    let used = T;
    let prediction = 0;
    for (let t = 0; t < T; t++) {
      const offset = (i * T + t) * classes;
      let best = 0;
      for (let k = 1; k < classes; k++) if (trace.readout[offset + k] > trace.readout[offset + best]) best = k;
      prediction = best;
      if (best === trace.labels[i]) correctAt[t]++;
      for (let c = 0; c < columns; c++) spikes[c] += trace.spikes[(i * T + t) * columns + c];
      if (watch?.decided(i, t + 1, trace.readout, offset, best)) {
        used = t + 1;
        break;
      }
    }
    if (prediction === trace.labels[i]) for (let u = used; u < T; u++) correctAt[u]++;
    steps[used]++;
  }
  return { correctAt, steps, spikes };
}

/** A trace of `images` images, zeros. */
export function emptyTrace(images: number, T: number, classes: number, columns: number): ReadoutTrace {
  return {
    images,
    T,
    classes,
    columns,
    labels: new Int32Array(images),
    readout: new Float64Array(images * T * classes),
    spikes: new Float32Array(images * T * columns),
  };
}
