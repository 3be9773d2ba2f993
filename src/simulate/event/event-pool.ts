/**
 * Runs event-net batches on `threads` worker threads (images are independent: each worker takes a
 * contiguous share of every batch), or in this thread when threads = 1. Workers load the module
 * next to this one (.js from dist/, .ts under tsx).
 */
import { Worker } from 'node:worker_threads';
import { addTotals, emptyTotals, runBatch, type BatchRequest, type BatchResult } from './event-batch.js';
import type { EventNet } from './event-net.js';
import { EventRunner, type EventPrecision } from './event-runner.js';
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
  // Under tsx (tests, benches) this module is TypeScript and so is the worker: it is imported once
  // tsx's loader is registered (a TypeScript file cannot be a worker's entry point itself).
  const typescript = import.meta.url.endsWith('.ts');
  const script = new URL(`./event-worker${typescript ? '.ts' : '.js'}`, import.meta.url);
  const workers = Array.from({ length: threads }, () => {
    const worker = typescript
      ? new Worker(`import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(script.href)}); })`, {
          eval: true,
          workerData: { net, precision },
        })
      : new Worker(script, { workerData: { net, precision } });
    const state: { queue: Pending[]; failure: Error | null } = { queue: [], failure: null };
    const fail = (error: Error) => {
      state.failure ??= error;
      state.queue.splice(0).forEach((p) => p.reject(state.failure!));
    };
    worker.on('message', (m: { result?: BatchResult; error?: string }) => {
      const pending = state.queue.shift()!;
      if (m.result) pending.resolve(m.result);
      else pending.reject(new InternalError(`event worker: ${m.error}`));
    });
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new InternalError(`event worker stopped (exit code ${code})`)));
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
            stream: request.stream && { ...request.stream, first: request.stream.first + p.start },
            layer0Inputs: request.layer0Inputs.slice(p.start * inputUnits, (p.start + p.count) * inputUnits),
          }),
        ),
      );
      const totals = emptyTotals(net, request.T, request.unitCounts);
      results.forEach((r) => addTotals(totals, r));
      return totals;
    },
    async close() {
      await Promise.all(workers.map((w) => w.worker.terminate()));
    },
  };
}
