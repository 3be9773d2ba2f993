/** One batch of images through an event runner: the unit of work of the worker pool. */
import type { EventNet } from './event-net.js';
import type { EventRunner } from './event-runner.js';

export interface BatchRequest {
  /** The first layer's current of each image, [batch × driveUnits] in graph order. */
  readonly drives: Float32Array;
  readonly images: number;
  readonly T: number;
  readonly unitCounts: boolean;
}

export interface BatchResult {
  /** Readout current of every image and step, [images × T × classes]. */
  readonly readout: Float32Array;
  /** Spikes per spiking layer. */
  readonly spikes: Float64Array;
  /** Per spiking layer, each unit's spike count (graph order), when requested. */
  readonly unitCounts: Float64Array[] | null;
}

export function spikingLayerUnits(net: EventNet): number[] {
  return [net.first, ...net.hidden.map((h) => h.layer)].map((l) => l.grid.height * l.grid.width * l.grid.channels);
}

export function runBatch(runner: EventRunner, net: EventNet, request: BatchRequest): BatchResult {
  const { drives, images, T } = request;
  const driveUnits = drives.length / Math.max(1, images);
  const readout = new Float32Array(images * T * net.classes);
  const units = spikingLayerUnits(net);
  const tally = { spikes: new Float64Array(units.length), unitCounts: request.unitCounts ? units.map((u) => new Float64Array(u)) : null };
  for (let i = 0; i < images; i++) {
    runner.runImage(
      drives.subarray(i * driveUnits, (i + 1) * driveUnits),
      T,
      readout.subarray(i * T * net.classes, (i + 1) * T * net.classes),
      tally,
    );
  }
  return { readout, spikes: tally.spikes, unitCounts: tally.unitCounts };
}
