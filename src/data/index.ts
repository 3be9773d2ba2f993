/** The data room: datasets (IDX and CIFAR-10 bytes, bundled MNIST), normalization, batching; files are src/node/data/'s. */
export { DataError, type Batch, type BatchOptions, type Dataset } from './dataset.js';
export { InMemoryDataset, shuffledOrder, type InMemoryDatasetInit } from './in-memory-dataset.js';
export {
  checkNormalization,
  computeChannelStats,
  normalizationTable,
  type ChannelNormalization,
  type ChannelStats,
  type Normalization,
} from './normalize.js';
export {
  IDX_IMAGES_MAGIC,
  IDX_LABELS_MAGIC,
  MAX_DECOMPRESSED_BYTES,
  idxDataset,
  idxPair,
  parseIdx,
  parseIdxImages,
  parseIdxLabels,
  type IdxImages,
} from './idx.js';
export { bundledMnist, bundledMnistClasses, loadBundledMnist, type Split } from './mnist-bundled.js';
export {
  CIFAR10_CLASSES,
  CIFAR10_IMAGE_BYTES,
  CIFAR10_RECORD_BYTES,
  CIFAR10_TEST_FILES,
  CIFAR10_TRAIN_FILES,
  cifar10Records,
  copyCifar10Records,
  parseCifar10,
  type Cifar10Data,
} from './cifar10.js';
