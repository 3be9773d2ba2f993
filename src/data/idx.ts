/**
 * IDX files (the MNIST / Fashion-MNIST layout), raw or gzip-compressed (detected by the gzip magic
 * 1f 8b, not by the file name).
 *
 *   bytes 0..3   magic 0x00 0x00 type ndims     (type 0x08 = u8; images 0x00000803, labels 0x00000801)
 *   then ndims × u32 big-endian dimensions, then the u8 values, row-major
 *
 * The header is checked against the byte count before any array is made from it: a corrupt header
 * cannot make us allocate what it claims. Errors are DataErrors naming the file, the byte offset
 * and expected against actual sizes. Bytes in, arrays out: reading the files is the host's
 * (src/node/data/idx-files.ts); gunzip is the platform's (zlib on Node, fflate in a browser).
 */
import { platform } from '../host/platform.js';
import { DataError } from './dataset.js';
import { InMemoryDataset } from './in-memory-dataset.js';
import type { Normalization } from './normalize.js';

export const IDX_IMAGES_MAGIC = 0x00000803;
export const IDX_LABELS_MAGIC = 0x00000801;
/** Deflate's largest expansion (258-byte matches in 2 bits, plus block overhead), rounded up. */
const MAX_INFLATE_RATIO = 1032;
/**
 * The largest decompressed file we make: 2^32 bytes, Node 20's buffer.kMaxLength on 64-bit (the
 * bound zlib enforces there) and within what browsers allow for one typed array.
 */
export const MAX_DECOMPRESSED_BYTES = 2 ** 32;

export interface IdxImages {
  readonly count: number;
  readonly rows: number;
  readonly cols: number;
  /** count·rows·cols values, image after image. */
  readonly data: Uint8Array;
}

function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

function hex(value: number): string {
  return `0x${value.toString(16).padStart(8, '0')}`;
}

interface IdxHeader {
  readonly magic: number;
  readonly dims: readonly number[];
  readonly headerBytes: number;
  /** headerBytes + product(dims). */
  readonly totalBytes: number;
}

