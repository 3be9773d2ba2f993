/** The data sets of the benchmarks. */
import type { Dataset } from '../src/data/dataset.js';
import { InMemoryDataset } from '../src/data/in-memory-dataset.js';
import { openDataset } from '../src/node/data/open-dataset.js';
import { mulberry32 } from '../src/tensor/random.js';

/** Seeded random 32×32×3 images with random labels (speed only: nothing to learn from them). */
export function randomColourImages(count: number): InMemoryDataset {
  const r = mulberry32(9);
  return new InMemoryDataset({
    name: 'random 32×32×3',
    images: Uint8Array.from({ length: count * 3072 }, () => Math.floor(r() * 256)),
    labels: Uint8Array.from({ length: count }, () => Math.floor(r() * 10)),
    sampleShape: [3, 32, 32],
    numClasses: 10,
  });
}

/** The Fashion-MNIST test split, or null when the Debian package is not installed. */
export function fashionMnistOrNull(): Dataset | null {
  try {
    return openDataset('fashion-mnist', { split: 'test' });
  } catch {
    return null;
  }
}
