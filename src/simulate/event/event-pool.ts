/**
 * Runs event-net batches on `threads` worker threads (images are independent: each worker takes a
 * contiguous share of every batch), or in this thread when threads = 1. The workers are the host's
 * 'event' workers (`platform().startWorker`), each serving event-worker.ts's `serveEventWorker`.
 */
import { platform } from '../../host/platform.js';
import { addTotals, emptyTotals, joinTraces, runBatch, type BatchRequest, type BatchResult } from './event-batch.js';
import type { EventNet } from './event-net.js';
import { EventRunner, type EventPrecision } from './event-runner.js';
import type { EventWorkerInit } from './event-worker.js';
import { InternalError } from '../../tensor/internal-error.js';
import { SimulationError } from '../simulation-error.js';

interface Pending {
  resolve(result: BatchResult): void;
  reject(error: Error): void;
}

export interface EventPool {
  readonly threads: number;
  run(request: BatchRequest): Promise<BatchResult>;
  close(): Promise<void>;
}

export function createEventPool(net: EventNet, threads: number, precision: EventPrecision): EventPool {
  if (!Number.isInteger(threads) || threads < 1) throw new SimulationError(`threads must be a positive integer, got ${threads}`);
  if (threads === 1) {
    const runner = new EventRunner(net, precision);
    return { threads, run: async (request) => runBatch(runner, net, request), close: async () => {} };
  }
  const init: EventWorkerInit = { net, precision };
  const workers = Array.from({ length: threads }, () => {
    const worker = platform().startWorker('event', init);
    const state: { queue: Pending[]; failure: Error | null } = { queue: [], failure: null };
    const fail = (error: Error) => {
      state.failure ??= error;
      state.queue.splice(0).forEach((p) => p.reject(state.failure!));
    };
    worker.onMessage((message) => {
      const m = message as { result?: BatchResult; error?: string };
      const pending = state.queue.shift()!;
      if (m.result) pending.resolve(m.result);
      else pending.reject(new InternalError(`event worker: ${m.error}`));
    });
    // An uncaught error in the worker, or its exit (the Node host's InternalError 'event worker stopped (exit code n)').
    worker.onFailure(fail);
    return { worker, state };
  });
  // A worker that failed (at start or later) fails every batch posted to it, now or afterwards.
  const post = (w: (typeof workers)[number], request: BatchRequest) =>
    new Promise<BatchResult>((resolve, reject) => {
      if (w.state.failure) return reject(w.state.failure);
      w.state.queue.push({ resolve, reject });
      w.worker.postMessage(request);
    });
  return {
    threads,
    async run(request) {
      const share = Math.ceil(request.images / threads);
      const inputUnits = request.layer0Inputs.length / Math.max(1, request.images);
      const parts = workers
        .map((w, i) => ({ w, start: i * share, count: Math.max(0, Math.min(share, request.images - i * share)) }))
        .filter((p) => p.count > 0);
      const results = await Promise.all(
        parts.map((p) =>
          post(p.w, {
            ...request,
            images: p.count,
            labels: request.labels.slice(p.start, p.start + p.count),
            stream: request.stream && { seeds: request.stream.seeds.slice(p.start, p.start + p.count) },
            layer0Inputs: request.layer0Inputs.slice(p.start * inputUnits, (p.start + p.count) * inputUnits),
          }),
        ),
      );
      const totals = emptyTotals(net, request.T, request.unitCounts);
      results.forEach((r) => addTotals(totals, r));
      totals.trace = joinTraces(results.map((r) => r.trace));
      return totals;
    },
    async close() {
      await Promise.all(workers.map((w) => w.worker.terminate()));
    },
  };
}
