/**
 * The native SNN file (.snn), version 1, as bytes ↔ model (no file system: runs in a browser too):
 *
 *   offset 0   8 bytes   magic "ANN2SNN\n"
 *          8   u32 LE    format version (1)
 *         12   u32 LE    header length H in bytes
 *         16   32 bytes  SHA-256 of everything after this field (header + tensor section)
 *         48   H bytes   UTF-8 JSON header: { graph, ann, conversion, meta, tensors: [{ shape, offset }] }
 *     48 + H   …         tensor section: float32 little-endian, each tensor at its offset
 *
 * In the header's graph every tensor is replaced by { "$tensor": index }; non-finite numbers are
 * written as the strings "Infinity" / "-Infinity" / "NaN", read back as numbers only in the fields
 * that hold numbers (NUMERIC_FIELDS; a node named "Infinity" stays a name). Decoding refuses a wrong magic, an unknown
 * version, a wrong checksum, a header that is not a JSON object, a tensor entry that is not
 * { shape: non-negative integers, offset: non-negative integer }, and tensors that reach past the
 * end of the file (checked before anything is allocated), fields of the wrong type (snn-schema.ts),
 * graphs that fail the shape checks or declare values beyond MAX_VALUE_ELEMENTS per sample, and a
 * Spike node whose neuron is not in the neuron table (or refuses the node's reset or γ). Every
 * refusal is an SnnFileError naming the source and the place. docs/snn-format.md describes the format.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { GraphError } from '../ir/graph.js';
import { sampleShapes, validateGraph } from '../ir/shapes.js';
import { findNeuron, neuronKinds } from '../neurons/index.js';
import { ShapeError, tensor, type Tensor } from '../tensor/tensor.js';
import type { SnnModel } from './snn-model.js';
import { checkConversionTypes, checkGraphSizes, checkGraphTypes, isRecord } from './snn-schema.js';

export const SNN_FORMAT_VERSION = 1;
const MAGIC = 'ANN2SNN\n';
const PREFIX = 48;

/**
 * The fields that hold numbers (or lists of numbers): only there is a string "Infinity",
 * "-Infinity" or "NaN" the encoding of a non-finite number; anywhere else (a node name, a source
 * path, meta) it is the string itself.
 */
const NUMERIC_FIELDS: ReadonlySet<string> = new Set([
  'min',
  'max',
  'value',
  'epsilon',
  'levels',
  'axis',
  'groups',
  'shape',
  'strides',
  'pads',
  'dilations',
  'kernel',
  'maxSpikesPerStep',
  'tShift',
  'percentile',
  'targetT',
  'theta',
  'units',
  'before',
  'after',
  'T',
  'images',
  'calibrationImages',
  'annAccuracy',
]);
const NON_FINITE: Readonly<Record<string, number>> = { Infinity: Infinity, '-Infinity': -Infinity, NaN: Number.NaN };

export class SnnFileError extends Error {
  override readonly name = 'SnnFileError';
}

export interface SnnFileMeta {
  readonly source?: string;
  readonly annAccuracy?: number;
  readonly [key: string]: unknown;
}

interface TensorEntry {
  readonly shape: readonly number[];
  readonly offset: number;
}

export function encodeSnn(model: SnnModel, meta: SnnFileMeta = {}): Uint8Array {
  const tensors: Tensor[] = [];
  const entries: TensorEntry[] = [];
  let offset = 0;
  const replacer = (_key: string, value: unknown): unknown => {
    if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
    if (isTensor(value)) {
      entries.push({ shape: [...value.shape], offset });
      tensors.push(value);
      offset += value.data.byteLength;
      return { $tensor: tensors.length - 1 };
    }
    return value;
  };
  const body = JSON.stringify({ graph: model.graph, ann: model.ann, conversion: model.conversion, meta }, replacer);
  const header = new TextEncoder().encode(JSON.stringify({ ...JSON.parse(body), tensors: entries }));
  const out = new Uint8Array(PREFIX + header.length + offset);
  const view = new DataView(out.buffer);
  out.set(new TextEncoder().encode(MAGIC), 0);
  view.setUint32(8, SNN_FORMAT_VERSION, true);
  view.setUint32(12, header.length, true);
  out.set(header, PREFIX);
  tensors.forEach((t, i) =>
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), PREFIX + header.length + entries[i].offset),
  );
  out.set(sha256(out.subarray(PREFIX)), 16);
  return out;
}

