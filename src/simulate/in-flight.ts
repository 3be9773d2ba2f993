/**
 * Batches in flight, for both engines: `lanes` loops take batches from one iterator, so while one
 * batch waits on work off the JS thread (ONNX Runtime, the event workers) another runs on it.
 * Batch index i is the i-th batch the data set yields, whichever lane takes it.
 */
import type { Batch, Dataset } from '../data/dataset.js';

export interface InFlightOptions {
  readonly batchSize: number;
  /** Images to take (at most the data set's size). */
  readonly total: number;
  /** Batches in flight (at least 1). */
  readonly lanes: number;
  readonly onProgress?: (done: number, total: number) => void;
}

/** Runs `each` on every batch; returns the number of images done. */
export async function forEachBatchInFlight(
  data: Dataset,
  options: InFlightOptions,
  each: (batch: Batch, index: number) => Promise<void>,
): Promise<number> {
  const batches = data.batches({ batchSize: options.batchSize, limit: options.total })[Symbol.iterator]();
  let nextIndex = 0;
  let images = 0;
  const lane = async () => {
    for (let next = batches.next(); !next.done; next = batches.next()) {
      await each(next.value, nextIndex++);
      images += next.value.labels.length;
      options.onProgress?.(images, options.total);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.lanes) }, lane));
  return images;
}
