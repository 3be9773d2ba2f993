/**
 * The .snn reader's bounds and type checks, reached: every case here carries a VALID SHA-256 over a
 * header that lies (about its own length, a tensor's offset or shape, the tensor count, a field's
 * type, a size the graph implies), so the checksum passes and the check under test is the one
 * that refuses. And the "Infinity" strings: numbers only in numeric fields.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { convertToSnn, defaultConversionOptions } from '../../src/convert/index.js';
import { decodeSnn, encodeSnn, SnnFileError } from '../../src/model/snn-codec.js';
import type { SnnModel } from '../../src/model/snn-model.js';
import { smallCnn } from '../helpers/nets.js';

const model = convertToSnn(smallCnn(3), null, { ...defaultConversionOptions, thresholdScope: 'channel' });
const bytes = encodeSnn(model, { source: 'a.onnx' });
const H = new DataView(bytes.buffer).getUint32(12, true);
const header = JSON.parse(new TextDecoder().decode(bytes.subarray(48, 48 + H))) as Record<string, unknown>;
const section = bytes.slice(48 + H);

/** A file from raw header bytes, a declared header length and a tensor section; the checksum is recomputed, so it is valid. */
function file(json: Uint8Array, declaredLength: number, tensors: Uint8Array = section): Uint8Array {
  const out = new Uint8Array(48 + json.length + tensors.length);
  out.set(new TextEncoder().encode('ANN2SNN\n'), 0);
  new DataView(out.buffer).setUint32(8, 1, true);
  new DataView(out.buffer).setUint32(12, declaredLength, true);
  out.set(json, 48);
  out.set(tensors, 48 + json.length);
  out.set(createHash('sha256').update(out.subarray(48)).digest(), 16);
  return out;
}

function withHeader(h: unknown, tensors: Uint8Array = section): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(h));
  return file(json, json.length, tensors);
}

function refuses(b: Uint8Array, message: RegExp): void {
  assert.throws(
    () => decodeSnn(b, 'lie.snn'),
    (e: Error) => e instanceof SnnFileError && e.message.startsWith('lie.snn: ') && message.test(e.message),
    `expected an SnnFileError matching ${message}`,
  );
}

type Json = Record<string, unknown>;
const nodes = (h: Json): Json[] => (h.graph as { nodes: Json[] }).nodes;
const clone = (): Json => structuredClone(header);

test('the untouched header reads (the helper builds valid files)', () => {
  decodeSnn(withHeader(header), 'lie.snn');
});

test('header length: longer than the file, shorter than the JSON, or swallowing tensor bytes', () => {
  const json = new TextEncoder().encode(JSON.stringify(header));
  refuses(file(json, json.length + section.length + 1), /header of \d+ bytes runs past the end of the file/);
  refuses(file(json, 0xffffffff), /runs past the end of the file/);
  refuses(file(json, json.length - 1), /header is not valid JSON/);
  refuses(file(json, json.length + 4), /header is not valid JSON/);
  refuses(file(json, 0), /header is not valid JSON/);
});

