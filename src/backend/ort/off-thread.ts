/**
 * ONNX Runtime sessions hosted in a worker thread. Under Node `session.run` is one blocking
 * native call on the calling thread (after a setImmediate), so two simulator batches in flight on the
 * JS thread never overlap ORT compute with the TypeScript neuron updates. A backend created with
 * `offThread: true` opens its sessions in one worker instead (the host's 'ort' worker,
 * `platform().startWorker`); a run posts its input there and awaits the outputs, and the JS thread
 * is free meanwhile.
 *
 * Copies: the input is copied into a staging buffer that is transferred to the worker and back with
 * the reply (the caller keeps and may reuse its own buffer, as the simulator does with its spike
 * buffers; the staging buffers are recycled, so no fresh pages are touched per run). Outputs are the
 * buffers ORT (or the row-split loop) filled in the worker, transferred: no copy.
 *
 * The worker runs `serveOrtWorker` (ort-worker.ts); it splits runs into row slices with the same
 * row-split.ts as the JS thread. It lives while the backend has open sessions: releasing the last
 * one terminates it, and it holds the process open only while a request is pending (an undisposed
 * session does not keep the process alive; `WorkerThread.keepAlive`, where the host has it).
 */
import type * as ort from 'onnxruntime-common';
import { platform, type WorkerThread } from '../../host/platform.js';
import { tensor, type Tensor } from '../../tensor/tensor.js';
import { BackendError } from '../backend.js';
import type { WorkerReply, WorkerRequest } from './ort-worker.js';
import type { RowSplit } from './row-split.js';

/** ONNX Runtime's message from the worker; never leaves this module (open and run wrap it in a BackendError saying which). */
class OrtReplyError extends Error {
  override readonly name = 'OrtReplyError';
}

interface Pending {
  readonly resolve: (reply: WorkerReply) => void;
  readonly reject: (error: Error) => void;
}

/** One worker and what it hosts. */
class WorkerState {
  readonly worker: WorkerThread;
  readonly pending = new Map<number, Pending>();
  /** Sessions open or opening in this worker. */
  sessions = 0;
  failure: BackendError | null = null;
  closing = false;
  #nextReq = 1;
  /** Input staging buffers back from the worker, for the next runs of any session (the largest kept). */
  readonly #spare: ArrayBuffer[] = [];

  constructor(onFailure: (state: WorkerState) => void) {
    this.worker = platform().startWorker('ort', null);
    this.worker.keepAlive?.(false);
    this.worker.onMessage((message) => {
      const reply = message as WorkerReply;
      const p = this.pending.get(reply.req);
      if (p === undefined) return;
      this.pending.delete(reply.req);
      if (this.pending.size === 0) this.worker.keepAlive?.(false);
      if (reply.error !== undefined) p.reject(new OrtReplyError(reply.error));
      else p.resolve(reply);
    });
    this.worker.onFailure((error) => {
      if (this.closing || this.failure !== null) return;
      this.failure = new BackendError(`ort backend: worker thread failed: ${error.message}`);
      for (const p of this.pending.values()) p.reject(this.failure);
      this.pending.clear();
      this.worker.keepAlive?.(false);
      onFailure(this);
    });
  }

  /** A staging buffer of at least `bytes` bytes: the smallest spare one that fits, or a new one. */
  staging(bytes: number): ArrayBuffer {
    let best = -1;
    for (let i = 0; i < this.#spare.length; i++) {
      if (this.#spare[i].byteLength >= bytes && (best < 0 || this.#spare[i].byteLength < this.#spare[best].byteLength)) best = i;
    }
    return best >= 0 ? this.#spare.splice(best, 1)[0] : new ArrayBuffer(bytes);
  }

  recycle(buffer: ArrayBuffer): void {
    this.#spare.push(buffer);
    this.#spare.sort((a, b) => b.byteLength - a.byteLength);
    if (this.#spare.length > MAX_SPARE) this.#spare.length = MAX_SPARE;
  }

  /** Posts a request; rejects with the worker's error message (a plain Error) or a BackendError. */
  request(message: WorkerRequest, transfer: ArrayBuffer[] = []): Promise<WorkerReply> {
    if (this.failure !== null) return Promise.reject(this.failure);
    const req = this.#nextReq++;
    return new Promise<WorkerReply>((resolve, reject) => {
      this.pending.set(req, { resolve, reject });
      if (this.pending.size === 1) this.worker.keepAlive?.(true);
      try {
        this.worker.postMessage({ ...message, req }, transfer);
      } catch (error) {
        this.pending.delete(req);
        if (this.pending.size === 0) this.worker.keepAlive?.(false);
        reject(error as Error);
      }
    });
  }
}

/** Staging buffers kept per worker (the largest): one per run in flight, as the simulator's two batches need. */
const MAX_SPARE = 2;

/** The sessions of one backend, in one worker thread started on demand. */
export class OrtWorkerHost {
  #state: WorkerState | null = null;
  #nextSession = 1;

  /** Whether a worker is up (it is from the first open until the last session is released). */
  get running(): boolean {
    return this.#state !== null;
  }

  /** Opens a session on ONNX bytes with the given (structured-cloneable) session options. */
  async open(bytes: Uint8Array, options: ort.InferenceSession.SessionOptions): Promise<RemoteSession> {
    const state = (this.#state ??= new WorkerState((failed) => {
      if (this.#state === failed) this.#state = null;
    }));
    const id = this.#nextSession++;
    state.sessions++;
    const copy = new Uint8Array(bytes);
    try {
      await state.request({ op: 'open', session: id, bytes: copy, options }, [copy.buffer]);
    } catch (error) {
      await this.#closed(state);
      if (error instanceof BackendError) throw error;
      throw new BackendError(`ort backend: ONNX Runtime refused the graph: ${(error as Error).message}`, { cause: error });
    }
    return new RemoteSession(state, id, () => this.#closed(state));
  }

  /** A session of `state` is gone: terminate the worker with the last one. */
  async #closed(state: WorkerState): Promise<void> {
    state.sessions--;
    if (state.sessions > 0 || state.closing) return;
    state.closing = true;
    if (this.#state === state) this.#state = null;
    await state.worker.terminate();
  }
}

/** A session in the worker: runs return the requested outputs as Tensors. */
export class RemoteSession {
  #disposed = false;

  constructor(
    private readonly state: WorkerState,
    private readonly id: number,
    private readonly onRelease: () => Promise<void>,
  ) {}

  async run(inputName: string, input: Tensor, outputs: readonly string[], split: RowSplit | null): Promise<Map<string, Tensor>> {
    if (this.#disposed) throw new BackendError('ort backend: run after dispose');
    const n = input.data.length;
    const staging = new Float32Array(this.state.staging(4 * n), 0, n);
    staging.set(input.data);
    let reply: WorkerReply;
    try {
      reply = await this.state.request(
        { op: 'run', session: this.id, input: staging, shape: [...input.shape], inputName, outputs: [...outputs], split },
        [staging.buffer],
      );
    } catch (error) {
      if (error instanceof BackendError) throw error;
      throw new BackendError(`ort backend: run failed: ${(error as Error).message}`, { cause: error });
    }
    if (reply.input !== undefined) this.state.recycle(reply.input.buffer as ArrayBuffer);
    const results = reply.outputs ?? [];
    return new Map(outputs.map((name, k) => [name, tensor(results[k].dims, results[k].data)]));
  }

  async release(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    try {
      if (this.state.failure === null) await this.state.request({ op: 'release', session: this.id });
    } finally {
      await this.onRelease();
    }
  }
}
