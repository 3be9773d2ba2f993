/**
 * CIFAR-10, binary version: data_batch_1.bin … data_batch_5.bin (train, 10,000 each) and
 * test_batch.bin (test). Each file is a sequence of 3073-byte records: 1 label byte (0..9), then
 * 3×32×32 pixel bytes, channel-major (R plane, G plane, B plane, each row-major) — already CHW.
 *
 * The record layout and its checks; reading the files is the host's (src/node/data/cifar10-files.ts:
 * every size checked before anything is read, the records copied straight into one array of the
 * final size).
 */
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

/** The number of records in a file of `size` bytes; a DataError naming `file` unless it is whole records. */
export function cifar10Records(size: number, file: string): number {
  if (size === 0 || size % CIFAR10_RECORD_BYTES !== 0) {
    throw new DataError(
      `${file}: ${size} bytes is not a whole number of ${CIFAR10_RECORD_BYTES}-byte records (1 label + 3×32×32 pixels): ` +
        `${Math.floor(size / CIFAR10_RECORD_BYTES)} records and ${size % CIFAR10_RECORD_BYTES} bytes left over from byte offset ${size - (size % CIFAR10_RECORD_BYTES)}`,
    );
  }
  return size / CIFAR10_RECORD_BYTES;
}

/**
 * Copies a file's records into `into` from record `at` on (its arrays sized for every file), checking
 * each label; returns the record index after the last one copied.
 */
export function copyCifar10Records(bytes: Uint8Array, file: string, into: Cifar10Data, at: number): number {
  const records = bytes.length / CIFAR10_RECORD_BYTES;
  for (let r = 0; r < records; r++) {
    const offset = r * CIFAR10_RECORD_BYTES;
    const label = bytes[offset];
    if (label >= CIFAR10_CLASSES.length)
      throw new DataError(`${file}: label ${label} at byte offset ${offset} (record ${r}) is not a class 0..9`);
    into.labels[at] = label;
    into.images.set(bytes.subarray(offset + 1, offset + CIFAR10_RECORD_BYTES), at * CIFAR10_IMAGE_BYTES);
    at++;
  }
  return at;
}

/** CIFAR-10 binary files' bytes (with their names, for errors), concatenated in the given order. */
export function parseCifar10(files: readonly { readonly name: string; readonly bytes: Uint8Array }[]): Cifar10Data {
  const total = files.reduce((a, f) => a + cifar10Records(f.bytes.length, f.name), 0);
  const data = { images: new Uint8Array(total * CIFAR10_IMAGE_BYTES), labels: new Uint8Array(total) };
  let at = 0;
  for (const f of files) at = copyCifar10Records(f.bytes, f.name, data, at);
  return data;
}
