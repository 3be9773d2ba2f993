/** Test helpers: temporary folders and synthetic IDX / CIFAR-10 files. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

export function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'ann2snn-data-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** IDX bytes: magic 0x0000 08 <ndims>, big-endian dims, then the values. */
export function idxBytes(dims: readonly number[], values: Uint8Array, magic = 0x0800 + dims.length): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + values.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, magic, false);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(values, 4 + 4 * dims.length);
  return out;
}

/** Image i has every pixel equal to (7·i + pixel index) mod 256; label i is i mod 10. */
export function syntheticImages(count: number, rows: number, cols: number): { images: Uint8Array; labels: Uint8Array } {
  const images = new Uint8Array(count * rows * cols);
  for (let i = 0; i < count; i++) for (let p = 0; p < rows * cols; p++) images[i * rows * cols + p] = (7 * i + p) % 256;
  const labels = Uint8Array.from({ length: count }, (_, i) => i % 10);
  return { images, labels };
}

export function writeIdx(
  dir: string,
  prefix: 'train' | 't10k',
  count: number,
  rows: number,
  cols: number,
  gzip: boolean,
): { images: Uint8Array; labels: Uint8Array } {
  const data = syntheticImages(count, rows, cols);
  const suffix = gzip ? '.gz' : '';
  const pack = (b: Uint8Array): Uint8Array => (gzip ? gzipSync(b) : b);
  writeFileSync(join(dir, `${prefix}-images-idx3-ubyte${suffix}`), pack(idxBytes([count, rows, cols], data.images)));
  writeFileSync(join(dir, `${prefix}-labels-idx1-ubyte${suffix}`), pack(idxBytes([count], data.labels)));
  return data;
}

/** CIFAR-10 records: label (i mod 10), then 3072 bytes (i + pixel index) mod 256. */
export function cifarBytes(count: number, first = 0): Uint8Array {
  const out = new Uint8Array(count * 3073);
  for (let r = 0; r < count; r++) {
    const i = first + r;
    out[r * 3073] = i % 10;
    for (let p = 0; p < 3072; p++) out[r * 3073 + 1 + p] = (i + p) % 256;
  }
  return out;
}
