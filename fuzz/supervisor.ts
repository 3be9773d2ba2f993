/**
 * Runs fuzz cases in one long-lived worker thread under a time and a memory budget. The worker has
 * V8 heap limits (`resourceLimits`); the process's resident memory (which counts ArrayBuffers, kept
 * outside the V8 heap) is sampled while a case runs and checked when it ends. A case past its time
 * or memory budget, or a worker that dies, is a failure: the worker is terminated and a fresh one
 * takes the next case.
 */
import { Worker } from 'node:worker_threads';
import type { CaseReply, CaseRequest } from './case-worker.js';
import type { FailureKind, Outcome } from './outcome.js';

export interface Budget {
  /** Wall-clock milliseconds one case may run. */
  readonly timeMs: number;
  /**
   * Megabytes of the worker's V8 heap (its `resourceLimits`); the process's resident memory may grow
   * by twice this over its size when the worker became ready (the heap, plus as much again in
   * ArrayBuffers outside it).
   */
  readonly memoryMb: number;
}

const SAMPLE_MS = 20;

export class Supervisor {
  readonly #budget: Budget;
  readonly #table: URL;
  #worker: Worker | null = null;
  #ready: Promise<void> | null = null;
  #baselineRss = 0;
  #nextId = 1;
  /** Workers started (1 + respawns after a hang, memory or crash). */
  spawned = 0;
  /** Milliseconds the last case ran (from posting it to its outcome; a worker's start not included). */
  lastMs = 0;

  /** `table`: the module whose `targets` the worker runs (default: fuzz/targets/index). */
  constructor(budget: Budget, table?: URL) {
    this.#budget = budget;
    this.#table = table ?? new URL(`./targets/index${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);
  }

  /** Runs one case; never rejects. */
  async run(target: string, path: string): Promise<Outcome> {
    const worker = await this.#start();
    const request: CaseRequest = { id: this.#nextId++, target, path };
    return new Promise<Outcome>((resolve) => {
      let settled = false;
      const finish = (outcome: Outcome, kill: boolean) => {
        if (settled) return;
        settled = true;
        this.lastMs = performance.now() - posted;
        clearTimeout(timer);
        clearInterval(sampler);
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
        if (kill) void this.#kill();
        resolve(outcome);
      };
      const failure = (kind: FailureKind, message: string): Outcome => ({ kind: 'failure', failure: kind, errorClass: kind, message });
      const overMemory = () => process.memoryUsage.rss() - this.#baselineRss > 2 * this.#budget.memoryMb * 2 ** 20;
      const memoryFailure = () =>
        failure(
          'memory',
          `resident memory grew by ${Math.round((process.memoryUsage.rss() - this.#baselineRss) / 2 ** 20)} MB (budget 2 × ${this.#budget.memoryMb} MB)`,
        );
      const onMessage = (reply: CaseReply) => {
        if (reply.id !== request.id) return;
        if (overMemory()) finish(memoryFailure(), true);
        else finish(reply.outcome, false);
      };
      const onError = (err: Error) => {
        const code = (err as NodeJS.ErrnoException).code;
        finish(failure(code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'memory' : 'crash', err.stack ?? err.message), true);
      };
      const onExit = (code: number) => finish(failure('crash', `the worker exited with code ${code}`), true);
      const timer = setTimeout(() => finish(failure('hang', `no result within ${this.#budget.timeMs} ms`), true), this.#budget.timeMs);
      const sampler = setInterval(() => {
        if (overMemory()) finish(memoryFailure(), true);
      }, SAMPLE_MS);
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
      const posted = performance.now();
      worker.postMessage(request);
    });
  }

  async close(): Promise<void> {
    await this.#kill();
  }

  async #start(): Promise<Worker> {
    if (this.#worker !== null && this.#ready !== null) {
      await this.#ready;
      return this.#worker;
    }
    const typescript = import.meta.url.endsWith('.ts');
    const script = new URL(`./case-worker${typescript ? '.ts' : '.js'}`, import.meta.url);
    const limits = { maxOldGenerationSizeMb: this.#budget.memoryMb, maxYoungGenerationSizeMb: 64, stackSizeMb: 4 };
    // Under tsx the worker is TypeScript: it is imported once tsx's loader is registered in the worker.
    const worker = typescript
      ? new Worker(`import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(script.href)}); })`, {
          eval: true,
          resourceLimits: limits,
          workerData: { table: this.#table.href },
        })
      : new Worker(script, { resourceLimits: limits, workerData: { table: this.#table.href } });
    this.#worker = worker;
    this.spawned++;
    this.#ready = new Promise<void>((resolve, reject) => {
      const onReady = (m: { ready?: boolean }) => {
        if (m.ready !== true) return;
        worker.off('message', onReady);
        worker.off('error', reject);
        resolve();
      };
      worker.on('message', onReady);
      worker.once('error', reject);
    });
    await this.#ready;
    this.#baselineRss = process.memoryUsage.rss();
    return worker;
  }

  async #kill(): Promise<void> {
    const worker = this.#worker;
    this.#worker = null;
    this.#ready = null;
    if (worker !== null) await worker.terminate();
  }
}
