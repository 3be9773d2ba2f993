/**
 * The native .snn format (src/model/snn-codec.ts). Most cases recompute a VALID SHA-256 after the
 * mutation, so the checks behind the checksum are reached: a header length that lies (boundary
 * values, a little more or less), any JSON field of the header replaced by a hostile value (sizes,
 * strides, pads, shapes, offsets, tensor references, "Infinity" strings, wrong types) or deleted,
 * a tensor table entry moved past the end or given a huge shape, the tensor section cut or grown.
 * The rest are plain byte mutations (which the checksum refuses). An accepted file must decode
 * to a model that encodes and decodes again to the same graph, and that every exporter (onnx,
 * onnx-step, nir) writes or refuses with an ExportError.
 */
import fc from 'fast-check';
import { sha256 } from '@noble/hashes/sha2.js';
import { convertToSnn, defaultConversionOptions } from '../../src/convert/index.js';
import type { ConversionOptions } from '../../src/model/snn-model.js';
import { decodeSnn, encodeSnn } from '../../src/model/snn-codec.js';
import { loadSnn } from '../../src/node/snn-file.js';
import { exportFormats, exportSnn } from '../../src/export/exporters.js';
import { ExportError } from '../../src/export/export-error.js';
import { sampleShapes } from '../../src/ir/shapes.js';
import type { Graph } from '../../src/ir/graph.js';
import { mulberry32 } from '../../src/tensor/random.js';
import { tensor } from '../../src/tensor/tensor.js';
import type { FuzzCase, FuzzTarget } from '../target.js';
import { concatBytes } from '../../src/data/concat-bytes.js';
import { BOUNDARY_U32, byteMutation, mutate } from './byte-mutations.js';

const PREFIX = 48;

/** conv(1→3) → clip → flatten → dense(3·6·6→4) on 6×6 inputs (small: the header stays short). */
function tinyCnn(): Graph {
  const r = mulberry32(7);
  const t = (shape: number[]) =>
    tensor(
      shape,
      Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => r() - 0.5),
    );
  return {
    input: { name: 'x', shape: [null, 1, 6, 6] },
    output: 'fc',
    nodes: [
      {
        op: 'Conv2d',
        name: 'conv',
        inputs: ['x'],
        output: 'conv',
        weight: t([3, 1, 3, 3]),
        bias: t([3]),
        strides: [1, 1],
        pads: [1, 1, 1, 1],
        dilations: [1, 1],
        groups: 1,
      },
      { op: 'Clip', name: 'act', inputs: ['conv'], output: 'act', min: 0, max: 1 },
      { op: 'Flatten', name: 'flat', inputs: ['act'], output: 'flat', axis: 1 },
      { op: 'Dense', name: 'fc', inputs: ['flat'], output: 'fc', weight: t([4, 108]), bias: t([4]) },
    ],
  };
}

const variants: readonly Partial<ConversionOptions>[] = [
  {},
  { thresholdScope: 'channel', shift: 'bias', reset: 'hard' },
  { maxSpikesPerStep: 3 },
];
const bases = variants.map((o) => encodeSnn(convertToSnn(tinyCnn(), null, { ...defaultConversionOptions, ...o }), { source: 'tiny.onnx' }));

function split(bytes: Uint8Array): { header: unknown; section: Uint8Array } {
  const h = new DataView(bytes.buffer, bytes.byteOffset).getUint32(12, true);
  return { header: JSON.parse(new TextDecoder().decode(bytes.subarray(PREFIX, PREFIX + h))), section: bytes.subarray(PREFIX + h) };
}

/** Magic, version, the header length as given, header and section; the checksum recomputed over what follows it. */
function assemble(json: Uint8Array, declared: number, section: Uint8Array, base: Uint8Array): Uint8Array {
  const out = concatBytes([base.subarray(0, PREFIX), json, section]);
  new DataView(out.buffer).setUint32(12, declared, true);
  out.set(sha256(out.subarray(PREFIX)), 16);
  return out;
}

type Path = readonly (string | number)[];

/** Every path to a value in the JSON (objects and arrays included), depth first. */
function paths(value: unknown, at: Path = [], out: Path[] = []): Path[] {
  out.push(at);
  if (Array.isArray(value)) value.forEach((v, i) => paths(v, [...at, i], out));
  else if (typeof value === 'object' && value !== null) for (const [k, v] of Object.entries(value)) paths(v, [...at, k], out);
  return out;
}

const HOSTILE_VALUES: readonly unknown[] = [
  0,
  -1,
  1,
  1.5,
  2 ** 31,
  2 ** 32,
  2 ** 53,
  1e308,
  -1e308,
  'Infinity',
  '-Infinity',
  'NaN',
  '',
  'x',
  'constructor',
  '__proto__',
  null,
  true,
  [],
  {},
  [0],
  [-1, 2 ** 40],
  [2 ** 20, 2 ** 20, 2 ** 20, 2 ** 20],
  { $tensor: 0 },
  { $tensor: 99999 },
  { $tensor: -1 },
  { shape: [2 ** 31, 2 ** 31], offset: 0 },
];

type JsonEdit = { readonly pick: number; readonly action: 'set' | 'delete' | 'duplicate'; readonly value: number };

