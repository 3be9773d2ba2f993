/**
 * Normalization of u8 pixels to floats, per channel c:
 *
 *   'unit':              x = v / 255                       (the default: [0, 1])
 *   { mean, std }:       x = (v / 255 − mean_c) / std_c     (mean/std in [0, 1] units, as torchvision)
 *
 * `mean`/`std` hold one value per channel, or one value for all channels.
 */
import { DataError, type Dataset } from './dataset.js';

export interface ChannelNormalization {
  readonly mean: readonly number[];
  readonly std: readonly number[];
}

export type Normalization = 'unit' | ChannelNormalization;

/** Per-channel statistics of a dataset's float batches (population std). */
export interface ChannelStats extends ChannelNormalization {
  /** Values seen per channel. */
  readonly count: number;
}

/** Throws a DataError unless `normalization` fits images with `channels` channels. */
export function checkNormalization(normalization: Normalization, channels: number): void {
  if (normalization === 'unit') return;
  const { mean, std } = normalization;
  for (const [name, values] of [
    ['mean', mean],
    ['std', std],
  ] as const) {
    if (values.length !== 1 && values.length !== channels) {
      throw new DataError(
        `normalization ${name} has ${values.length} values; the images have ${channels} channel(s) (give 1 or ${channels})`,
      );
    }
    if (values.some((v) => !Number.isFinite(v))) throw new DataError(`normalization ${name} [${values.join(', ')}] is not finite`);
  }
  if (std.some((s) => s <= 0)) throw new DataError(`normalization std [${std.join(', ')}] must be positive`);
}

/**
 * A 256·C lookup table: `table[c·256 + v]` is the float for pixel value v in channel c. Normalizing a
 * batch is then one table read per pixel.
 */
export function normalizationTable(normalization: Normalization, channels: number): Float32Array {
  checkNormalization(normalization, channels);
  const table = new Float32Array(256 * channels);
  for (let c = 0; c < channels; c++) {
    const mean = normalization === 'unit' ? 0 : normalization.mean[normalization.mean.length === 1 ? 0 : c];
    const std = normalization === 'unit' ? 1 : normalization.std[normalization.std.length === 1 ? 0 : c];
    for (let v = 0; v < 256; v++) table[c * 256 + v] = (v / 255 - mean) / std;
  }
  return table;
}

/**
 * Mean and (population) standard deviation per channel of the floats the dataset delivers, in one
 * streaming pass over its batches (float64 sums). On a dataset with 'unit' normalization the
 * result is in [0, 1] units, ready to pass back as a ChannelNormalization.
 */
export function computeChannelStats(dataset: Dataset, options: { batchSize?: number; limit?: number } = {}): ChannelStats {
  const [channels, h, w] = dataset.sampleShape;
  const plane = h * w;
  const sum = new Float64Array(channels);
  const sumSquares = new Float64Array(channels);
  let images = 0;
  for (const batch of dataset.batches({ batchSize: options.batchSize ?? 256, limit: options.limit })) {
    const data = batch.x.data;
    const count = batch.x.shape[0];
    for (let n = 0; n < count; n++) {
      for (let c = 0; c < channels; c++) {
        let s = 0;
        let q = 0;
        const base = (n * channels + c) * plane;
        for (let i = base; i < base + plane; i++) {
          const v = data[i];
          s += v;
          q += v * v;
        }
        sum[c] += s;
        sumSquares[c] += q;
      }
    }
    images += count;
  }
  if (images === 0) throw new DataError(`cannot compute channel statistics of '${dataset.name}': it has no images`);
  const count = images * plane;
  const mean = Array.from(sum, (s) => s / count);
  const std = Array.from(sumSquares, (q, c) => Math.sqrt(Math.max(q / count - mean[c] * mean[c], 0)));
  return { mean, std, count };
}
