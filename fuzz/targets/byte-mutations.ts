/**
 * Byte-level mutations shared by the file targets: a flipped or overwritten byte, a boundary u32
 * written over a field (either byte order), a truncation, an insertion, a deleted range, an
 * appended tail. Each mutation is plain data (so a case prints what was done to it) applied by
 * `applyByteMutation`; positions are taken modulo the length, so one arbitrary serves any file.
 */
import fc from 'fast-check';
import { concatBytes } from '../../src/data/concat-bytes.js';

/** Values that break size arithmetic: 0, 1, powers of two around 2^16, 2^31 and 2^32. */
export const BOUNDARY_U32 = [0, 1, 2, 3, 0xff, 0x100, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff] as const;

export type ByteMutation =
  | { readonly kind: 'flip'; readonly at: number; readonly mask: number }
  | { readonly kind: 'set'; readonly at: number; readonly value: number }
  | { readonly kind: 'u32'; readonly at: number; readonly value: number; readonly littleEndian: boolean }
  | { readonly kind: 'truncate'; readonly at: number }
  | { readonly kind: 'insert'; readonly at: number; readonly bytes: readonly number[] }
  | { readonly kind: 'delete'; readonly at: number; readonly length: number }
  | { readonly kind: 'append'; readonly bytes: readonly number[] };

/** A position, reduced modulo the length when applied (fc.nat is not biased towards the ends the way fc.double is). */
const position = fc.nat();
const byte = fc.integer({ min: 0, max: 255 });

export const byteMutation: fc.Arbitrary<ByteMutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: position, mask: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ kind: fc.constant('set' as const), at: position, value: fc.constantFrom(0, 1, 0x7f, 0x80, 0xff) }),
  fc.record({
    kind: fc.constant('u32' as const),
    at: position,
    value: fc.oneof(fc.constantFrom(...BOUNDARY_U32), fc.integer({ min: 0, max: 0xffffffff })),
    littleEndian: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('truncate' as const), at: position }),
  fc.record({ kind: fc.constant('insert' as const), at: position, bytes: fc.array(byte, { minLength: 1, maxLength: 16 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: position, length: fc.integer({ min: 1, max: 64 }) }),
  fc.record({ kind: fc.constant('append' as const), bytes: fc.array(byte, { minLength: 1, maxLength: 64 }) }),
);

/** The bytes with the mutation applied (a new array; the input is not changed). */
export function applyByteMutation(bytes: Uint8Array, m: ByteMutation): Uint8Array {
  const at = m.kind === 'append' ? bytes.length : m.at % (bytes.length + 1);
  switch (m.kind) {
    case 'flip':
    case 'set': {
      const out = bytes.slice();
      const i = at % Math.max(1, out.length);
      if (out.length > 0) out[i] = m.kind === 'flip' ? out[i] ^ m.mask : m.value;
      return out;
    }
    case 'u32': {
      const out = bytes.slice();
      const start = Math.min(at, Math.max(0, out.length - 4));
      if (out.length >= 4) new DataView(out.buffer).setUint32(start, m.value, m.littleEndian);
      return out;
    }
    case 'truncate':
      return bytes.slice(0, at);
    case 'insert':
    case 'append':
      return concatBytes([bytes.subarray(0, at), Uint8Array.from(m.bytes), bytes.subarray(at)]);
    case 'delete':
      return concatBytes([bytes.subarray(0, at), bytes.subarray(at + m.length)]);
  }
}

/** What the mutation does to a file of `length` bytes, with the actual offset. */
export function describeByteMutation(m: ByteMutation, length: number): string {
  const at = m.kind === 'append' ? length : m.at % (length + 1);
  switch (m.kind) {
    case 'flip':
      return `byte ${at % Math.max(1, length)} ^= 0x${m.mask.toString(16)}`;
    case 'set':
      return `byte ${at % Math.max(1, length)} = 0x${m.value.toString(16)}`;
    case 'u32':
      return `u32 ${m.littleEndian ? 'LE' : 'BE'} at ${Math.min(at, Math.max(0, length - 4))} = ${m.value}`;
    case 'truncate':
      return `truncated to ${at} bytes`;
    case 'insert':
      return `${m.bytes.length} bytes inserted at ${at}`;
    case 'delete':
      return `${m.length} bytes deleted at ${at}`;
    case 'append':
      return `${m.bytes.length} bytes appended`;
  }
}

/** The mutations applied in order, with what each did. */
export function mutate(bytes: Uint8Array, ms: readonly ByteMutation[], label = ''): { bytes: Uint8Array; described: string[] } {
  const described: string[] = [];
  for (const m of ms) {
    described.push(`${label}${describeByteMutation(m, bytes.length)}`);
    bytes = applyByteMutation(bytes, m);
  }
  return { bytes, described };
}

/** Up to `max` byte mutations applied in order, as one case's bytes and description. */
export function byteMutations(base: Uint8Array, max = 3): fc.Arbitrary<{ bytes: Uint8Array; mutation: string }> {
  return fc.array(byteMutation, { minLength: 1, maxLength: max }).map((ms) => {
    const { bytes, described } = mutate(base, ms);
    return { bytes, mutation: described.join('; ') };
  });
}

/** Runs every reader on the case; resolves if one accepted it, else rejects with the first refusal (a thrown non-user error wins). */
export async function firstAccepting(readers: readonly (() => unknown)[], isRefusal: (e: unknown) => boolean): Promise<void> {
  let refusal: unknown = null;
  let accepted = false;
  for (const read of readers) {
    try {
      await read();
      accepted = true;
    } catch (e) {
      if (!isRefusal(e)) throw e;
      refusal ??= e;
    }
  }
  if (!accepted) throw refusal;
}