/** Bytes → model; `source` names the bytes (a path) in every SnnFileError. */
export function decodeSnn(bytes: Uint8Array, source = '<bytes>'): { model: SnnModel; meta: SnnFileMeta } {
  const fail = (message: string): never => {
    throw new SnnFileError(`${source}: ${message}`);
  };
  if (bytes.length < PREFIX || new TextDecoder().decode(bytes.subarray(0, 8)) !== MAGIC) fail('not an ann2snn .snn file (bad magic)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8, true);
  if (version !== SNN_FORMAT_VERSION) fail(`unsupported .snn format version ${version} (this ann2snn reads version ${SNN_FORMAT_VERSION})`);
  const headerLength = view.getUint32(12, true);
  if (PREFIX + headerLength > bytes.length) fail(`header of ${headerLength} bytes runs past the end of the file (${bytes.length} bytes)`);
  const expected = bytes.subarray(16, 48);
  const actual = sha256(bytes.subarray(PREFIX));
  if (!expected.every((b, i) => b === actual[i])) fail('checksum mismatch: the file is corrupt or was modified');
  const sectionStart = PREFIX + headerLength;
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(bytes.subarray(PREFIX, sectionStart)));
  } catch (e) {
    return fail(`header is not valid JSON (${(e as Error).message})`);
  }
  if (!isRecord(parsed)) return fail('header is not a JSON object');
  for (const field of ['graph', 'ann', 'conversion'] as const)
    if (!isRecord(parsed[field])) fail(`header field '${field}' is missing or not an object`);
  if (parsed.meta !== undefined && !isRecord(parsed.meta)) fail(`header field 'meta' is not an object`);
  const entries = parsed.tensors;
  if (!Array.isArray(entries)) return fail(`header field 'tensors' is not an array`);
  const tensors = entries.map((entry: unknown, i) => {
    const { shape, offset } = tensorEntry(entry) ?? fail(`tensor ${i}: not { shape: non-negative integers, offset: non-negative integer }`);
    const start = sectionStart + offset;
    // Counted against the bytes left, dimension by dimension, so a hostile shape never allocates.
    let length = shape.includes(0) ? 0 : 4;
    for (const dim of shape) {
      if (start + length > bytes.length) break;
      length *= dim;
    }
    if (start + length > bytes.length) fail(`tensor ${i} (shape [${shape}]) reaches past the end of the file`);
    const data = new Float32Array(length / 4);
    new Uint8Array(data.buffer).set(bytes.subarray(start, start + length));
    return tensor(shape, data);
  });
  const revive = (value: unknown, key: string): unknown => {
    if (typeof value === 'string' && NUMERIC_FIELDS.has(key) && Object.hasOwn(NON_FINITE, value)) return NON_FINITE[value];
    if (Array.isArray(value)) return value.map((v) => revive(v, key));
    if (isRecord(value)) {
      const ref = value.$tensor;
      if (ref !== undefined)
        return (typeof ref === 'number' && tensors[ref]) || fail(`tensor reference ${JSON.stringify(ref)} out of range`);
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, revive(v, k)]));
    }
    return value;
  };
  const graph = checkGraphTypes(revive(parsed.graph, 'graph'), 'graph', fail);
  const ann = checkGraphTypes(revive(parsed.ann, 'ann'), 'ann', fail);
  const conversion = checkConversionTypes(revive(parsed.conversion, 'conversion'), fail);
  for (const [field, g] of [
    ['graph', graph],
    ['ann', ann],
  ] as const) {
    try {
      validateGraph(g);
      checkGraphSizes(g, sampleShapes(g), field, fail);
    } catch (e) {
      if (e instanceof GraphError || e instanceof ShapeError) fail(`${field}: ${e.message}`);
      throw e;
    }
  }
  for (const node of graph.nodes) {
    if (node.op !== 'Spike') continue;
    const kind = findNeuron(node.neuron);
    if (!kind) fail(`node '${node.name}': unknown neuron '${node.neuron}' (this ann2snn knows ${Object.keys(neuronKinds).join(', ')})`);
    const why = kind?.checkSettings(node) ?? null;
    if (why !== null) fail(`node '${node.name}': neuron '${node.neuron}': ${why}`);
  }
  // Files written before ConversionOptions.neuron existed hold IF neurons.
  const options = { ...conversion.options, neuron: conversion.options.neuron ?? 'if' };
  return { model: { graph, ann, conversion: { ...conversion, options } }, meta: (parsed.meta ?? {}) as SnnFileMeta };
}

function tensorEntry(entry: unknown): TensorEntry | null {
  if (!isRecord(entry)) return null;
  const { shape, offset } = entry;
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) return null;
  if (!Number.isSafeInteger(offset) || (offset as number) < 0) return null;
  return { shape: shape as number[], offset: offset as number };
}

function isTensor(value: unknown): value is Tensor {
  return (
    typeof value === 'object' && value !== null && (value as Tensor).data instanceof Float32Array && Array.isArray((value as Tensor).shape)
  );
}
