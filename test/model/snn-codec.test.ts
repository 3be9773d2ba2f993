import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { convertToSnn, defaultConversionOptions } from '../../src/convert/index.js';
import { decodeSnn, encodeSnn, SnnFileError } from '../../src/model/snn-codec.js';
import type { SnnModel } from '../../src/model/snn-model.js';
import { tensor } from '../../src/tensor/tensor.js';
import { smallCnn } from '../helpers/nets.js';

const model = convertToSnn(smallCnn(3), null, { ...defaultConversionOptions, thresholdScope: 'channel', shift: 'bias' });

/** A .snn file around any header, with a correct checksum, so only the header is at fault. */
function withHeader(header: unknown, section: Uint8Array = new Uint8Array(0)): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(48 + json.length + section.length);
  out.set(new TextEncoder().encode('ANN2SNN\n'), 0);
  new DataView(out.buffer).setUint32(8, 1, true);
  new DataView(out.buffer).setUint32(12, json.length, true);
  out.set(json, 48);
  out.set(section, 48 + json.length);
  out.set(createHash('sha256').update(out.subarray(48)).digest(), 16);
  return out;
}

function headerOf(bytes: Uint8Array): Record<string, unknown> {
  const length = new DataView(bytes.buffer, bytes.byteOffset).getUint32(12, true);
  return JSON.parse(new TextDecoder().decode(bytes.subarray(48, 48 + length)));
}

test('decodeSnn(encodeSnn(m)) gives back graph, per-channel θ, conversion info and meta', () => {
  const { model: back, meta } = decodeSnn(encodeSnn(model, { source: 'a.onnx' }));
  assert.deepEqual(back.conversion, model.conversion);
  assert.deepEqual(back.graph.nodes, model.graph.nodes);
  assert.deepEqual(back.ann.nodes, model.ann.nodes);
  assert.equal(meta.source, 'a.onnx');
});

test('a fixed batch size of any magnitude the importer takes (here 2^40) survives the round trip', () => {
  const big = (g: SnnModel['graph']) => ({ ...g, input: { ...g.input, shape: [2 ** 40, ...g.input.shape.slice(1)] } });
  const m: SnnModel = { ...model, graph: big(model.graph), ann: big(model.ann) };
  const { model: back } = decodeSnn(encodeSnn(m, { source: 'a.onnx' }));
  assert.deepEqual(back.graph.input.shape, m.graph.input.shape);
});

test('a per-unit v(0) and the calibration record survive the round trip', () => {
  const calibrated: SnnModel = {
    ...model,
    graph: {
      ...model.graph,
      nodes: model.graph.nodes.map((n) =>
        n.op === 'Spike' && n.name === 'act1'
          ? {
              ...n,
              initialPotential: tensor(
                [4, 8, 8],
                Float32Array.from({ length: 256 }, (_, i) => i / 256),
              ),
            }
          : n,
      ),
    },
    conversion: {
      ...model.conversion,
      options: { ...model.conversion.options, strategy: 'calibrated', targetT: 8 },
      calibration: {
        T: 8,
        mode: 'advanced',
        images: 100,
        layers: [
          { node: 'act1', theta: [1], kept: true, channelError: { before: 0.5, after: 0.25 }, unitError: { before: 0.5, after: 0.125 } },
        ],
      },
    },
  };
  const { model: back } = decodeSnn(encodeSnn(calibrated));
  assert.deepEqual(back.conversion, calibrated.conversion);
  assert.deepEqual(back.graph.nodes, calibrated.graph.nodes);
});

test('the codec checksum is the SHA-256 of header and tensor section', () => {
  const bytes = encodeSnn(model);
  assert.deepEqual(Buffer.from(bytes.subarray(16, 48)), createHash('sha256').update(bytes.subarray(48)).digest());
});

test('a header that is valid JSON but not an object is refused', () => {
  for (const header of [null, 42, 'graph', [1, 2]])
    assert.throws(
      () => decodeSnn(withHeader(header), 'h.snn'),
      (e: Error) => e instanceof SnnFileError && /h\.snn: header is not a JSON object/.test(e.message),
    );
});

test('hostile tensor tables are refused with the tensor named, before allocating', () => {
  const bytes = encodeSnn(model);
  const good = headerOf(bytes);
  const section = bytes.subarray(48 + new DataView(bytes.buffer).getUint32(12, true));
  const cases: [unknown, RegExp][] = [
    [{ not: 'an array' }, /'tensors' is not an array/],
    [[{ shape: [2, -1], offset: 0 }], /tensor 0: not \{ shape/],
    [[{ shape: [2.5], offset: 0 }], /tensor 0: not \{ shape/],
    [[{ shape: '4', offset: 0 }], /tensor 0: not \{ shape/],
    [[{ shape: [4], offset: 0.5 }], /tensor 0: not \{ shape/],
    [[{ shape: [4], offset: -4 }], /tensor 0: not \{ shape/],
    [[{ shape: [4] }], /tensor 0: not \{ shape/],
    [[null], /tensor 0: not \{ shape/],
    [
      [
        { shape: [1], offset: 0 },
        { shape: [1e9, 1e9, 1e9], offset: 0 },
      ],
      /tensor 1 \(shape \[1000000000,1000000000,1000000000\]\) reaches past the end/,
    ],
    [[{ shape: [1], offset: section.length }], /tensor 0 \(shape \[1\]\) reaches past the end/],
  ];
  for (const [tensors, message] of cases)
    assert.throws(
      () => decodeSnn(withHeader({ ...good, tensors }, section), 'h.snn'),
      (e: Error) => e instanceof SnnFileError && message.test(e.message),
    );
});

test('a header without graph, ann or conversion objects is refused, naming the field', () => {
  const good = headerOf(encodeSnn(model));
  assert.throws(() => decodeSnn(withHeader({ ...good, graph: 3 })), /'graph' is missing or not an object/);
  assert.throws(() => decodeSnn(withHeader({ ...good, conversion: undefined })), /'conversion' is missing or not an object/);
  assert.throws(() => decodeSnn(withHeader({ ...good, meta: [] })), /'meta' is not an object/);
});

test('the codec imports nothing from node:* (it runs in a browser)', async () => {
  const { readFile } = await import('node:fs/promises');
  const source = await readFile(new URL('../../src/model/snn-codec.ts', import.meta.url), 'utf8');
  assert.doesNotMatch(source, /from 'node:/);
});
