/** Worker thread of the event pool: one EventRunner, batches in, results out (transferred). */
import { parentPort, workerData } from 'node:worker_threads';
import { runBatch, type BatchRequest } from './event-batch.js';
import type { EventNet } from './event-net.js';
import { EventRunner, type EventPrecision } from './event-runner.js';

const { net, precision } = workerData as { net: EventNet; precision: EventPrecision };
const runner = new EventRunner(net, precision);
parentPort!.on('message', (request: BatchRequest) => {
  try {
    const result = runBatch(runner, net, request);
    const transfers = [
      result.correctAt,
      result.spikes,
      result.steps,
      ...(result.unitCounts ?? []),
      ...(result.trace ? [result.trace.readout, result.trace.spikes] : []),
    ].map((a) => a.buffer as ArrayBuffer);
    parentPort!.postMessage({ result }, transfers);
  } catch (error) {
    parentPort!.postMessage({ error: error instanceof Error ? error.message : String(error) });
  }
});
