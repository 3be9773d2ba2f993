import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DataError } from '../../src/data/dataset.js';
import { readIdxImages, readIdxLabels, readIdxPair } from '../../src/node/data/idx-files.js';
import { idxBytes, syntheticImages, tempDir } from './files.js';

function throwsDataError(fn: () => unknown, ...patterns: RegExp[]): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof DataError, `expected a DataError, got ${String(e)}`);
    for (const p of patterns) assert.match(e.message, p);
    return true;
  });
}

test('IDX images and labels round trip, raw and gzip (detected by magic, not by name)', (t) => {
  const dir = tempDir(t);
  const { images, labels } = syntheticImages(12, 5, 4);
  for (const [name, pack] of [
    ['raw', (b: Uint8Array) => b],
    ['gz', (b: Uint8Array) => gzipSync(b)],
  ] as const) {
    const imagesFile = join(dir, `${name}-images`);
    const labelsFile = join(dir, `${name}-labels`);
    writeFileSync(imagesFile, pack(idxBytes([12, 5, 4], images)));
    writeFileSync(labelsFile, pack(idxBytes([12], labels)));
    const pair = readIdxPair(imagesFile, labelsFile);
    assert.deepEqual([pair.images.count, pair.images.rows, pair.images.cols], [12, 5, 4]);
    assert.deepEqual(pair.images.data, images);
    assert.deepEqual(pair.labels, labels);
  }
});

test('wrong magic: DataError naming the file, offset and both magics', (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'swapped-idx3-ubyte');
  writeFileSync(file, idxBytes([3], new Uint8Array(3)));
  throwsDataError(() => readIdxImages(file), new RegExp(file), /0x00000801/, /0x00000803/, /offset 0/);
  const gz = join(dir, 'swapped.gz');
  writeFileSync(gz, gzipSync(idxBytes([2, 2, 2], new Uint8Array(8))));
  throwsDataError(() => readIdxLabels(gz), new RegExp(gz), /expected 0x00000801/);
});

test('truncated or oversized files: DataError with expected against actual sizes', (t) => {
  const dir = tempDir(t);
  const full = idxBytes([10, 28, 28], new Uint8Array(10 * 784));
  const truncated = join(dir, 'truncated');
  writeFileSync(truncated, full.subarray(0, 16 + 784 * 3 + 5));
  throwsDataError(() => readIdxImages(truncated), new RegExp(truncated), /10×28×28/, /7856 bytes/, /file has 2373/, /truncated/);

  const extra = join(dir, 'extra');
  writeFileSync(extra, Buffer.concat([full, new Uint8Array(3)]));
  throwsDataError(() => readIdxImages(extra), /3 extra bytes/);

  const shortHeader = join(dir, 'short-header');
  writeFileSync(shortHeader, full.subarray(0, 10));
  throwsDataError(() => readIdxImages(shortHeader), new RegExp(shortHeader), /header needs 16 bytes/);

  // A header claiming 4 G pixels must fail on the size check, not by trying to allocate them.
  const huge = join(dir, 'huge');
  writeFileSync(huge, idxBytes([0xffffffff, 0xffff, 0xffff], new Uint8Array(8)));
  throwsDataError(() => readIdxImages(huge), /file has 24/);

  const gzTruncated = join(dir, 'truncated.gz');
  const compressed = gzipSync(idxBytes([10, 28, 28], syntheticImages(10, 28, 28).images));
  writeFileSync(gzTruncated, compressed.subarray(0, compressed.length - 20));
  throwsDataError(() => readIdxImages(gzTruncated), new RegExp(gzTruncated), /corrupt or truncated/, /header announces 7856/);
  const gzCut = join(dir, 'cut.gz');
  writeFileSync(gzCut, gzipSync(full).subarray(0, 12));
  throwsDataError(() => readIdxImages(gzCut), new RegExp(gzCut), /corrupt or truncated/);

  const gzShort = join(dir, 'short.gz');
  writeFileSync(gzShort, gzipSync(full.subarray(0, 1000)));
  throwsDataError(() => readIdxImages(gzShort), new RegExp(gzShort), /file has 1000/);

  const gzLong = join(dir, 'long.gz');
  writeFileSync(gzLong, gzipSync(Buffer.concat([full, new Uint8Array(5000)])));
  throwsDataError(() => readIdxImages(gzLong), new RegExp(gzLong), /more than the 7856 bytes its header announces/);
});

test('image and label counts must agree; a missing file names itself', (t) => {
  const dir = tempDir(t);
  const { images, labels } = syntheticImages(6, 2, 2);
  const imagesFile = join(dir, 'i');
  const labelsFile = join(dir, 'l');
  writeFileSync(imagesFile, idxBytes([6, 2, 2], images));
  writeFileSync(labelsFile, idxBytes([5], labels.subarray(0, 5)));
  throwsDataError(() => readIdxPair(imagesFile, labelsFile), /6 images/, /5 labels/, new RegExp(labelsFile));
  throwsDataError(() => readIdxLabels(join(dir, 'absent')), /absent: cannot read/);
});

test('a gzip file whose header announces more than the stream can hold is refused before decompressing', (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'huge.gz');
  const header = idxBytes([3, 4, 5], new Uint8Array(60));
  for (const at of [4, 8, 12]) new DataView(header.buffer, header.byteOffset).setUint32(at, 0xffffffff, false);
  writeFileSync(file, gzipSync(header));
  throwsDataError(
    () => readIdxImages(file),
    /huge\.gz \(decompressed\): header says 4294967295×4294967295×4294967295 = .* more than a \d+-byte gzip stream can hold/,
  );
});
