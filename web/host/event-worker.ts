/**
 * The event engine's Web Worker (the browser's counterpart of src/node/workers/event-worker): installs
 * the web host, takes the starter's first message as the init value (`{ net, precision }`), and serves
 * the core's event worker module (serveEventWorker) over `self`; later messages are its batches.
 * Messages that arrive before the module listens wait, in order, until it does.
 */
import type { WorkerScope } from '../../src/host/platform.js';
import { serveEventWorker } from '../../src/simulate/event/event-worker.js';
import { installWebPlatform } from './install-web.js';

/** The worker global, as far as this file uses it (the DOM lib types `self` as a Window). */
interface WorkerGlobal {
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  postMessage(message: unknown, transfer: Transferable[]): void;
}

const worker = self as unknown as WorkerGlobal;
const waiting: unknown[] = [];
const listeners: ((message: unknown) => void)[] = [];
let firstArrived = () => {};
const first = new Promise<void>((resolve) => (firstArrived = resolve));

worker.addEventListener('message', (event) => {
  if (listeners.length > 0) listeners.forEach((l) => l(event.data));
  else waiting.push(event.data);
  firstArrived();
});

await Promise.all([installWebPlatform({ mnist: false }), first]);
const init = waiting.shift();
const scope: WorkerScope = {
  onMessage(listener) {
    listeners.push(listener);
    if (listeners.length === 1) waiting.splice(0).forEach((message) => listener(message));
  },
  postMessage: (message, transfer = []) => worker.postMessage(message, [...transfer]),
};
serveEventWorker(scope, init);