test('tensor offsets and shapes that reach past the end, or hostile sizes, are refused before allocating', () => {
  const t = (header.tensors as Json[]).map((e) => ({ ...e }));
  const cases: [Json[], RegExp][] = [
    [t.map((e, i) => (i === 0 ? { ...e, offset: section.length } : e)), /tensor 0 \(shape \[[\d,]+\]\) reaches past the end/],
    [t.map((e, i) => (i === 1 ? { ...e, offset: 2 ** 53 - 1 } : e)), /tensor 1 .* reaches past the end/],
    [t.map((e, i) => (i === 0 ? { ...e, shape: [2 ** 31, 2 ** 31, 2 ** 31] } : e)), /tensor 0 .* reaches past the end/],
    [t.map((e, i) => (i === 2 ? { ...e, shape: [section.length] } : e)), /tensor 2 .* reaches past the end/],
    [t.map((e, i) => (i === 0 ? { ...e, shape: [2 ** 53] } : e)), /tensor 0: not \{ shape/],
    [t.map((e, i) => (i === 0 ? { ...e, offset: '0' } : e)), /tensor 0: not \{ shape/],
  ];
  for (const [tensors, message] of cases) refuses(withHeader({ ...header, tensors }), message);
  // The tensor section itself cut short (the header still lists every tensor).
  refuses(withHeader(header, section.subarray(0, section.length - 4)), /reaches past the end/);
});

test('tensor count: a table shorter than the references, and references that are not indices', () => {
  const t = header.tensors as Json[];
  refuses(withHeader({ ...header, tensors: t.slice(0, 1) }), /tensor reference \d+ out of range/);
  refuses(withHeader({ ...header, tensors: [] }), /tensor reference 0 out of range/);
  for (const ref of [-1, 1.5, '0', null]) {
    const h = clone();
    (nodes(h)[0].weight as Json).$tensor = ref;
    refuses(withHeader(h), /tensor reference .* out of range/);
  }
});

test('node fields of the wrong type or beyond bounds name the node and field', () => {
  const cases: [(n: Json[]) => void, RegExp][] = [
    [(n) => (n[0].strides = [0, 1]), /graph node 'conv1': 'strides' is not two positive integers/],
    [(n) => (n[0].pads = [-1, 0, 0, 0]), /'pads' is not four non-negative integers/],
    [(n) => (n[0].groups = 'Infinity'), /'groups' is not a positive integer/],
    [(n) => (n[0].weight = 3), /'weight' is not a tensor/],
    [(n) => (n[0].inputs = 'x'), /'inputs' is not a list of strings/],
    [(n) => (n[0].op = 'Loop'), /unknown op 'Loop'/],
    [(n) => (n[0].op = 'constructor'), /unknown op 'constructor'/],
    [(n) => delete n[1].reset, /'reset' is not 'soft' or 'hard'/],
    [(n) => (n[1].maxSpikesPerStep = 2 ** 40), /'maxSpikesPerStep' is not a positive integer/],
    [(n) => (n[0].name = 7), /has no string 'name'/],
    [(n) => n.push(null as unknown as Json), /is not an object/],
  ];
  for (const [edit, message] of cases) {
    const h = clone();
    edit(nodes(h));
    refuses(withHeader(h), message);
  }
  const h = clone();
  (h.graph as Json).input = { name: 'x', shape: [null, 1, -8, 8] };
  refuses(withHeader(h), /'graph.input' is not/);
  const c = clone();
  ((c.conversion as Json).options as Json).shift = 7;
  refuses(withHeader(c), /'conversion.options.shift' is not/);
  const l = clone();
  (l.conversion as Json).layers = 'all';
  refuses(withHeader(l), /'conversion.layers' is not a list/);
});

test('graphs whose shapes do not add up, or whose values would be huge, are refused naming the file', () => {
  const p = 2 ** 19;
  const padded = {
    input: { name: 'x', shape: [null, 1, 8, 8] },
    output: 'gap',
    nodes: [
      { op: 'Pad', name: 'pad', inputs: ['x'], output: 'pad', pads: [p, p, p, p], value: 0 },
      { op: 'GlobalAvgPool', name: 'gap', inputs: ['pad'], output: 'gap' },
    ],
  };
  // Refused by the shape inference (beyond 2^28) or by the reader's own ceiling (2^26), naming the file either way.
  refuses(withHeader({ ...header, graph: padded }), /graph.*'pad'.* (elements|values) per sample/);
  padded.nodes[0].pads = [4996, 4996, 4996, 4996];
  refuses(withHeader({ ...header, graph: padded }), /graph value 'pad' has 100000000 elements per sample .* more than 67108864/);
  const wrong = clone();
  nodes(wrong)[0].groups = 3;
  refuses(withHeader(wrong), /lie\.snn: graph: .*channels/);
  const theta = clone();
  const t = header.tensors as Json[];
  const ref = (nodes(theta)[1].threshold as Json).$tensor as number;
  theta.tensors = t.map((e, i) => (i === ref ? { ...e, shape: [3] } : e));
  refuses(withHeader(theta), /node 'act1': threshold has 3 values, expected 1 or 4/);
});

test('"Infinity" is a number only in numeric fields: a node or a source named "Infinity" stays a string', () => {
  const named: SnnModel = {
    ...model,
    graph: { ...model.graph, nodes: model.graph.nodes.map((n) => (n.name === 'fc' ? { ...n, name: 'Infinity' } : n)) },
  };
  const { model: back, meta } = decodeSnn(encodeSnn(named, { source: 'Infinity', note: '-Infinity' }));
  assert.ok(back.graph.nodes.some((n) => n.name === 'Infinity'));
  assert.equal(meta.source, 'Infinity');
  assert.equal(meta.note, '-Infinity');
});

test('non-finite numbers in numeric fields round-trip, and old files with "Infinity" strings still read', () => {
  const relu: SnnModel = {
    ...model,
    ann: { ...model.ann, nodes: model.ann.nodes.map((n) => (n.op === 'Clip' ? { ...n, min: -Infinity, max: Infinity } : n)) },
  };
  const encoded = encodeSnn(relu);
  const text = new TextDecoder().decode(encoded);
  assert.match(text, /"max":"Infinity"/, 'the encoding of old files is kept');
  const back = decodeSnn(encoded).model;
  const clips = back.ann.nodes.filter((n) => n.op === 'Clip');
  assert.ok(clips.length > 0 && clips.every((n) => n.op === 'Clip' && n.min === -Infinity && n.max === Infinity));
  // A string where a number belongs is refused, not silently kept.
  const h = clone();
  (h.ann as { nodes: Json[] }).nodes.find((n) => n.op === 'Clip')!.max = 'Infinite';
  refuses(withHeader(h), /ann node '.*': 'max' is not a number/);
});
