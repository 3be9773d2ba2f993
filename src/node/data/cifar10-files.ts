/**
 * CIFAR-10 binary files on disk (Node). All file sizes are checked before anything is read; the
 * records are copied straight into one array of the final size (the layout: src/data/cifar10.ts).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CIFAR10_IMAGE_BYTES, CIFAR10_RECORD_BYTES, cifar10Records, copyCifar10Records, type Cifar10Data } from '../../data/cifar10.js';
import { DataError } from '../../data/dataset.js';

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
    return cifar10Records(size, file);
  });
  const total = records.reduce((a, b) => a + b, 0);
  const data: Cifar10Data = { images: new Uint8Array(total * CIFAR10_IMAGE_BYTES), labels: new Uint8Array(total) };
  let at = 0;
  files.forEach((file, f) => {
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(file);
    } catch (e) {
      throw new DataError(`${file}: cannot read (${(e as Error).message})`);
    }
    if (bytes.length !== records[f] * CIFAR10_RECORD_BYTES) throw new DataError(`${file}: changed size while being read`);
    at = copyCifar10Records(bytes, file, data, at);
  });
  return data;
}
