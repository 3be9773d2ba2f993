/**
 * CIFAR-10, binary version: data_batch_1.bin … data_batch_5.bin (train, 10,000 each) and
 * test_batch.bin (test). Each file is a sequence of 3073-byte records: 1 label byte (0..9), then
 * 3×32×32 pixel bytes, channel-major (R plane, G plane, B plane, each row-major) — already CHW.
 *
 * All file sizes are checked before anything is read; the images are read straight into one
 * array of the final size.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DataError } from './dataset.js';

export const CIFAR10_RECORD_BYTES = 3073;
export const CIFAR10_IMAGE_BYTES = 3072;
export const CIFAR10_CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'] as const;
export const CIFAR10_TRAIN_FILES = ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin'];
export const CIFAR10_TEST_FILES = ['test_batch.bin'];

export interface Cifar10Data {
  /** N·3·32·32 bytes. */
  readonly images: Uint8Array;
  readonly labels: Uint8Array;
}

/** The folder holding the .bin files: `dir` itself or its `cifar-10-batches-bin` subfolder; undefined if neither. */
export function findCifar10Dir(dir: string): string | undefined {
  for (const candidate of [dir, join(dir, 'cifar-10-batches-bin')]) {
    if (existsSync(join(candidate, 'test_batch.bin')) || existsSync(join(candidate, 'data_batch_1.bin'))) return candidate;
  }
  return undefined;
}

/** Reads and concatenates CIFAR-10 binary files, in the given order. */
export function readCifar10(files: readonly string[]): Cifar10Data {
  const records = files.map((file) => {
    let size: number;
    try {
      size = statSync(file).size;
    } catch (e) {
      throw new DataError(`${file}: cannot read (${(e as Error).message})`);
    }
    if (size === 0 || size % CIFAR10_RECORD_BYTES !== 0) {
      throw new DataError(
        `${file}: ${size} bytes is not a whole number of ${CIFAR10_RECORD_BYTES}-byte records (1 label + 3×32×32 pixels): ` +
          `${Math.floor(size / CIFAR10_RECORD_BYTES)} records and ${size % CIFAR10_RECORD_BYTES} bytes left over from byte offset ${size - (size % CIFAR10_RECORD_BYTES)}`,
      );
    }
    return size / CIFAR10_RECORD_BYTES;
  });
  const total = records.reduce((a, b) => a + b, 0);
  const images = new Uint8Array(total * CIFAR10_IMAGE_BYTES);
  const labels = new Uint8Array(total);
  let at = 0;
  files.forEach((file, f) => {
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(file);
    } catch (e) {
      throw new DataError(`${file}: cannot read (${(e as Error).message})`);
    }
    if (bytes.length !== records[f] * CIFAR10_RECORD_BYTES) throw new DataError(`${file}: changed size while being read`);
    for (let r = 0; r < records[f]; r++) {
      const offset = r * CIFAR10_RECORD_BYTES;
      const label = bytes[offset];
      if (label >= CIFAR10_CLASSES.length)
        throw new DataError(`${file}: label ${label} at byte offset ${offset} (record ${r}) is not a class 0..9`);
      labels[at] = label;
      images.set(bytes.subarray(offset + 1, offset + CIFAR10_RECORD_BYTES), at * CIFAR10_IMAGE_BYTES);
      at++;
    }
  });
  return { images, labels };
}
