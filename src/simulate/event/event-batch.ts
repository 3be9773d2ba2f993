/** One batch of images through an event runner: the unit of work of the worker pool. */
import type { EventNet } from './event-net.js';
import type { EventRunner } from './event-runner.js';
import type { ExitRule } from '../exit/exit-rule.js';

export interface BatchRequest {
  /** Layer 0's input current of each image (with spiking input: the image), [batch × inputUnits] in graph order. */
  readonly layer0Inputs: Float32Array;
  readonly images: number;
  /** Class of each image. */
  readonly labels: Int32Array;
  readonly T: number;
  readonly unitCounts: boolean;
  /** With spiking input: each image's Bernoulli stream seed (encoders.ts: one stream per image). */
  readonly stream: { readonly seeds: Uint32Array } | null;
  /** Early exit (null: every image runs T steps). */
  readonly exit: ExitRule | null;
  /** Record each image's readout trace (exit/readout-trace.ts). */
  readonly trace: boolean;
}

/** The batch's part of a readout trace: [images × T × classes] and [images × T × columns]. */
export interface BatchTrace {
  readonly readout: Float64Array;
  readonly spikes: Float32Array;
}

export interface BatchResult {
  /** correctAt[t − 1]: images whose prediction after t steps, argmax_k Σ_{τ≤t} I_k(τ), is their label. */
  readonly correctAt: Int32Array;
  /** Spikes per spiking layer. */
  readonly spikes: Float64Array;
  /** Per spiking layer, each unit's spike count (graph order), when requested. */
  readonly unitCounts: Float64Array[] | null;
  /** steps[s]: images that used s steps (1 … T). */
  readonly steps: Int32Array;
  readonly trace: BatchTrace | null;
}

/** A result that batches (or images) add into. */
export type Totals = { -readonly [K in keyof BatchResult]: BatchResult[K] };

export function emptyTotals(net: EventNet, T: number, unitCounts: boolean): Totals {
  const units = net.layers.map((l) => l.grid.height * l.grid.width * l.grid.channels);
  return {
    correctAt: new Int32Array(T),
    spikes: new Float64Array(units.length),
    unitCounts: unitCounts ? units.map((u) => new Float64Array(u)) : null,
    steps: new Int32Array(T + 1),
    trace: null,
  };
}

export function addTotals(into: Totals, r: BatchResult): void {
  r.correctAt.forEach((c, t) => (into.correctAt[t] += c));
  r.spikes.forEach((s, i) => (into.spikes[i] += s));
  if (into.unitCounts && r.unitCounts) r.unitCounts.forEach((c, i) => c.forEach((x, j) => (into.unitCounts![i][j] += x)));
  r.steps.forEach((n, s) => (into.steps[s] += n));
}

export function runBatch(runner: EventRunner, net: EventNet, request: BatchRequest): BatchResult {
  const { layer0Inputs, images, T, stream } = request;
  const inputUnits = layer0Inputs.length / Math.max(1, images);
  const totals = emptyTotals(net, T, request.unitCounts);
  // Trace columns: the input events (0 with static input: no column of its own in the net), then the layers.
  const column0 = net.input === 'spikes' ? 0 : 1;
  const columns = net.layers.length + column0;
  const trace = request.trace
    ? { readout: new Float64Array(images * T * net.classes), spikes: new Float32Array(images * T * columns) }
    : null;
  totals.trace = trace;
  for (let i = 0; i < images; i++) {
    const position = stream && { seed: stream.seeds[i], stride: inputUnits, first: 0 };
    const image = layer0Inputs.subarray(i * inputUnits, (i + 1) * inputUnits);
    const imageTrace = trace && {
      readout: trace.readout.subarray(i * T * net.classes, (i + 1) * T * net.classes),
      spikes: trace.spikes.subarray(i * T * columns, (i + 1) * T * columns),
      column0,
    };
    totals.steps[runner.runImage(image, request.labels[i], totals.correctAt, totals, position, request.exit, imageTrace)]++;
  }
  return totals;
}

/** The traces of consecutive parts of a batch, in order, as one. */
export function joinTraces(parts: readonly (BatchTrace | null)[]): BatchTrace | null {
  const present = parts.filter((p): p is BatchTrace => p !== null);
  if (present.length === 0) return null;
  const join = <A extends Float64Array | Float32Array>(arrays: readonly A[], make: (n: number) => A): A => {
    const out = make(arrays.reduce((n, a) => n + a.length, 0));
    let at = 0;
    for (const a of arrays) {
      out.set(a, at);
      at += a.length;
    }
    return out;
  };
  return {
    readout: join(
      present.map((p) => p.readout),
      (n) => new Float64Array(n),
    ),
    spikes: join(
      present.map((p) => p.spikes),
      (n) => new Float32Array(n),
    ),
  };
}
