/**
 * ONNX Runtime sessions hosted in a worker thread. In onnxruntime-node `session.run` is one blocking
 * native call on the calling thread (after a setImmediate), so two simulator batches in flight on the
 * JS thread never overlap ORT compute with the TypeScript neuron updates. A backend created with
 * `offThread: true` opens its sessions in one `worker_threads` Worker instead; a run posts its input
 * there and awaits the outputs, and the JS thread is free meanwhile.
 *
 * Copies: the input is copied into a staging buffer that is transferred to the worker and back with
 * the reply (the caller keeps and may reuse its own buffer, as the simulator does with its spike
 * buffers; the staging buffers are recycled, so no fresh pages are touched per run). Outputs are the
 * buffers ORT (or the row-split loop) filled in the worker, transferred: no copy.
 *
 * The worker is plain JavaScript evaluated from a string (`eval: true`) and loads onnxruntime-node by
 * the path this module resolves, so it runs the same under tsx (tests, benches) and from dist/ with
 * no build step. It lives while the backend has open sessions: releasing the last one terminates
 * it, and it holds the process open only while a request is pending (an undisposed session does not
 * keep the process alive).
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { tensor, type Tensor } from '../../tensor/tensor.js';
import { BackendError } from '../backend.js';

/** Row splitting of a run (see row-split.ts): slices of `rowsPerRun` rows written into whole output buffers. */
export interface RemoteSplit {
  readonly rowsPerRun: number;
  /** Elements per input row. */
  readonly inputRow: number;
  /** Per-sample shape of each requested output. */
  readonly outputSamples: readonly (readonly number[])[];
}

// Dynamic imports only: the code runs whether Node evaluates it as CommonJS or as a module (--input-type).
const WORKER_SOURCE = `'use strict';
(async () => {
const { parentPort, workerData } = await import('node:worker_threads');
const ortModule = await import(workerData.ortUrl);
const ort = ortModule.default ?? ortModule;
const sessions = new Map();
const sizeOf = (shape) => shape.reduce((a, b) => a * b, 1);
// A Float32Array that owns its whole buffer (so the buffer can be transferred).
const own = (a) => (a.byteOffset === 0 && a.byteLength === a.buffer.byteLength ? a : a.slice());
function float32(name, t) {
  if (t.type !== 'float32') throw new Error("output '" + name + "' has type " + t.type + ', expected float32');
  return own(t.data);
}
async function run(m) {
  const session = sessions.get(m.session);
  if (session === undefined) throw new Error('no session ' + m.session);
  const { input, shape, inputName, outputs, split } = m;
  const rows = shape[0];
  if (split === null || rows <= split.rowsPerRun) {
    const results = await session.run({ [inputName]: new ort.Tensor('float32', input, shape) });
    return { input, outputs: outputs.map((name) => ({ dims: results[name].dims, data: float32(name, results[name]) })) };
  }
  const buffers = split.outputSamples.map((s) => new Float32Array(rows * sizeOf(s)));
  for (let start = 0; start < rows; start += split.rowsPerRun) {
    const count = Math.min(split.rowsPerRun, rows - start);
    const feed = new ort.Tensor('float32', input.subarray(start * split.inputRow, (start + count) * split.inputRow), [count, ...shape.slice(1)]);
    const fetches = {};
    outputs.forEach((name, i) => {
      const per = sizeOf(split.outputSamples[i]);
      fetches[name] = new ort.Tensor('float32', buffers[i].subarray(start * per, (start + count) * per), [count, ...split.outputSamples[i]]);
    });
    await session.run({ [inputName]: feed }, fetches);
  }
  return { input, outputs: outputs.map((name, i) => ({ dims: [rows, ...split.outputSamples[i]], data: buffers[i] })) };
}
async function handle(m) {
  if (m.op === 'open') {
    sessions.set(m.session, await ort.InferenceSession.create(m.bytes, m.options));
    return {};
  }
  if (m.op === 'release') {
    const session = sessions.get(m.session);
    sessions.delete(m.session);
    if (session !== undefined) await session.release();
    return {};
  }
  if (m.op === 'run') return run(m);
  throw new Error('unknown request ' + m.op);
}
// One request at a time, in order (a release never overtakes the runs posted before it).
let queue = Promise.resolve();
parentPort.on('message', (m) => {
  queue = queue.then(async () => {
    try {
      const reply = await handle(m);
      const transfer = new Set();
      if (reply.input) transfer.add(reply.input.buffer);
      for (const o of reply.outputs ?? []) transfer.add(o.data.buffer);
      parentPort.postMessage({ req: m.req, ...reply }, [...transfer]);
    } catch (error) {
      parentPort.postMessage({ req: m.req, error: error instanceof Error ? error.message : String(error) });
    }
  });
});
})();
`;

