/**
 * The NIR reader's watchdog: a corrupt file on which the HDF5 library loops for ever (found by the
 * fuzzer: a damaged global heap under a variable-length string) is refused with a NirReadError
 * naming the file, within the time given; a good file reads through the same worker, before and after.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { convertToSnn, defaultConversionOptions } from '../../../src/convert/index.js';
import { decodeNirGuarded } from '../../../src/node/nir-decode-guarded.js';
import { NirReadError, readNir } from '../../../src/export/nir/index.js';
import { writeNir } from '../../../src/export/nir/write-nir.js';
import { smallCnn } from '../../helpers/nets.js';

const looping = readFileSync(new URL('./fixtures/looping-global-heap.nir', import.meta.url));

test('a file the HDF5 library loops on is refused within the timeout, and the reader recovers', async () => {
  const good = (await writeNir(convertToSnn(smallCnn(2), null, defaultConversionOptions))).bytes;
  const first = await readNir(good, 'good.nir', { decode: decodeNirGuarded });
  const started = Date.now();
  await assert.rejects(
    readNir(looping, 'loop.nir', { decode: (b, s) => decodeNirGuarded(b, s, 3000) }),
    (e: Error) => e instanceof NirReadError && /loop\.nir: the HDF5 reader did not finish within 3 s/.test(e.message),
  );
  assert.ok(Date.now() - started < 10_000, 'refused soon after the timeout');
  const again = await readNir(good, 'good.nir', { decode: decodeNirGuarded });
  assert.equal(again.graph.nodes.length, first.graph.nodes.length);
});
