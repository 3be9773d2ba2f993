/**
 * Images [from, to) of a data set as a data set of their own, cut on the batch grid: for
 * batchSize b with from a multiple of b, its batches are exactly the batches the whole data set
 * yields over that range (same images, same sizes), so a simulation of the slices adds up to the
 * simulation of the whole, bit for bit. `start` counts from the slice's first image.
 */
import { DataError, type Batch, type BatchOptions, type Dataset } from '../../../src/core.js';

export function datasetSlice(data: Dataset, from: number, to: number): Dataset {
  const end = Math.min(to, data.size);
  return {
    name: data.name,
    size: Math.max(0, end - from),
    sampleShape: data.sampleShape,
    numClasses: data.numClasses,
    *batches(options: BatchOptions): Iterable<Batch> {
      if (from % options.batchSize !== 0) throw new DataError(`slice start ${from} is not on the grid of batches of ${options.batchSize}`);
      const last = Math.min(end, from + (options.limit ?? end));
      for (const batch of data.batches({ ...options, limit: last })) {
        if (batch.start >= from) yield { ...batch, start: batch.start - from };
      }
    },
  };
}
