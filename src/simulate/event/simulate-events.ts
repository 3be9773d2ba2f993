/**
 * The event engine's simulation loop: per batch, the static part (the first layer's current) on the
 * backend — or, with a Bernoulli encoder, the images themselves, from which the kernels draw the
 * same spikes as the dense engine's encoder — then every image's T steps on the event pool, which scores each image at every t exactly
 * as the dense engine does: prediction(t) = argmax_k Σ_{τ≤t} I_k(τ).
 */
import type { Backend } from '../../backend/backend.js';
import type { Dataset } from '../../data/dataset.js';
import type { Graph } from '../../ir/graph.js';
import { nodesNeededFor } from '../../ir/graph.js';
import type { Encoder } from '../encoders.js';
import { addTotals, emptyTotals, type BatchRequest, type BatchResult } from './event-batch.js';
import type { EventNet } from './event-net.js';
import { createEventPool } from './event-pool.js';
import type { EventPrecision } from './event-runner.js';

export interface EventRunOptions {
  readonly T: number;
  readonly total: number;
  readonly batchSize: number;
  readonly threads: number;
  readonly precision: EventPrecision;
  readonly unitCounts: boolean;
  readonly onProgress?: (done: number, total: number) => void;
}

export type EventRunResult = BatchResult & { readonly images: number };

export async function simulateEvents(
  backend: Backend,
  graph: Graph,
  net: EventNet,
  data: Dataset,
  encoder: Encoder,
  options: EventRunOptions,
): Promise<EventRunResult> {
  const { T } = options;
  const pool = createEventPool(net, options.threads, options.precision); // workers boot while the backend compiles
  const drive =
    net.input === 'static'
      ? await backend.compile({ input: graph.input, output: net.drive, nodes: nodesNeededFor(graph, [net.drive]) })
      : null;
  const totals = emptyTotals(net, T, options.unitCounts);
  let images = 0;
  const batches = data.batches({ batchSize: options.batchSize, limit: options.total })[Symbol.iterator]();
  let batchIndex = 0;
  // Two batches in flight: the backend computes one batch's currents while the pool simulates the other.
  const worker = async () => {
    for (let next = batches.next(); !next.done; next = batches.next()) {
      const { x, labels } = next.value;
      const index = batchIndex++;
      const input = { shape: [labels.length, ...graph.input.shape.slice(1).map(Number)], data: x.data };
      let drives = input.data;
      let stream: BatchRequest['stream'] = null;
      if (drive) {
        drives = (await drive.run(input)).get(net.drive)!.data;
      } else {
        encoder.start(input, index); // checks the input as the dense engine does
        stream = { seed: encoder.bernoulli!.streamSeed(index), batchImages: labels.length, first: 0 };
      }
      const batch = await pool.run({ drives, images: labels.length, labels, T, unitCounts: options.unitCounts, stream });
      addTotals(totals, batch);
      images += labels.length;
      options.onProgress?.(images, options.total);
    }
  };
  try {
    await Promise.all([worker(), worker()]);
  } finally {
    await Promise.all([drive?.dispose(), pool.close()]);
  }
  return { ...totals, images };
}
