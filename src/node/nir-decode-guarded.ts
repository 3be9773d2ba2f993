/**
 * decodeNir under a watchdog (Node): the HDF5 library can loop for ever on some corrupt files (a
 * damaged global heap sends its variable-length string reader round and round), and a
 * WebAssembly loop cannot be interrupted from its own thread. So the bytes are decoded in a worker
 * thread (one per process, started on first use, h5wasm loaded there once, not keeping the process
 * alive), and a decode that has not finished within `timeoutMs` is refused with a NirReadError
 * naming the file; its worker is stopped and the next decode starts a fresh one.
 */
import { Worker } from 'node:worker_threads';
import { NirReadError, type NirGraph } from '../export/nir/nir-graph.js';

/** Time for one file's HDF5 decode (with h5wasm's first load); ann2snn's own exports take well under a second. */
export const NIR_DECODE_TIMEOUT_MS = 30_000;

const fromSource = import.meta.url.endsWith('.ts');
/** The worker's module (workers/nir-decode-worker): .ts when run from source (through tsx), .js when compiled. */
const workerUrl = new URL(fromSource ? './workers/nir-decode-worker.ts' : './workers/nir-decode-worker.js', import.meta.url);

interface Reply {
  readonly id: number;
  readonly graph?: NirGraph;
  readonly error?: { readonly name: string; readonly message: string };
}

interface Pending {
  resolve(graph: NirGraph): void;
  reject(error: Error): void;
}

let shared: { worker: Worker; pending: Map<number, Pending> } | null = null;
let nextId = 0;

function startWorker(): Worker {
  if (!fromSource) return new Worker(workerUrl);
  // Workers do not inherit tsx's loader: register it in the worker first (development only).
  const code = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(workerUrl.href)}); })`;
  return new Worker(code, { eval: true });
}

function decoder(): { worker: Worker; pending: Map<number, Pending> } {
  if (shared !== null) return shared;
  const worker = startWorker();
  worker.unref(); // held (ref) only while a decode waits on it
  const pending = new Map<number, Pending>();
  const current = { worker, pending };
  const stop = (error: Error): void => {
    if (shared === current) shared = null;
    for (const p of pending.values()) p.reject(error);
    pending.clear();
    void worker.terminate();
  };
  worker.on('message', (reply: Reply) => {
    const p = pending.get(reply.id);
    pending.delete(reply.id);
    if (pending.size === 0) worker.unref();
    if (reply.graph !== undefined) p?.resolve(reply.graph);
    else if (reply.error?.name === 'NirReadError') p?.reject(new NirReadError(reply.error.message));
    else p?.reject(new Error(`the HDF5 reader failed: ${reply.error?.message ?? 'no reply'}`));
  });
  worker.on('error', (e) => stop(e));
  worker.on('exit', (code) => stop(new Error(`the HDF5 reader's worker stopped (exit code ${code})`)));
  shared = current;
  return current;
}

export function decodeNirGuarded(bytes: Uint8Array, source: string, timeoutMs = NIR_DECODE_TIMEOUT_MS): Promise<NirGraph> {
  const { worker, pending } = decoder();
  const id = ++nextId;
  return new Promise<NirGraph>((resolve, reject) => {
    const timer = setTimeout(() => {
      pending.delete(id);
      reject(new NirReadError(`${source}: the HDF5 reader did not finish within ${timeoutMs / 1000} s (a corrupt file can make it loop)`));
      // The loop cannot be left: stop the worker (the others waiting on it are refused) and start afresh next time.
      if (shared?.worker === worker) shared = null;
      for (const p of pending.values()) p.reject(new Error(`the HDF5 reader was stopped while '${source}' looped`));
      pending.clear();
      void worker.terminate();
      decoder(); // start the next worker now, so the next file does not wait for h5wasm's load
    }, timeoutMs);
    timer.unref();
    pending.set(id, {
      resolve: (graph) => {
        clearTimeout(timer);
        resolve(graph);
      },
      reject: (error) => {
        clearTimeout(timer);
        reject(error);
      },
    });
    worker.ref();
    worker.postMessage({ id, bytes, source });
  });
}