function applyJsonEdit(header: unknown, e: JsonEdit): { header: unknown; description: string } {
  const all = paths(header).slice(1);
  if (all.length === 0) return { header, description: 'no field to edit' };
  const path = all[e.pick % all.length];
  const root = structuredClone(header) as Record<string | number, unknown>;
  let parent = root;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  const key = path[path.length - 1];
  const where = path.join('.');
  if (e.action === 'delete') {
    if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete parent[key];
    return { header: root, description: `deleted ${where}` };
  }
  if (e.action === 'duplicate' && Array.isArray(parent)) {
    parent.splice(key as number, 0, structuredClone(parent[key as number]));
    return { header: root, description: `duplicated ${where}` };
  }
  const value = HOSTILE_VALUES[e.value % HOSTILE_VALUES.length];
  parent[key] = structuredClone(value);
  return { header: root, description: `${where} = ${JSON.stringify(value)}` };
}

const jsonEdit: fc.Arbitrary<JsonEdit> = fc.record({
  pick: fc.nat(),
  action: fc.constantFrom('set' as const, 'set' as const, 'set' as const, 'delete' as const, 'duplicate' as const),
  value: fc.nat(),
});

/** An edit of the tensor table: one entry's offset or shape set to a lie. */
const tableEdit = fc.record({
  entry: fc.nat(),
  field: fc.constantFrom('offset' as const, 'shape' as const),
  value: fc.oneof(
    fc.constantFrom(...BOUNDARY_U32, 2 ** 53 - 1, -4),
    fc.integer({ min: 0, max: 4096 }),
    fc.constant([2 ** 31, 2 ** 31, 2 ** 31]),
    fc.constant([0]),
  ),
});

const structured = fc
  .record({
    base: fc.nat({ max: bases.length - 1 }),
    json: fc.array(jsonEdit, { maxLength: 2 }),
    table: fc.array(tableEdit, { maxLength: 1 }),
    headerLength: fc.oneof(
      { weight: 6, arbitrary: fc.constant(null) },
      { weight: 1, arbitrary: fc.constantFrom(...BOUNDARY_U32) },
      { weight: 1, arbitrary: fc.integer({ min: -8, max: 8 }).map((d) => ({ delta: d })) },
    ),
    section: fc.oneof({ weight: 4, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: byteMutation }),
  })
  .map(({ base, json, table, headerLength, section }) => {
    const { header: original, section: tensors } = split(bases[base]);
    let header = original;
    const described: string[] = [`base ${base}`];
    for (const e of json) {
      const r = applyJsonEdit(header, e);
      header = r.header;
      described.push(r.description);
    }
    for (const t of table) {
      const entries = (header as { tensors?: unknown }).tensors;
      if (!Array.isArray(entries) || entries.length === 0) continue;
      const i = t.entry % entries.length;
      entries[i] = { ...(entries[i] as object), [t.field]: t.value };
      described.push(`tensors[${i}].${t.field} = ${JSON.stringify(t.value)}`);
    }
    const bytes = new TextEncoder().encode(JSON.stringify(header));
    let declared = bytes.length;
    if (typeof headerLength === 'number') declared = headerLength;
    else if (headerLength !== null) declared = Math.max(0, bytes.length + headerLength.delta);
    if (declared !== bytes.length) described.push(`header length ${declared} (is ${bytes.length})`);
    const cut = mutate(tensors, section === null ? [] : [section], 'tensor section: ');
    described.push(...cut.described);
    described.push('valid checksum');
    return { bytes: assemble(bytes, declared, cut.bytes, bases[base]), mutation: described.join('; ') };
  });

const raw = fc
  .record({ base: fc.nat({ max: bases.length - 1 }), edits: fc.array(byteMutation, { minLength: 1, maxLength: 3 }) })
  .map(({ base, edits }) => {
    const { bytes, described } = mutate(bases[base], edits);
    return { bytes, mutation: [`base ${base}`, ...described].join('; ') };
  });

const cases: fc.Arbitrary<FuzzCase> = fc.oneof({ weight: 4, arbitrary: structured }, { weight: 1, arbitrary: raw });

export const snnTarget: FuzzTarget = {
  name: 'snn',
  extension: 'snn',
  cases,
  async run(path) {
    const { model, meta } = await loadSnn(path);
    // Accepted: it must be a model the rest of ann2snn can read (shapes infer) and that survives
    // another round trip unchanged.
    sampleShapes(model.graph);
    sampleShapes(model.ann);
    const again = decodeSnn(encodeSnn(model, meta), `${path} (re-encoded)`).model;
    if (JSON.stringify(again.graph.nodes.map((n) => [n.op, n.name])) !== JSON.stringify(model.graph.nodes.map((n) => [n.op, n.name]))) {
      throw new Error(`${path}: wrong result: the decoded model does not survive encode → decode`);
    }
    // Every writer takes what the reader accepted, or refuses it with an ExportError naming the node.
    for (const format of exportFormats) {
      try {
        await exportSnn(model, format, { T: 4 });
      } catch (e) {
        if (!(e instanceof ExportError)) throw e;
      }
    }
  },
};
