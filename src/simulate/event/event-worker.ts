/**
 * The event pool's worker (event-pool.ts), served by the host's 'event' worker entry
 * (src/node/workers/event-worker.ts, or a Web Worker in a browser): one EventRunner over the start
 * value's net, batches in, results out (their buffers transferred).
 */
import type { WorkerMain } from '../../host/platform.js';
import { runBatch, type BatchRequest } from './event-batch.js';
import type { EventNet } from './event-net.js';
import { EventRunner, type EventPrecision } from './event-runner.js';

/** What the pool starts each worker with. */
export interface EventWorkerInit {
  readonly net: EventNet;
  readonly precision: EventPrecision;
}

/** Replies `{ result }` (a BatchResult) or `{ error }` (the message) to every BatchRequest, in order. */
export const serveEventWorker: WorkerMain = (scope, init) => {
  const { net, precision } = init as EventWorkerInit;
  const runner = new EventRunner(net, precision);
  scope.onMessage((message) => {
    try {
      const result = runBatch(runner, net, message as BatchRequest);
      const transfers = [
        result.correctAt,
        result.spikes,
        result.steps,
        ...(result.unitCounts ?? []),
        ...(result.trace ? [result.trace.readout, result.trace.spikes] : []),
      ].map((a) => a.buffer as ArrayBuffer);
      scope.postMessage({ result }, transfers);
    } catch (error) {
      scope.postMessage({ error: error instanceof Error ? error.message : String(error) });
    }
  });
};
