/**
 * The browser's gunzip (Platform.gunzip) on fflate's streaming decoder, with zlib's two behaviours the
 * core relies on (src/host/platform.ts, GunzipOptions):
 * - bounded: past `maxOutputLength` output bytes it stops with an Error whose code is
 *   'ERR_BUFFER_TOO_LARGE' (zlib's code). The input goes in slices of SLICE bytes, and deflate
 *   expands at most ~1032×, so no more than maxOutputLength + ~1032·SLICE bytes are ever decoded;
 * - partial: true returns what decodes from a cut stream (the stream is never finished, like zlib's
 *   Z_SYNC_FLUSH) instead of failing on its missing end;
 * - strict otherwise: fflate accepts a stream whose 8-byte trailer is missing or cut, so the last
 *   member's trailer is checked here (its ISIZE = that member's output length mod 2³²), as zlib does.
 */
import { Gunzip } from 'fflate';
import type { GunzipOptions } from '../../src/host/platform.js';

const SLICE = 4096;
/** A 10-byte header, the 2 bytes of an empty deflate stream, the 8-byte trailer. */
const MIN_GZIP_BYTES = 20;

/** zlib's error for output past the bound; `code` is what callers test. */
class BufferTooLargeError extends Error {
  readonly code = 'ERR_BUFFER_TOO_LARGE';
}

export function gunzipWeb(compressed: Uint8Array, options: GunzipOptions): Uint8Array {
  const chunks: Uint8Array[] = [];
  let length = 0;
  const stream = new Gunzip((chunk) => {
    length += chunk.length;
    if (length > options.maxOutputLength) {
      throw new BufferTooLargeError(`Cannot create a Buffer larger than ${options.maxOutputLength} bytes`);
    }
    chunks.push(chunk);
  });
  const partial = options.partial === true;
  let memberStart = 0;
  stream.onmember = () => {
    memberStart = length;
  };
  if (!partial && compressed.length < MIN_GZIP_BYTES) throw new Error('unexpected end of file');
  for (let at = 0; at < compressed.length || (at === 0 && !partial); at += SLICE) {
    const end = Math.min(at + SLICE, compressed.length);
    stream.push(compressed.subarray(at, end), !partial && end === compressed.length);
    if (end === compressed.length) break;
  }
  if (!partial) {
    const view = new DataView(compressed.buffer, compressed.byteOffset, compressed.byteLength);
    if (view.getUint32(compressed.length - 4, true) !== (length - memberStart) % 2 ** 32) throw new Error('unexpected end of file');
  }
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(length);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}
