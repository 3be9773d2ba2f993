/**
 * IDX files (src/data/idx.ts), plain and gzip: the magic (type byte, rank), every dimension (0, 1,
 * 2^16, 2^31, 2^32 − 1, one more or less than the data), the data cut short or run long, and byte
 * mutations of the plain bytes or of the gzip stream (a lying header inside a valid stream, and a
 * corrupt stream). Each case is read as images and as labels; a read that succeeds must give
 * exactly the header's dimensions and the file's values.
 */
import fc from 'fast-check';
import { gunzipSync, gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { readIdxImages, readIdxLabels } from '../../src/node/data/idx-files.js';
import { isUserError } from '../../src/cli/user-errors.js';
import type { FuzzCase, FuzzTarget } from '../target.js';
import { concatBytes } from '../../src/data/concat-bytes.js';
import { BOUNDARY_U32, byteMutation, firstAccepting, mutate } from './byte-mutations.js';

const COUNT = 3;
const ROWS = 4;
const COLS = 5;

function idx(type: number, dims: readonly number[], data: Uint8Array): Uint8Array {
  const head = new Uint8Array(4 + 4 * dims.length);
  const view = new DataView(head.buffer);
  view.setUint32(0, (type << 8) | dims.length, false);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  return concatBytes([head, data]);
}

const pixels = Uint8Array.from({ length: COUNT * ROWS * COLS }, (_, i) => (i * 37) & 0xff);
const baseImages = idx(0x08, [COUNT, ROWS, COLS], pixels);
const baseLabels = idx(0x08, [COUNT], Uint8Array.of(7, 0, 9));

/** A header field rewritten: the magic word, or one dimension (u32 BE at 4 + 4i). */
const headerEdit = fc.oneof(
  fc.record({
    field: fc.constant('magic' as const),
    value: fc.oneof(
      fc.constantFrom(0x0803, 0x0801, 0x0800, 0x0804, 0x0809, 0x0903, 0x0b03, 0x0c01, 0x0d03, 0x0e01, 0x08ff, 0x1f8b0803),
      fc.integer({ min: 0, max: 0xffffffff }),
    ),
  }),
  fc.record({
    field: fc.constant('dim' as const),
    index: fc.integer({ min: 0, max: 2 }),
    value: fc.oneof(
      fc.constantFrom(...BOUNDARY_U32),
      fc.constantFrom(COUNT - 1, COUNT + 1, ROWS + 1, COLS - 1),
      fc.integer({ min: 0, max: 0xffffffff }),
    ),
  }),
);

type HeaderEdit = { field: 'magic'; value: number } | { field: 'dim'; index: number; value: number };

function applyHeaderEdit(bytes: Uint8Array, e: HeaderEdit): Uint8Array {
  const out = bytes.slice();
  const at = e.field === 'magic' ? 0 : 4 + 4 * e.index;
  if (at + 4 <= out.length) new DataView(out.buffer).setUint32(at, e.value, false);
  return out;
}

const cases: fc.Arbitrary<FuzzCase> = fc
  .record({
    base: fc.constantFrom('images' as const, 'labels' as const),
    header: fc.array(headerEdit, { maxLength: 2 }),
    bytes: fc.array(byteMutation, { maxLength: 2 }),
    gzip: fc.constantFrom('plain' as const, 'lying header in a valid stream' as const, 'mutated stream' as const),
  })
  .map(({ base, header, bytes, gzip }) => {
    const plain = header.reduce(applyHeaderEdit, base === 'images' ? baseImages : baseLabels);
    const described = [
      `${base} file (${gzip})`,
      ...header.map((h) => (h.field === 'magic' ? `magic = 0x${h.value.toString(16)}` : `dims[${h.index}] = ${h.value}`)),
    ];
    if (gzip === 'mutated stream') {
      const stream = mutate(gzipSync(plain), bytes, 'gzip ');
      return { bytes: stream.bytes, mutation: [...described, ...stream.described].join('; ') };
    }
    const mutated = mutate(plain, bytes);
    const mutation = [...described, ...mutated.described].join('; ');
    return { bytes: gzip === 'plain' ? mutated.bytes : gzipSync(mutated.bytes), mutation };
  });

/** The bytes a reader should have seen: the file, decompressed when it is gzip. */
function contentOf(file: string): Uint8Array {
  const raw = readFileSync(file);
  return raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw;
}

function fail(file: string, message: string): never {
  throw new Error(`${file}: wrong result: ${message}`);
}

export const idxTarget: FuzzTarget = {
  name: 'idx',
  extension: 'idx',
  cases,
  async run(path) {
    const refusal = (e: unknown): boolean => isUserError(e) && e.message.includes(path);
    await firstAccepting(
      [
        () => {
          const images = readIdxImages(path);
          const content = contentOf(path);
          if (images.data.length !== images.count * images.rows * images.cols) fail(path, 'image data length ≠ count·rows·cols');
          if (content.length !== 16 + images.data.length) fail(path, 'accepted a file whose size is not header + data');
          if (!images.data.every((v, i) => v === content[16 + i])) fail(path, 'image values differ from the file');
        },
        () => {
          const labels = readIdxLabels(path);
          const content = contentOf(path);
          if (content.length !== 8 + labels.length) fail(path, 'accepted a labels file whose size is not header + data');
          if (new DataView(content.buffer, content.byteOffset).getUint32(4, false) !== labels.length) fail(path, 'label count ≠ header');
        },
      ],
      refusal,
    );
  },
};
