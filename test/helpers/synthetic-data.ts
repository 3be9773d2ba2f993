import { InMemoryDataset } from '../../src/data/in-memory-dataset.js';
import { mulberry32 } from '../../src/tensor/random.js';

/** Random u8 images of `shape` with random labels (tests relabel with the ANN's predictions). */
export function syntheticImages(
  count: number,
  shape: readonly [number, number, number],
  seed = 5,
  numClasses = 10,
  labels?: Uint8Array,
): InMemoryDataset {
  const r = mulberry32(seed);
  const per = shape[0] * shape[1] * shape[2];
  const images = Uint8Array.from({ length: count * per }, () => Math.floor(r() * 256));
  return new InMemoryDataset({
    name: 'synthetic',
    images,
    labels: labels ?? Uint8Array.from({ length: count }, () => Math.floor(r() * numClasses)),
    sampleShape: shape,
    numClasses,
  });
}
