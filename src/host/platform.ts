/**
 * The host seam: everything the core needs that differs between Node and a browser, behind one
 * plain interface that the edge installs once (`src/node/install.ts` for Node, `web/host/` for the
 * page). The core imports no `node:*` module and no runtime-specific package: it asks `platform()`.
 *
 *   Node:    installPlatform(nodePlatform)   ort = onnxruntime-node, threads = worker_threads
 *   browser: installPlatform(webPlatform)    ort = onnxruntime-web,  threads = Web Workers
 *
 * Both ONNX Runtime packages implement the `onnxruntime-common` API; the core holds them by that type
 * (a value import of onnxruntime-common would be a second copy of its backend registry under Node,
 * where onnxruntime-node loads the CommonJS build).
 */
import type * as OrtApi from 'onnxruntime-common';
import { InternalError } from '../tensor/internal-error.js';

export type Ort = typeof OrtApi;

/** The project's worker modules: each is one core function served by a host entry file. */
export type WorkerModuleName = 'event' | 'ort';

/** A started worker, as its starter sees it (a worker_threads Worker or a Web Worker behind it). */
export interface WorkerThread {
  /** Posts a structured-cloneable message; the buffers in `transfer` move to the worker. */
  postMessage(message: unknown, transfer?: readonly ArrayBuffer[]): void;
  /** Called with every message the worker posts, in order. */
  onMessage(listener: (message: unknown) => void): void;
  /** Called when the worker fails (an uncaught error, a failed start) or stops on its own. */
  onFailure(listener: (error: Error) => void): void;
  /** Stops the worker. */
  terminate(): Promise<void>;
  /**
   * Whether the worker keeps the host process alive (a started one does). Node: ref/unref, so that
   * an idle worker of an undisposed session lets the process exit; a browser has no such notion and
   * omits it.
   */
  keepAlive?(alive: boolean): void;
}

/** The worker's own side of the channel. */
export interface WorkerScope {
  /** Called with every message the starter posts after the start (the start value is `init`). */
  onMessage(listener: (message: unknown) => void): void;
  postMessage(message: unknown, transfer?: readonly ArrayBuffer[]): void;
}

/** A worker module's body: runs once in the worker with the value its starter passed. */
export type WorkerMain = (scope: WorkerScope, init: unknown) => void;

export interface GunzipOptions {
  /** Refuse (an error with code 'ERR_BUFFER_TOO_LARGE') past this many output bytes. */
  readonly maxOutputLength: number;
  /** Return what decodes from a cut or partial stream instead of failing (zlib's Z_SYNC_FLUSH). */
  readonly partial?: boolean;
}

export interface Platform {
  /** 'node' or 'browser', for messages and for defaults that differ (documented where used). */
  readonly name: 'node' | 'browser';
  /** Logical cores for default thread counts (os.availableParallelism / navigator.hardwareConcurrency). */
  readonly cores: number;
  /** ONNX Runtime: onnxruntime-node or onnxruntime-web. */
  readonly ort: Ort;
  /** The execution providers every session asks for ('cpu' on Node, 'wasm' in a browser). */
  readonly ortExecutionProviders: readonly string[];
  /** The bytes of the event kernels (build/event-kernels.wasm); throws a BackendError if not built. */
  eventKernels(): Uint8Array;
  /** Starts a worker running the named module with `init` (its WorkerMain's second argument). */
  startWorker(module: WorkerModuleName, init: unknown): WorkerThread;
  /** The bundled MNIST digits: ten u8 arrays (class 0 … 9), 784 bytes per image, in file order. */
  bundledMnistDigits(): readonly Uint8Array[];
  /** Synchronous gunzip, bounded (zlib on Node, fflate in a browser). */
  gunzip(compressed: Uint8Array, options: GunzipOptions): Uint8Array;
}

let installed: Platform | null = null;

/** Installs the host; the edge calls it once before the core runs (a second host replaces the first). */
export function installPlatform(host: Platform): void {
  installed = host;
}

/** The installed host. */
export function platform(): Platform {
  if (installed === null) {
    throw new InternalError(
      "no host installed: import 'ann2snn' (or src/node/install.ts) under Node, or the web host in a browser, before using the core",
    );
  }
  return installed;
}
