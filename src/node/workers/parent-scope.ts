/** The worker's side of a worker_threads channel as the core's WorkerScope (src/host/platform.ts). */
import { parentPort } from 'node:worker_threads';
import type { WorkerScope } from '../../host/platform.js';
import { InternalError } from '../../tensor/internal-error.js';

/** `parentPort` as a WorkerScope; `entry` names the worker file for the error outside a worker thread. */
export function parentScope(entry: string): WorkerScope {
  const port = parentPort;
  if (port === null) throw new InternalError(`${entry} runs as a worker thread (platform().startWorker), not on the main thread`);
  return {
    onMessage: (listener) => void port.on('message', listener),
    postMessage: (message, transfer = []) => port.postMessage(message, [...transfer]),
  };
}
