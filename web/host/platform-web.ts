/**
 * The browser host (src/host/platform.ts): onnxruntime-web on its WebAssembly backend, Web Workers,
 * the kernels and the bundled MNIST fetched from the build at install (install-web.ts), fflate.
 *
 * ONNX Runtime's threads are its own Web Workers on a SharedArrayBuffer, which a page has only when
 * it is cross-origin isolated (`ann2snn serve` sends COOP/COEP): then one thread per core, else 1.
 */
import * as ort from 'onnxruntime-web/wasm';
// The core modules themselves, not src/core.ts: the event worker's bundle then holds only what it runs.
import { BackendError } from '../../src/backend/backend.js';
import { DataError } from '../../src/data/dataset.js';
import type { Platform, WorkerModuleName, WorkerThread } from '../../src/host/platform.js';
import { gunzipWeb } from './gunzip-web.js';

/** What install-web.ts fetched for the host. */
export interface WebPlatformAssets {
  /** The build root (the folder of event-worker.js, assets/, ort/). */
  readonly root: URL;
  /** assets/event-kernels.wasm. */
  readonly eventKernels: Uint8Array;
  /** assets/mnist-digits.bin, decoded (mnist-digits.ts); null where it was not fetched (an event worker). */
  readonly mnistDigits: readonly Uint8Array[] | null;
}

/** The worker entry files of the build, by module (no ONNX Runtime worker: onnxruntime-web threads itself). */
const WORKER_ENTRIES: Partial<Record<WorkerModuleName, string>> = { event: 'event-worker.js' };

function startWorker(root: URL, module: WorkerModuleName, init: unknown): WorkerThread {
  const entry = WORKER_ENTRIES[module];
  if (entry === undefined) {
    throw new BackendError(
      `no '${module}' worker in a browser: onnxruntime-web runs its sessions with its own threads (use offThread: false)`,
    );
  }
  const url = new URL(entry, root);
  const worker = new Worker(url, { type: 'module' });
  // The first message is the init value (a Web Worker has no workerData); later ones are the module's.
  worker.postMessage(init);
  return {
    postMessage: (message, transfer = []) => worker.postMessage(message, [...transfer]),
    onMessage: (listener) => worker.addEventListener('message', (event) => listener(event.data)),
    onFailure(listener) {
      worker.addEventListener('error', (event) => {
        // A failed start (a 404, a syntax error) has no message: name the script.
        event.preventDefault();
        listener(new Error(`${url.href}: ${event.message || 'the worker failed to start or threw'}`));
      });
      worker.addEventListener('messageerror', () => listener(new Error(`${url.href}: a message could not be deserialized`)));
    },
    terminate: async () => worker.terminate(),
  };
}

/** The browser Platform over the fetched assets; sets onnxruntime-web's WebAssembly paths and threads. */
export function createWebPlatform(assets: WebPlatformAssets): Platform {
  const cores = navigator.hardwareConcurrency || 1;
  ort.env.wasm.wasmPaths = new URL('ort/', assets.root).href;
  ort.env.wasm.numThreads = globalThis.crossOriginIsolated ? cores : 1;
  return {
    name: 'browser',
    cores,
    ort,
    ortExecutionProviders: ['wasm'],
    eventKernels: () => assets.eventKernels,
    startWorker: (module, init) => startWorker(assets.root, module, init),
    bundledMnistDigits() {
      if (assets.mnistDigits === null) throw new DataError('the bundled MNIST is not loaded here (installWebPlatform({ mnist: false }))');
      return assets.mnistDigits;
    },
    gunzip: gunzipWeb,
  };
}