interface Reply {
  readonly req: number;
  readonly error?: string;
  readonly input?: Float32Array;
  readonly outputs?: readonly { readonly dims: readonly number[]; readonly data: Float32Array }[];
}

interface Pending {
  readonly resolve: (reply: Reply) => void;
  readonly reject: (error: Error) => void;
}

/** One Worker and what it hosts. */
class WorkerState {
  readonly worker: Worker;
  readonly pending = new Map<number, Pending>();
  /** Sessions open or opening in this worker. */
  sessions = 0;
  failure: BackendError | null = null;
  closing = false;
  #nextReq = 1;
  /** Input staging buffers back from the worker, for the next runs of any session (the largest kept). */
  readonly #spare: ArrayBuffer[] = [];

  constructor(onFailure: (state: WorkerState) => void) {
    // No inherited execArgv: the worker needs no loader (tsx) and no module-type flags.
    this.worker = new Worker(WORKER_SOURCE, { eval: true, execArgv: [], workerData: { ortUrl: ortUrl() } });
    this.worker.unref();
    this.worker.on('message', (reply: Reply) => {
      const p = this.pending.get(reply.req);
      if (p === undefined) return;
      this.pending.delete(reply.req);
      if (this.pending.size === 0) this.worker.unref();
      if (reply.error !== undefined) p.reject(new Error(reply.error));
      else p.resolve(reply);
    });
    const fail = (message: string) => {
      if (this.closing || this.failure !== null) return;
      this.failure = new BackendError(`ort backend: worker thread failed: ${message}`);
      for (const p of this.pending.values()) p.reject(this.failure);
      this.pending.clear();
      this.worker.unref();
      onFailure(this);
    };
    this.worker.on('error', (error: Error) => fail(error.message));
    this.worker.on('exit', (code) => fail(`exited with code ${code}`));
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
  request(message: Record<string, unknown>, transfer: ArrayBuffer[] = []): Promise<Reply> {
    if (this.failure !== null) return Promise.reject(this.failure);
    const req = this.#nextReq++;
    return new Promise<Reply>((resolve, reject) => {
      this.pending.set(req, { resolve, reject });
      if (this.pending.size === 1) this.worker.ref();
      try {
        this.worker.postMessage({ ...message, req }, transfer);
      } catch (error) {
        this.pending.delete(req);
        if (this.pending.size === 0) this.worker.unref();
        reject(error as Error);
      }
    });
  }
}

/** Staging buffers kept per worker (the largest): one per run in flight, as the simulator's two batches need. */
const MAX_SPARE = 2;

let resolvedOrtUrl: string | null = null;
/** onnxruntime-node as this module resolves it (the worker's eval'd code has no location to resolve from). */
function ortUrl(): string {
  resolvedOrtUrl ??= pathToFileURL(createRequire(import.meta.url).resolve('onnxruntime-node')).href;
  return resolvedOrtUrl;
}

/** The sessions of one backend, in one worker thread started on demand. */
export class OrtWorkerHost {
  #state: WorkerState | null = null;
  #nextSession = 1;

  /** Whether a worker is up (it is from the first open until the last session is released). */
  get running(): boolean {
    return this.#state !== null;
  }

  /** Opens a session on ONNX bytes with the given (structured-cloneable) session options. */
  async open(bytes: Uint8Array, options: object): Promise<RemoteSession> {
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

  async run(inputName: string, input: Tensor, outputs: readonly string[], split: RemoteSplit | null): Promise<Map<string, Tensor>> {
    if (this.#disposed) throw new BackendError('ort backend: run after dispose');
    const n = input.data.length;
    const staging = new Float32Array(this.state.staging(4 * n), 0, n);
    staging.set(input.data);
    let reply: Reply;
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
