/** One batch of images through an event runner: the unit of work of the worker pool. */
import type { EventNet } from './event-net.js';
import type { EventRunner } from './event-runner.js';

export interface BatchRequest {
  /** The first layer's current of each image (with spiking input: the image), [batch × driveUnits] in graph order. */
  readonly drives: Float32Array;
  readonly images: number;
  /** Class of each image. */
  readonly labels: Int32Array;
  readonly T: number;
  readonly unitCounts: boolean;
  /** With spiking input: the batch's Bernoulli stream seed, its size, and where these images start in it. */
  readonly stream: { readonly seed: number; readonly batchImages: number; readonly first: number } | null;
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

export function spikingLayerUnits(net: EventNet): number[] {
  return net.layers.map((l) => l.grid.height * l.grid.width * l.grid.channels);
}

export function runBatch(runner: EventRunner, net: EventNet, request: BatchRequest): BatchResult {
  const { drives, images, T } = request;
  const driveUnits = drives.length / Math.max(1, images);
  const correctAt = new Int32Array(T);
  const units = spikingLayerUnits(net);
  const tally = {
    spikes: new Float64Array(units.length),
    unitCounts: request.unitCounts ? units.map((u) => new Float64Array(u)) : null,
    saturated: 0,
  };
  const { stream } = request;
  for (let i = 0; i < images; i++) {
    const position = stream && { seed: stream.seed, stride: stream.batchImages * driveUnits, first: (stream.first + i) * driveUnits };
    runner.runImage(drives.subarray(i * driveUnits, (i + 1) * driveUnits), request.labels[i], correctAt, tally, position);
  }
  return { correctAt, spikes: tally.spikes, unitCounts: tally.unitCounts, saturated: tally.saturated };
}