function parseHeader(bytes: Uint8Array, file: string, expectedMagic: number): IdxHeader {
  const what = expectedMagic === IDX_IMAGES_MAGIC ? 'IDX u8 images' : 'IDX u8 labels';
  if (bytes.length < 4) throw new DataError(`${file}: ${bytes.length} bytes is too short for an IDX header (magic at byte 0 needs 4)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, false);
  if (magic !== expectedMagic) {
    throw new DataError(`${file}: magic ${hex(magic)} at byte offset 0, expected ${hex(expectedMagic)} (${what})`);
  }
  const ndims = magic & 0xff;
  const headerBytes = 4 + 4 * ndims;
  if (bytes.length < headerBytes) {
    throw new DataError(`${file}: header needs ${headerBytes} bytes (${ndims} dimensions from byte offset 4), file has ${bytes.length}`);
  }
  const dims: number[] = [];
  for (let i = 0; i < ndims; i++) dims.push(view.getUint32(4 + 4 * i, false));
  return { magic, dims, headerBytes, totalBytes: headerBytes + dims.reduce((a, b) => a * b, 1) };
}

function checkSize(header: IdxHeader, actual: number, file: string): void {
  if (actual === header.totalBytes) return;
  const dims = header.dims.join('×');
  const dataBytes = header.totalBytes - header.headerBytes;
  const detail =
    actual < header.totalBytes
      ? `truncated: data ends at byte offset ${actual}, ${header.totalBytes - actual} bytes short`
      : `${actual - header.totalBytes} extra bytes after byte offset ${header.totalBytes}`;
  throw new DataError(
    `${file}: header says ${dims} = ${dataBytes} data bytes from byte offset ${header.headerBytes} (${header.totalBytes} bytes in all), file has ${actual} (${detail})`,
  );
}

/** Strict gunzip bounded to `limit` output bytes; DataErrors name the file. */
function gunzipBounded(compressed: Uint8Array, file: string, limit: number, announced?: number): Uint8Array {
  try {
    return platform().gunzip(compressed, { maxOutputLength: limit });
  } catch (e) {
    if ((e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new DataError(
        announced === undefined
          ? `${file}: no complete IDX header in the first ${limit} decompressed bytes`
          : `${file}: decompresses to more than the ${announced} bytes its header announces`,
      );
    }
    let decodable = -1;
    try {
      decodable = platform().gunzip(compressed, { maxOutputLength: limit, partial: true }).length;
    } catch {
      // the count stays unknown
    }
    const sizes = [decodable >= 0 ? `${decodable} bytes decodable` : '', announced !== undefined ? `header announces ${announced}` : '']
      .filter((x) => x !== '')
      .join(', ');
    throw new DataError(`${file}: gzip stream is corrupt or truncated (${(e as Error).message})${sizes === '' ? '' : `; ${sizes}`}`);
  }
}

function gunzip(compressed: Uint8Array, file: string, expectedMagic: number): Uint8Array {
  // Decode the header alone first (a partial inflate of the first compressed bytes), so that the
  // full size is known, checked and bounded before the whole stream is decompressed.
  let head: Uint8Array;
  try {
    // 1 KiB of deflate input inflates to at most about 1 MiB.
    head = platform().gunzip(compressed.subarray(0, Math.min(compressed.length, 1024)), {
      maxOutputLength: MAX_DECOMPRESSED_BYTES,
      partial: true,
    });
  } catch (e) {
    throw new DataError(`${file}: not a readable gzip stream (${(e as Error).message})`);
  }
  const needed = head.length >= 4 ? 4 + 4 * head[3] : 4;
  if (head.length < needed) {
    // Too little decodes for a header: the strict decoder tells a cut stream from a short file.
    parseHeader(gunzipBounded(compressed, file, 65536), `${file} (decompressed)`, expectedMagic);
  }
  const header = parseHeader(head, `${file} (decompressed)`, expectedMagic);
  // Deflate expands at most ~1032×: a header announcing more than the stream can hold is refused
  // before decompressing (and before a size beyond what a buffer can be reaches zlib).
  const most = Math.min(MAX_INFLATE_RATIO * compressed.length, MAX_DECOMPRESSED_BYTES - 1);
  if (header.totalBytes > most) {
    throw new DataError(
      `${file} (decompressed): header says ${header.dims.join('×')} = ${header.totalBytes} bytes in all, more than a ${compressed.length}-byte gzip stream can hold (at most ${most})`,
    );
  }
  const bytes = gunzipBounded(compressed, file, header.totalBytes + 1, header.totalBytes);
  checkSize(header, bytes.length, `${file} (decompressed)`);
  return bytes;
}

/** Reads and checks an IDX file; returns its dimensions and a view of its values. */
export function parseIdx(fileBytes: Uint8Array, file: string, expectedMagic: number): { dims: readonly number[]; data: Uint8Array } {
  const bytes = isGzip(fileBytes) ? gunzip(fileBytes, file, expectedMagic) : fileBytes;
  const header = parseHeader(bytes, file, expectedMagic);
  checkSize(header, bytes.length, file);
  // A plain Uint8Array view (not a Buffer), without copying.
  return {
    dims: header.dims,
    data: new Uint8Array(bytes.buffer, bytes.byteOffset + header.headerBytes, header.totalBytes - header.headerBytes),
  };
}

/** An IDX images file's bytes (raw or gzip) as images; `file` names it in errors. */
export function parseIdxImages(bytes: Uint8Array, file: string): IdxImages {
  const { dims, data } = parseIdx(bytes, file, IDX_IMAGES_MAGIC);
  const [count, rows, cols] = dims;
  if (rows === 0 || cols === 0) throw new DataError(`${file}: images of ${rows}×${cols} pixels`);
  return { count, rows, cols, data };
}

/** An IDX labels file's bytes (raw or gzip) as labels; `file` names it in errors. */
export function parseIdxLabels(bytes: Uint8Array, file: string): Uint8Array {
  return parseIdx(bytes, file, IDX_LABELS_MAGIC).data;
}

/** An images file and its labels file; their counts must agree (the names are for the error). */
export function idxPair(
  images: IdxImages,
  labels: Uint8Array,
  imagesFile: string,
  labelsFile: string,
): { images: IdxImages; labels: Uint8Array } {
  if (labels.length !== images.count) {
    throw new DataError(`${imagesFile} holds ${images.count} images but ${labelsFile} holds ${labels.length} labels`);
  }
  return { images, labels };
}

/**
 * IDX images and their labels as a data set of [1, rows, cols] samples; classes = max(10, largest
 * label + 1). The arrays are used as they are (no copy).
 */
export function idxDataset(name: string, images: IdxImages, labels: Uint8Array, normalization?: Normalization): InMemoryDataset {
  let maxLabel = 0;
  for (const l of labels) if (l > maxLabel) maxLabel = l;
  return new InMemoryDataset({
    name,
    images: images.data,
    labels,
    sampleShape: [1, images.rows, images.cols],
    numClasses: Math.max(10, maxLabel + 1),
    normalization,
  });
}
