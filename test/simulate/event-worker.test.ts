/**
 * The event pool's worker body (`serveEventWorker`) over an in-memory WorkerScope pair, no thread:
 * messages are structured clones with their buffers transferred, as a Web Worker's are. This is how
 * the browser host serves it; the results must equal runBatch's on the main thread.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { calibrate } from '../../src/ann/calibrate.js';
import { referenceBackend } from '../../src/backend/reference/reference-backend.js';
import { convertToSnn, defaultConversionOptions } from '../../src/convert/index.js';
import type { WorkerScope } from '../../src/host/platform.js';
import { sampleShapes } from '../../src/ir/shapes.js';
import { runBatch, type BatchRequest, type BatchResult } from '../../src/simulate/event/event-batch.js';
import { lowerToEvents } from '../../src/simulate/event/event-net.js';
import { EventRunner, type EventPrecision } from '../../src/simulate/event/event-runner.js';
import { serveEventWorker } from '../../src/simulate/event/event-worker.js';
import { findStaticValues } from '../../src/simulate/index.js';
import { sizeOf } from '../../src/tensor/tensor.js';
import { mulberry32 } from '../../src/tensor/random.js';
import { smallCnn } from '../helpers/nets.js';
import { syntheticImages } from '../helpers/synthetic-data.js';

/** A postMessage: a structured clone that moves `transfer` (the sender's buffers are detached). */
function deliver(listeners: readonly ((m: unknown) => void)[], message: unknown, transfer: readonly ArrayBuffer[] = []): void {
  const copy = structuredClone(message, { transfer: [...transfer] });
  queueMicrotask(() => listeners.forEach((l) => l(copy)));
}

/** Starts `serveEventWorker` behind an in-memory channel; returns the starter's side. */
function startInMemory(init: unknown) {
  const toWorker: ((m: unknown) => void)[] = [];
  const waiting: ((m: unknown) => void)[] = [];
  const toStarter = [(m: unknown) => waiting.shift()?.(m)];
  const scope: WorkerScope = { onMessage: (l) => void toWorker.push(l), postMessage: (m, t) => deliver(toStarter, m, t) };
  serveEventWorker(scope, structuredClone(init));
  return {
    postMessage: (m: unknown, t?: readonly ArrayBuffer[]) => deliver(toWorker, m, t),
    /** The worker's next reply. */
    next: () => new Promise<unknown>((resolve) => waiting.push(resolve)),
  };
}

test('serveEventWorker over an in-memory scope gives exactly runBatch on the main thread', async () => {
  const ann = smallCnn(21);
  const data = syntheticImages(20, [1, 8, 8]);
  const snn = convertToSnn(ann, await calibrate(referenceBackend, ann, data), defaultConversionOptions).graph;
  const lowering = lowerToEvents(snn, sampleShapes(snn), findStaticValues(snn, true));
  assert.ok('net' in lowering, 'reason' in lowering ? lowering.reason : '');
  const { net } = lowering;
  const images = 5;
  const random = mulberry32(7);
  const request: BatchRequest = {
    layer0Inputs: Float32Array.from({ length: images * sizeOf(net.layers[0].shape) }, () => random()),
    images,
    labels: Int32Array.from({ length: images }, (_, i) => i % net.classes),
    T: 12,
    unitCounts: true,
    stream: null,
    exit: null,
    trace: true,
  };
  for (const precision of ['f32', 'int8'] as EventPrecision[]) {
    const want = runBatch(new EventRunner(net, precision), net, request);
    const worker = startInMemory({ net, precision });
    for (let batch = 0; batch < 2; batch++) {
      const reply = worker.next();
      worker.postMessage(request);
      const got = (await reply) as { result?: BatchResult; error?: string };
      assert.equal(got.error, undefined);
      assert.deepEqual(got.result, want, `${precision}, batch ${batch}`);
    }
  }
});
