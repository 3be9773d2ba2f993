/** The Node host's 'ort' worker: the off-thread ONNX Runtime host's `serveOrtWorker`. */
import '../install.js';
import { workerData } from 'node:worker_threads';
import { serveOrtWorker } from '../../backend/ort/ort-worker.js';
import { parentScope } from './parent-scope.js';

serveOrtWorker(parentScope('src/node/workers/ort-worker'), workerData);
