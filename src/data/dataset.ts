/**
 * The data seam. A dataset is a list of labelled images held compactly (u8 where the source is u8)
 * and turned into normalized float batches one batch at a time.
 */
import type { Tensor } from '../tensor/tensor.js';

export interface Batch {
  /** Normalized images, [B, C, H, W]. */
  readonly x: Tensor;
  /** Class index per image. */
  readonly labels: Int32Array;
  /** Index of the first image of this batch within the dataset. */
  readonly start: number;
  /** Dataset index of each image of the batch, where the dataset provides it (shuffled order). */
  readonly indices?: Int32Array;
}

export interface BatchOptions {
  readonly batchSize: number;
  /** Use only the first `limit` images (after shuffling, if any). */
  readonly limit?: number;
  /** Seed for a reproducible shuffle; no shuffle when absent. */
  readonly shuffleSeed?: number;
}

export interface Dataset {
  readonly name: string;
  readonly size: number;
  /** [C, H, W] */
  readonly sampleShape: readonly [number, number, number];
  readonly numClasses: number;
  batches(options: BatchOptions): Iterable<Batch>;
}

export class DataError extends Error {
  override readonly name = 'DataError';
}
