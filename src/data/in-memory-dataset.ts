/**
 * A Dataset over u8 images held once in memory ([N, C, H, W] row-major) and their labels. Float
 * batches are made one at a time, normalized on the way (see normalize.ts); the whole set is never
 * held as floats.
 *
 * Order: dataset order, or with `shuffleSeed` a Fisher–Yates permutation driven by mulberry32(seed)
 * (the same seed gives the same order on every platform). `limit` takes the first images of that
 * order. `Batch.start` is the position of the batch's first image in that order; `Batch.indices`
 * gives the dataset index of every image in the batch.
 */
import { mulberry32 } from '../tensor/random.js';
import { sizeOf, tensor } from '../tensor/tensor.js';
import { DataError, type Batch, type BatchOptions, type Dataset } from './dataset.js';
import { normalizationTable, type Normalization } from './normalize.js';

export interface InMemoryDatasetInit {
  readonly name: string;
  /** N·C·H·W pixel values, image after image. */
  readonly images: Uint8Array;
  /** One class index per image. */
  readonly labels: Uint8Array;
  /** [C, H, W] */
  readonly sampleShape: readonly [number, number, number];
  readonly numClasses: number;
  /** Defaults to 'unit' (v / 255). */
  readonly normalization?: Normalization;
}

export class InMemoryDataset implements Dataset {
  readonly name: string;
  readonly size: number;
  readonly sampleShape: readonly [number, number, number];
  readonly numClasses: number;
  readonly normalization: Normalization;
  readonly #images: Uint8Array;
  readonly #labels: Uint8Array;
  readonly #table: Float32Array;

  constructor(init: InMemoryDatasetInit) {
    const [c, h, w] = init.sampleShape;
    if (![c, h, w].every((d) => Number.isInteger(d) && d > 0)) {
      throw new DataError(`dataset '${init.name}': invalid sample shape [${init.sampleShape.join(', ')}]`);
    }
    const per = c * h * w;
    if (init.images.length !== init.labels.length * per) {
      throw new DataError(
        `dataset '${init.name}': ${init.images.length} pixel bytes do not hold ${init.labels.length} images of [${c}, ${h}, ${w}] (${init.labels.length * per} expected)`,
      );
    }
    if (!Number.isInteger(init.numClasses) || init.numClasses < 1 || init.numClasses > 256) {
      throw new DataError(`dataset '${init.name}': invalid class count ${init.numClasses}`);
    }
    const bad = init.labels.findIndex((l) => l >= init.numClasses);
    if (bad >= 0) throw new DataError(`dataset '${init.name}': image ${bad} has label ${init.labels[bad]} ≥ ${init.numClasses} classes`);
    this.name = init.name;
    this.size = init.labels.length;
    this.sampleShape = [c, h, w];
    this.numClasses = init.numClasses;
    this.normalization = init.normalization ?? 'unit';
    this.#images = init.images;
    this.#labels = init.labels;
    this.#table = normalizationTable(this.normalization, c);
  }

  /** The same images and labels (shared, not copied) with another normalization. */
  withNormalization(normalization: Normalization): InMemoryDataset {
    return new InMemoryDataset({
      name: this.name,
      images: this.#images,
      labels: this.#labels,
      sampleShape: this.sampleShape,
      numClasses: this.numClasses,
      normalization,
    });
  }

  /** The raw pixels of image i (a view; do not modify). */
  image(i: number): Uint8Array {
    this.#checkIndex(i);
    const per = sizeOf(this.sampleShape);
    return this.#images.subarray(i * per, (i + 1) * per);
  }

  label(i: number): number {
    this.#checkIndex(i);
    return this.#labels[i];
  }

  /** Number of images of each class. */
  classCounts(): Int32Array {
    const counts = new Int32Array(this.numClasses);
    for (const l of this.#labels) counts[l]++;
    return counts;
  }

  batches(options: BatchOptions): Iterable<Batch> {
    const { batchSize, limit, shuffleSeed } = options;
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new DataError(`batchSize must be a positive integer, got ${batchSize}`);
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) {
      throw new DataError(`limit must be a non-negative integer, got ${limit}`);
    }
    if (shuffleSeed !== undefined && !Number.isFinite(shuffleSeed)) throw new DataError(`shuffleSeed must be a number, got ${shuffleSeed}`);
    const total = Math.min(limit ?? this.size, this.size);
    const order = shuffleSeed === undefined ? undefined : shuffledOrder(this.size, shuffleSeed);
    return this.#generate(batchSize, total, order);
  }

  *#generate(batchSize: number, total: number, order: Int32Array | undefined): Generator<Batch> {
    const [channels, h, w] = this.sampleShape;
    const plane = h * w;
    const per = channels * plane;
    const table = this.#table;
    const images = this.#images;
    for (let start = 0; start < total; start += batchSize) {
      const count = Math.min(batchSize, total - start);
      const x = new Float32Array(count * per);
      const labels = new Int32Array(count);
      const indices = new Int32Array(count);
      for (let n = 0; n < count; n++) {
        const index = order === undefined ? start + n : order[start + n];
        indices[n] = index;
        labels[n] = this.#labels[index];
        for (let c = 0; c < channels; c++) {
          const src = index * per + c * plane;
          const dst = n * per + c * plane;
          const t = c * 256;
          for (let i = 0; i < plane; i++) x[dst + i] = table[t + images[src + i]];
        }
      }
      yield { x: tensor([count, channels, h, w], x), labels, start, indices };
    }
  }

  #checkIndex(i: number): void {
    if (!Number.isInteger(i) || i < 0 || i >= this.size)
      throw new DataError(`dataset '${this.name}': index ${i} out of range [0, ${this.size})`);
  }
}

/** A permutation of 0..n−1 by Fisher–Yates with mulberry32(seed). */
export function shuffledOrder(n: number, seed: number): Int32Array {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const random = mulberry32(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  return order;
}
