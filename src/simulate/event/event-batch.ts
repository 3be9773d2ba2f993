/** One batch of images through an event runner: the unit of work of the worker pool. */
import type { EventNet } from './event-net.js';
import type { EventRunner } from './event-runner.js';

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
}

export interface BatchResult {
  /** correctAt[t − 1]: images whose prediction after t steps, argmax_k Σ_{τ≤t} I_k(τ), is their label. */
  readonly correctAt: Int32Array;
  /** Spikes per spiking layer. */
  readonly spikes: Float64Array;
  /** Per spiking layer, each unit's spike count (graph order), when requested. */
  readonly unitCounts: Float64Array[] | null;
  /** int8: sums that reached the i16 limits. */
  readonly saturated: number;
}

/** A result that batches (or images) add into. */
export type Totals = { -readonly [K in keyof BatchResult]: BatchResult[K] };

export function emptyTotals(net: EventNet, T: number, unitCounts: boolean): Totals {
  const units = net.layers.map((l) => l.grid.height * l.grid.width * l.grid.channels);
  return {
    correctAt: new Int32Array(T),
    spikes: new Float64Array(units.length),
    unitCounts: unitCounts ? units.map((u) => new Float64Array(u)) : null,
    saturated: 0,
  };
}

export function addTotals(into: Totals, r: BatchResult): void {
  r.correctAt.forEach((c, t) => (into.correctAt[t] += c));
  r.spikes.forEach((s, i) => (into.spikes[i] += s));
  if (into.unitCounts && r.unitCounts) r.unitCounts.forEach((c, i) => c.forEach((x, j) => (into.unitCounts![i][j] += x)));
  into.saturated += r.saturated;
}

export function runBatch(runner: EventRunner, net: EventNet, request: BatchRequest): BatchResult {
  const { layer0Inputs, images, T, stream } = request;
  const inputUnits = layer0Inputs.length / Math.max(1, images);
  const totals = emptyTotals(net, T, request.unitCounts);
  for (let i = 0; i < images; i++) {
    const position = stream && { seed: stream.seeds[i], stride: inputUnits, first: 0 };
    runner.runImage(layer0Inputs.subarray(i * inputUnits, (i + 1) * inputUnits), request.labels[i], totals.correctAt, totals, position);
  }
  return totals;
}
