/**
 * CIFAR-10 binary files (src/data/cifar10.ts): whole and partial 3073-byte records, labels beyond
 * 0..9, empty files, and byte mutations. A read that succeeds must give one label in 0..9 and the
 * 3072 pixel bytes of every record, in order.
 */
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { CIFAR10_IMAGE_BYTES, CIFAR10_RECORD_BYTES } from '../../src/data/cifar10.js';
import { readCifar10 } from '../../src/node/data/cifar10-files.js';
import type { FuzzCase, FuzzTarget } from '../target.js';
import { byteMutation, mutate } from './byte-mutations.js';

function records(labels: readonly number[]): Uint8Array {
  const out = new Uint8Array(labels.length * CIFAR10_RECORD_BYTES);
  labels.forEach((label, r) => {
    out[r * CIFAR10_RECORD_BYTES] = label;
    for (let i = 1; i < CIFAR10_RECORD_BYTES; i++) out[r * CIFAR10_RECORD_BYTES + i] = (r * 131 + i * 7) & 0xff;
  });
  return out;
}

const cases: fc.Arbitrary<FuzzCase> = fc
  .record({
    labels: fc.array(fc.oneof(fc.integer({ min: 0, max: 9 }), fc.constantFrom(10, 127, 255)), { minLength: 0, maxLength: 3 }),
    extra: fc.constantFrom(0, 0, 0, 1, -1, 3072, -3072, 3074),
    bytes: fc.oneof({ weight: 2, arbitrary: fc.constant([]) }, { weight: 1, arbitrary: fc.array(byteMutation, { maxLength: 2 }) }),
  })
  .map(({ labels, extra, bytes }) => {
    let file = records(labels);
    if (extra > 0) file = Uint8Array.from([...file, ...new Uint8Array(extra).fill(5)]);
    else if (extra < 0) file = file.subarray(0, Math.max(0, file.length + extra));
    const mutated = mutate(file, bytes);
    const mutation = [`${labels.length} records, labels [${labels}]`, extra === 0 ? '' : `${extra} bytes at the end`, ...mutated.described]
      .filter((s) => s !== '')
      .join('; ');
    return { bytes: mutated.bytes, mutation };
  });

export const cifar10Target: FuzzTarget = {
  name: 'cifar10',
  extension: 'bin',
  cases,
  async run(path) {
    const { images, labels } = readCifar10([path]);
    const file = readFileSync(path);
    const n = file.length / CIFAR10_RECORD_BYTES;
    const wrong = (what: string): never => {
      throw new Error(`${path}: wrong result: ${what}`);
    };
    if (!Number.isInteger(n) || n === 0) wrong(`accepted ${file.length} bytes, not a whole number of records`);
    if (labels.length !== n || images.length !== n * CIFAR10_IMAGE_BYTES) wrong('record count differs from the file');
    for (let r = 0; r < n; r++) {
      if (labels[r] !== file[r * CIFAR10_RECORD_BYTES] || labels[r] > 9) wrong(`label of record ${r}`);
      const pixels = file.subarray(r * CIFAR10_RECORD_BYTES + 1, (r + 1) * CIFAR10_RECORD_BYTES);
      if (!pixels.every((v, i) => v === images[r * CIFAR10_IMAGE_BYTES + i])) wrong(`pixels of record ${r}`);
    }
  },
};
