/**
 * Batches in flight, for both engines: `lanes` loops take batches from one iterator, so while one
 * batch waits on work off the JS thread (ONNX Runtime, the event workers) another runs on it.
 * Batch index i is the i-th batch the data set yields, whichever lane takes it.
 */
import type { Batch, Dataset } from '../data/dataset.js';
import { yieldSometimes } from '../host/yield.js';

export interface InFlightOptions {
  readonly batchSize: number;
  /** Images to take (at most the data set's size). */
  readonly total: number;
  /** Batches in flight: a positive integer (simulate() checks it). */
  readonly lanes: number;
  readonly onProgress?: (done: number, total: number) => void;
}

/**
 * Runs `each` on every batch; returns the number of images done. The first failure stops every lane
 * before its next batch and is thrown once all lanes have stopped (callers dispose what the lanes use).
 */
export async function forEachBatchInFlight(
  data: Dataset,
  options: InFlightOptions,
  each: (batch: Batch, index: number) => Promise<void>,
): Promise<number> {
  const batches = data.batches({ batchSize: options.batchSize, limit: options.total })[Symbol.iterator]();
  let nextIndex = 0;
  let images = 0;
  let failed = false;
  const lane = async () => {
    while (!failed) {
      await yieldSometimes(); // lets an interrupt in (a backend may compute on this thread)
      const next = batches.next();
      if (next.done) return;
      try {
        await each(next.value, nextIndex++);
      } catch (e) {
        failed = true;
        throw e;
      }
      images += next.value.labels.length;
      options.onProgress?.(images, options.total);
    }
  };
  const outcomes = await Promise.allSettled(Array.from({ length: options.lanes }, lane));
  const failure = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
  if (failure) throw failure.reason;
  return images;
}
