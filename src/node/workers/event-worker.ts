/** The Node host's 'event' worker: the event pool's `serveEventWorker`, started with workerData = { net, precision }. */
import '../install.js';
import { workerData } from 'node:worker_threads';
import { serveEventWorker } from '../../simulate/event/event-worker.js';
import { parentScope } from './parent-scope.js';

serveEventWorker(parentScope('src/node/workers/event-worker'), workerData);
