/**
 * The event engine's simulation loop: per batch, the static part (the first layer's current) on the
 * backend, then every image's T steps on the event pool; the readout current is accumulated per
 * image and step exactly as the dense engine does it:
 *   prediction(t) = argmax_k Σ_{τ≤t} I_k(τ)
 */
import type { Backend } from '../../backend/backend.js';
import type { Dataset } from '../../data/dataset.js';
import type { Graph } from '../../ir/graph.js';
import { nodesNeededFor } from '../../ir/graph.js';
import type { BatchResult } from './event-batch.js';
import type { EventNet } from './event-net.js';
import { createEventPool } from './event-pool.js';

export interface EventRunOptions {
  readonly T: number;
  readonly total: number;
  readonly batchSize: number;
  readonly threads: number;
  readonly unitCounts: boolean;
  readonly onProgress?: (done: number, total: number) => void;
}

export interface EventRunResult {
  readonly images: number;
  readonly correctAt: Int32Array;
  readonly spikes: Float64Array;
  readonly unitCounts: Float64Array[] | null;
}

export async function simulateEvents(
  backend: Backend,
  graph: Graph,
  net: EventNet,
  data: Dataset,
  options: EventRunOptions,
): Promise<EventRunResult> {
  const { T } = options;
  const driveGraph: Graph = { input: graph.input, output: net.drive, nodes: nodesNeededFor(graph, [net.drive]) };
  const drive = await backend.compile(driveGraph);
  const pool = createEventPool(net, options.threads);
  const correctAt = new Int32Array(T);
  const result: { images: number; spikes: Float64Array; unitCounts: Float64Array[] | null } = {
    images: 0,
    spikes: new Float64Array(net.hidden.length + 1),
    unitCounts: null,
  };
  const batches = data.batches({ batchSize: options.batchSize, limit: options.total })[Symbol.iterator]();
  // Two batches in flight: the backend computes one batch's currents while the pool simulates the other.
  const worker = async () => {
    for (let next = batches.next(); !next.done; next = batches.next()) {
      const { x, labels } = next.value;
      const drives = (await drive.run({ shape: [labels.length, ...graph.input.shape.slice(1).map(Number)], data: x.data })).get(
        net.drive,
      )!.data;
      const batch = await pool.run({ drives, images: labels.length, T, unitCounts: options.unitCounts });
      score(batch, labels, net.classes, T, correctAt);
      add(result, batch);
      result.images += labels.length;
      options.onProgress?.(result.images, options.total);
    }
  };
  try {
    await Promise.all([worker(), worker()]);
  } finally {
    await Promise.all([drive.dispose(), pool.close()]);
  }
  return { ...result, correctAt };
}

function score(batch: BatchResult, labels: Int32Array, classes: number, T: number, correctAt: Int32Array): void {
  const cumulative = new Float64Array(classes);
  for (let b = 0; b < labels.length; b++) {
    cumulative.fill(0);
    for (let t = 0; t < T; t++) {
      const base = (b * T + t) * classes;
      let best = 0;
      for (let k = 0; k < classes; k++) {
        cumulative[k] += batch.readout[base + k];
        if (cumulative[k] > cumulative[best]) best = k;
      }
      if (best === labels[b]) correctAt[t]++;
    }
  }
}

function add(into: { spikes: Float64Array; unitCounts: Float64Array[] | null }, batch: BatchResult): void {
  batch.spikes.forEach((s, i) => (into.spikes[i] += s));
  if (!batch.unitCounts) return;
  into.unitCounts ??= batch.unitCounts.map((c) => new Float64Array(c.length));
  batch.unitCounts.forEach((c, i) => c.forEach((x, j) => (into.unitCounts![i][j] += x)));
}
