import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { convertToSnn, defaultConversionOptions } from '../../src/convert/index.js';
import { decodeSnn, encodeSnn, SnnFileError } from '../../src/model/snn-codec.js';
import { loadSnn, saveSnn } from '../../src/node/snn-file.js';
import { smallCnn } from '../helpers/nets.js';

const model = convertToSnn(smallCnn(3), null, { ...defaultConversionOptions, strategy: 'deng-gu' });

test('.snn round trip keeps graph, tensors, conversion info and meta', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'snn-'));
  const path = join(dir, 'm.snn');
  await saveSnn(path, model, { source: 'small.onnx', annAccuracy: 0.5 });
  const { model: loaded, meta } = await loadSnn(path);
  assert.deepEqual(loaded.conversion, model.conversion);
  assert.equal(meta.source, 'small.onnx');
  assert.equal(loaded.graph.nodes.length, model.graph.nodes.length);
  for (let i = 0; i < model.graph.nodes.length; i++) assert.deepEqual(loaded.graph.nodes[i], model.graph.nodes[i]);
  await assert.rejects(saveSnn(path, model), /already exists/);
});

test('.snn refuses unknown versions, bad checksums, truncation and missing files', async () => {
  const bytes = encodeSnn(model);
  const wrongVersion = bytes.slice();
  new DataView(wrongVersion.buffer).setUint32(8, 99, true);
  assert.throws(() => decodeSnn(wrongVersion, 'x.snn'), /x\.snn: unsupported \.snn format version 99/);
  const corrupt = bytes.slice();
  corrupt[corrupt.length - 3] ^= 0xff;
  assert.throws(() => decodeSnn(corrupt, 'x.snn'), /checksum mismatch/);
  assert.throws(() => decodeSnn(bytes.slice(0, bytes.length - 10), 'x.snn'), SnnFileError);
  assert.throws(
    () => decodeSnn(new TextEncoder().encode('hello world, not an snn file at all........................'), 'x.snn'),
    /bad magic/,
  );
  const dir = await mkdtemp(join(tmpdir(), 'snn-'));
  await writeFile(join(dir, 'a.snn'), bytes);
  assert.deepEqual(await readFile(join(dir, 'a.snn')), Buffer.from(bytes));
  await assert.rejects(loadSnn(join(dir, 'missing.snn')), /missing\.snn.*no such file/);
});
