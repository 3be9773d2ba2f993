/**
 * The web host's pure parts, under Node: the fflate gunzip gives zlib's answers (whole streams,
 * concatenated members, the bound with code ERR_BUFFER_TOO_LARGE, partial decoding of a cut stream,
 * refusal of a cut stream otherwise), and the build's bundled-MNIST file round-trips the Node host's
 * classes and refuses a damaged file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { constants, gunzipSync, gzipSync } from 'node:zlib';
import { gunzipWeb } from '../../web/host/gunzip-web.js';
import { decodeMnistDigits, encodeMnistDigits } from '../../web/host/mnist-digits.js';

const data = Uint8Array.from({ length: 300_000 }, (_, i) => ((i * 7919) % 251) ^ (i >> 9));
const gz = gzipSync(data);

test('web gunzip: whole streams and concatenated members decode as zlib does', () => {
  assert.deepEqual(gunzipWeb(gz, { maxOutputLength: 1e9 }), new Uint8Array(data));
  const two = Buffer.concat([gzipSync(Buffer.from('hello ')), gzipSync(Buffer.from('world'))]);
  assert.equal(Buffer.from(gunzipWeb(two, { maxOutputLength: 100 })).toString(), 'hello world');
  assert.equal(gunzipWeb(gzipSync(Buffer.alloc(0)), { maxOutputLength: 10 }).length, 0);
});

test("web gunzip: past maxOutputLength an Error with code 'ERR_BUFFER_TOO_LARGE'", () => {
  assert.throws(() => gunzipWeb(gz, { maxOutputLength: data.length - 1 }), { code: 'ERR_BUFFER_TOO_LARGE' });
  assert.equal(gunzipWeb(gz, { maxOutputLength: data.length }).length, data.length);
});

test('web gunzip: partial returns what zlib (Z_SYNC_FLUSH) decodes of a cut stream; strict refuses it', () => {
  for (const cut of [10, 100, 1024, 5000, 50_000, gz.length - 8, gz.length - 1]) {
    const cutStream = gz.subarray(0, cut);
    const expected = gunzipSync(cutStream, { finishFlush: constants.Z_SYNC_FLUSH });
    assert.deepEqual(Buffer.from(gunzipWeb(cutStream, { maxOutputLength: 1e9, partial: true })), expected, `cut at ${cut}`);
    assert.throws(() => gunzipWeb(cutStream, { maxOutputLength: 1e9 }), `strict, cut at ${cut}`);
  }
  assert.throws(() => gunzipWeb(new Uint8Array([1, 2, 3, 4]), { maxOutputLength: 100 }));
  assert.throws(() => gunzipWeb(new Uint8Array(0), { maxOutputLength: 100 }));
});

test('mnist-digits.bin: round-trips ten classes; a bad magic or length is refused naming the file', () => {
  const classes = Array.from({ length: 10 }, (_, c) => Uint8Array.from({ length: 784 * (c + 1) }, (_, i) => (i * (c + 3)) & 255));
  const bytes = encodeMnistDigits(classes);
  assert.equal(bytes.length, 48 + 784 * 55);
  assert.deepEqual(
    decodeMnistDigits(bytes, 'x.bin').map((c) => Array.from(c)),
    classes.map((c) => Array.from(c)),
  );
  assert.throws(() => decodeMnistDigits(bytes.subarray(0, bytes.length - 1), 'x.bin'), /x\.bin: header announces/);
  const bad = bytes.slice();
  bad[0] = 0;
  assert.throws(() => decodeMnistDigits(bad, 'x.bin'), /x\.bin: not a bundled-MNIST file/);
  assert.throws(() => encodeMnistDigits(classes.slice(1)), /expected 10 classes/);
});
