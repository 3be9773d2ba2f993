/** Targets that end in every outcome the harness knows, for test/fuzz/harness.test.ts (run in the supervisor's worker). */
import fc from 'fast-check';
import type { FuzzTarget } from '../../fuzz/target.js';
import { OnnxError } from '../../src/onnx/errors.js';

function target(name: string, run: (path: string) => Promise<void>): FuzzTarget {
  return { name, extension: 'bin', cases: fc.constant({ bytes: new Uint8Array(1), mutation: 'none' }), run };
}

export const targets: readonly FuzzTarget[] = [
  target('ok', async () => {}),
  target('typed', async (path) => {
    throw new OnnxError('not a model', { source: path });
  }),
  target('unnamed', async () => {
    throw new OnnxError('not a model');
  }),
  target('range', async () => {
    throw new RangeError('Invalid typed array length: 1099511627776');
  }),
  target('hang', async () => {
    for (;;);
  }),
  target('buffers', async () => {
    const keep: Float64Array[] = [];
    for (;;) {
      keep.push(new Float64Array(2 ** 22).fill(1));
      await new Promise((resolve) => setImmediate(resolve));
    }
  }),
  target('heap', async () => {
    const keep: number[][] = [];
    for (;;) keep.push(new Array(1_000_000).fill(keep.length + 0.5));
  }),
  target('crash', async () => {
    setTimeout(() => {
      throw new Error('thrown outside the case');
    });
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }),
];
