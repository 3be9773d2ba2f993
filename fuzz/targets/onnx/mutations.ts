/**
 * Structured mutations of an ONNX model through the protobuf schema, and byte mutations of its
 * encoding. Each structured mutation edits a decoded ModelProto in place and returns what it did
 * (or null when the model has nothing it applies to).
 */
import type { onnx as O } from 'onnx-proto';
import { onnx } from '../../../src/onnx/proto.js';
import { hostileFloats, hostileInts, type Picker } from './picker.js';

type Mutation = (model: O.ModelProto, p: Picker) => string | null;

const DT = onnx.TensorProto.DataType;
const AT = onnx.AttributeProto.AttributeType;

const nodesOf = (m: O.ModelProto): O.INodeProto[] => m.graph?.node ?? [];
const initializersOf = (m: O.ModelProto): O.ITensorProto[] => m.graph?.initializer ?? [];

/** Every tensor in the model: initializers and Constant/attribute tensors. */
function tensorsOf(m: O.ModelProto): O.ITensorProto[] {
  const fromAttributes = nodesOf(m).flatMap((n) => (n.attribute ?? []).flatMap((a) => (a.t ? [a.t] : [])));
  return [...initializersOf(m), ...fromAttributes];
}

function outputsOf(m: O.ModelProto): string[] {
  return nodesOf(m).flatMap((n) => n.output ?? []);
}

const tensorDim: Mutation = (m, p) => {
  const ts = tensorsOf(m);
  if (ts.length === 0) return null;
  const t = p.one(ts);
  const dims = [...(t.dims ?? [])];
  const what = p.int(4);
  if (what === 0 || dims.length === 0) dims.push(p.one(hostileInts));
  else if (what === 1) dims.pop();
  else dims[p.int(dims.length)] = p.one(hostileInts);
  t.dims = dims;
  return `dims of tensor '${t.name}' = [${dims.join(', ')}]`;
};

const dataType: Mutation = (m, p) => {
  const ts = tensorsOf(m);
  if (ts.length === 0) return null;
  const t = p.one(ts);
  t.dataType = p.one([0, 1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 13, 14, 16, 17, 23, 99, -1]);
  return `data type of tensor '${t.name}' = ${t.dataType}`;
};

const rawDataLength: Mutation = (m, p) => {
  const ts = tensorsOf(m);
  if (ts.length === 0) return null;
  const t = p.one(ts);
  const raw = t.rawData ?? new Uint8Array();
  const how = p.int(4);
  if (how === 0) t.rawData = raw.slice(0, p.int(raw.length + 1));
  else if (how === 1) t.rawData = Uint8Array.from([...raw, ...new Uint8Array(1 + p.int(9))]);
  else if (how === 2) {
    t.rawData = new Uint8Array();
    t.floatData = Array.from({ length: p.int(5) }, () => p.one(hostileFloats));
  } else {
    t.int64Data = Array.from({ length: p.int(5) }, () => p.one(hostileInts));
    t.rawData = new Uint8Array();
  }
  return `data of tensor '${t.name}': ${['truncated', 'extended', 'float_data', 'int64_data'][how]}`;
};

/** Integer tensors (shapes, pads, axes, indices) given hostile values. */
const integerValues: Mutation = (m, p) => {
  const ts = tensorsOf(m).filter((t) => t.dataType === DT.INT64);
  if (ts.length === 0) return null;
  const t = p.one(ts);
  const n = Math.max(1, (t.rawData?.length ?? 8) / 8);
  const values = Array.from({ length: n }, (_, i) => (i === p.int(n) || p.int(2) === 0 ? p.one(hostileInts) : p.int(4) - 1));
  t.rawData = new Uint8Array(new BigInt64Array(values.map((v) => BigInt(v))).buffer);
  return `values of int64 tensor '${t.name}' = [${values.join(', ')}]`;
};

const floatValues: Mutation = (m, p) => {
  const ts = tensorsOf(m).filter((t) => t.dataType === DT.FLOAT && (t.rawData?.length ?? 0) >= 4);
  if (ts.length === 0) return null;
  const t = p.one(ts);
  const view = new DataView(t.rawData!.buffer, t.rawData!.byteOffset, t.rawData!.byteLength);
  const v = p.one(hostileFloats);
  const count = 1 + p.int(3);
  for (let k = 0; k < count; k++) view.setFloat32(4 * p.int(Math.floor(t.rawData!.length / 4)), v, true);
  return `${count} value(s) of tensor '${t.name}' = ${v}`;
};

/** Hostile window and op attributes added to (or replacing those of) a node. */
const hostileAttributes: readonly (() => O.IAttributeProto)[] = [
  () => ({ name: 'strides', type: AT.INTS, ints: [0, 0] }),
  () => ({ name: 'strides', type: AT.INTS, ints: [-1, 1] }),
  () => ({ name: 'kernel_shape', type: AT.INTS, ints: [0, 0] }),
  () => ({ name: 'kernel_shape', type: AT.INTS, ints: [2 ** 40, 3] }),
  () => ({ name: 'pads', type: AT.INTS, ints: [-1, -1, -1, -1] }),
  () => ({ name: 'pads', type: AT.INTS, ints: [2 ** 20, 2 ** 20, 2 ** 20, 2 ** 20] }),
  () => ({ name: 'pads', type: AT.INTS, ints: [1, 1] }),
  () => ({ name: 'dilations', type: AT.INTS, ints: [2 ** 30, 2 ** 30] }),
  () => ({ name: 'dilations', type: AT.INTS, ints: [0, 2] }),
  () => ({ name: 'group', type: AT.INT, i: 3 }),
  () => ({ name: 'group', type: AT.INT, i: 2 ** 40 }),
  () => ({ name: 'group', type: AT.INT, i: -2 }),
  () => ({ name: 'auto_pad', type: AT.STRING, s: new TextEncoder().encode('SAME_LOWER') }),
  () => ({ name: 'auto_pad', type: AT.STRING, s: new TextEncoder().encode('BOGUS') }),
  () => ({ name: 'auto_pad', type: AT.STRING, s: new TextEncoder().encode('VALID') }),
  () => ({ name: 'axis', type: AT.INT, i: 2 ** 31 }),
  () => ({ name: 'axis', type: AT.INT, i: -7 }),
  () => ({ name: 'axes', type: AT.INTS, ints: [2 ** 40, -9] }),
  () => ({ name: 'ceil_mode', type: AT.INT, i: 1 }),
  () => ({ name: 'count_include_pad', type: AT.INT, i: 1 }),
  () => ({ name: 'transA', type: AT.INT, i: 1 }),
  () => ({ name: 'transB', type: AT.INT, i: 7 }),
  () => ({ name: 'alpha', type: AT.FLOAT, f: Number.NaN }),
  () => ({ name: 'epsilon', type: AT.FLOAT, f: -1 }),
  () => ({ name: 'keepdims', type: AT.INT, i: 0 }),
  () => ({ name: 'to', type: AT.INT, i: 2 ** 40 }),
  () => ({ name: 'allowzero', type: AT.INT, i: 1 }),
  () => ({ name: 'mode', type: AT.STRING, s: new TextEncoder().encode('reflect') }),
  () => ({ name: 'start', type: AT.INT, i: -(2 ** 40) }),
  () => ({ name: 'value', type: AT.TENSOR, t: { dims: [2 ** 40], dataType: DT.FLOAT } }),
  () => ({ name: 'min', type: AT.FLOAT, f: 5 }),
  () => ({ name: 'lambda', type: AT.FLOAT, f: -1 }),
  () => ({ name: 'levels', type: AT.INT, i: 0 }),
  () => ({ name: 'strides', type: AT.GRAPH, g: { name: 'nested' } }),
  () => ({ name: 'kernel_shape', type: AT.STRINGS, strings: [] }),
  // Unusual but valid windows, so that graphs import and the kernels and engines meet odd shapes.
  () => ({ name: 'strides', type: AT.INTS, ints: [2, 1] }),
  () => ({ name: 'strides', type: AT.INTS, ints: [3, 3] }),
  () => ({ name: 'pads', type: AT.INTS, ints: [0, 1, 2, 0] }),
  () => ({ name: 'pads', type: AT.INTS, ints: [1, 1, 1, 1] }),
  () => ({ name: 'dilations', type: AT.INTS, ints: [2, 1] }),
  () => ({ name: 'kernel_shape', type: AT.INTS, ints: [3, 1] }),
  () => ({ name: 'kernel_shape', type: AT.INTS, ints: [1, 1] }),
  () => ({ name: 'auto_pad', type: AT.STRING, s: new TextEncoder().encode('SAME_UPPER') }),
];

const addAttribute: Mutation = (m, p) => {
  const ns = nodesOf(m);
  if (ns.length === 0) return null;
  const n = p.one(ns);
  const a = p.one(hostileAttributes)();
  n.attribute = [...(n.attribute ?? []).filter((x) => x.name !== a.name || p.int(4) === 0), a];
  return `node '${n.name}' (${n.opType}): attribute ${a.name} = ${JSON.stringify(a.ints ?? a.i ?? a.f ?? (a.s ? new TextDecoder().decode(a.s) : a.type))}`;
};

const attributeValue: Mutation = (m, p) => {
  const attrs = nodesOf(m).flatMap((n) => (n.attribute ?? []).map((a) => ({ n, a })));
  if (attrs.length === 0) return null;
  const { n, a } = p.one(attrs);
  if (a.type === AT.INTS && (a.ints?.length ?? 0) > 0) {
    const ints = [...a.ints!];
    if (p.int(3) === 0) ints.pop();
    else ints[p.int(ints.length)] = p.one(hostileInts);
    a.ints = ints;
  } else if (a.type === AT.INT) a.i = p.one(hostileInts);
  else if (a.type === AT.FLOAT) a.f = p.one(hostileFloats);
  else if (a.type === AT.STRING) a.s = new TextEncoder().encode(p.one(['', 'SAME_UPPER', 'NOTSET', '\u0000', 'x'.repeat(100)]));
  else a.type = p.one([AT.UNDEFINED, AT.INT, AT.FLOAT, AT.STRING, AT.TENSOR, AT.GRAPH, AT.INTS, 99 as O.AttributeProto.AttributeType]);
  return `node '${n.name}' (${n.opType}): attribute ${a.name} changed (type ${a.type})`;
};

const missingName: Mutation = (m, p) => {
  const ns = nodesOf(m).filter((n) => (n.input?.length ?? 0) > 0);
  if (ns.length === 0) return null;
  const n = p.one(ns);
  const k = p.int(n.input!.length + 1);
  const inputs = [...n.input!];
  inputs[k] = p.one(['nowhere', '', 'x'.repeat(300)]);
  n.input = inputs;
  return `node '${n.name}' input ${k} = '${inputs[k].slice(0, 20)}'`;
};

const duplicateName: Mutation = (m, p) => {
  const ns = nodesOf(m);
  const inits = initializersOf(m);
  const names = [...outputsOf(m), ...inits.map((t) => t.name ?? ''), ...(m.graph?.input ?? []).map((i) => i.name ?? '')];
  if (ns.length === 0 || names.length === 0) return null;
  const name = p.one(names);
  if (p.int(3) === 0 && inits.length > 0) {
    const t = p.one(inits);
    t.name = name;
    return `initializer renamed to '${name}'`;
  }
  const n = p.one(ns);
  n.output = [name, ...(n.output ?? []).slice(1)];
  return `node '${n.name}' writes '${name}' (already defined)`;
};

const cycle: Mutation = (m, p) => {
  const ns = nodesOf(m);
  if (ns.length === 0) return null;
  const i = p.int(ns.length);
  const j = i + p.int(ns.length - i);
  const out = ns[j].output?.[0];
  if (out === undefined) return null;
  const inputs = [...(ns[i].input ?? [])];
  inputs[inputs.length === 0 ? 0 : p.int(inputs.length)] = out;
  ns[i].input = inputs;
  return i === j
    ? `node '${ns[i].name}' reads its own output '${out}'`
    : `node '${ns[i].name}' reads '${out}' of the later node '${ns[j].name}'`;
};

const opIdentity: Mutation = (m, p) => {
  const ns = nodesOf(m);
  if (ns.length === 0) return null;
  const n = p.one(ns);
  if (p.int(2) === 0) {
    n.domain = p.one(['com.evil', 'ai.onnx.ml', 'ai.onnx', 'com.microsoft']);
    return `node '${n.name}' domain = '${n.domain}'`;
  }
  const ops = ['Conv', 'Gemm', 'MatMul', 'MaxPool', 'AveragePool', 'Relu', 'Clip', 'Add', 'Concat', 'Reshape', 'Flatten', 'Pad'];
  n.opType = p.one([
    ...ops,
    'Softmax',
    'BatchNormalization',
    'GlobalAveragePool',
    'ReduceMean',
    'Shape',
    'Gather',
    'Unsqueeze',
    'Cast',
    'ConstantOfShape',
    'Slice',
    'Transpose',
    'Constant',
    'Identity',
    'Dropout',
    'FooBar',
    '',
    'If',
    'Loop',
  ]);
  return `node '${n.name}' op = '${n.opType}'`;
};

const opset: Mutation = (m, p) => {
  const version = p.one([1, 99, 0, -1, 5, 6, 10, 11, 12, 18, 2 ** 40]);
  const how = p.int(4);
  if (how === 0) m.opsetImport = [];
  else if (how === 1) m.opsetImport = [{ domain: 'com.evil', version }];
  else m.opsetImport = [{ domain: '', version }, ...(how === 3 ? [{ domain: '', version: 13 }] : [])];
  return `opset imports: ${JSON.stringify(m.opsetImport)}`;
};

const externalData: Mutation = (m, p) => {
  const ts = tensorsOf(m);
  if (ts.length === 0) return null;
  const t = p.one(ts);
  if (p.int(2) === 0) t.dataLocation = onnx.TensorProto.DataLocation.EXTERNAL;
  t.externalData = [
    { key: 'location', value: p.one(['weights.bin', '../../../etc/passwd', '']) },
    { key: 'length', value: String(2 ** 40) },
  ];
  return `tensor '${t.name}': external data marker`;
};

/** A node moved into both branches of an If (or the body of a Loop), or given a subgraph attribute. */
const nested: Mutation = (m, p) => {
  const ns = nodesOf(m);
  if (ns.length === 0 || m.graph === null || m.graph === undefined) return null;
  const i = p.int(ns.length);
  const inner = ns[i];
  const sub = (name: string): O.IGraphProto => ({ name, node: [inner], output: [{ name: inner.output?.[0] ?? '' }] });
  const op = p.one(['If', 'Loop', 'Scan', 'Conv']);
  const wrapper: O.INodeProto = {
    name: `${op}_wrap`,
    opType: op,
    input: op === 'Conv' ? [...(inner.input ?? [])] : [inner.input?.[0] ?? ''],
    output: [...(inner.output ?? [])],
    attribute:
      op === 'Loop' || op === 'Scan'
        ? [{ name: 'body', type: AT.GRAPH, g: sub('body') }]
        : [
            { name: 'then_branch', type: AT.GRAPH, g: sub('then') },
            { name: 'else_branch', type: AT.GRAPH, g: sub('else') },
          ],
  };
  ns[i] = wrapper;
  return `node '${inner.name}' nested in a ${op}`;
};

const graphIo: Mutation = (m, p) => {
  const g = m.graph;
  if (!g) return null;
  const inputs = g.input ?? [];
  const how = p.int(7);
  const first = inputs[0];
  const dims = first?.type?.tensorType?.shape?.dim;
  if (how === 0 && dims && dims.length > 0) {
    const k = p.int(dims.length);
    if (p.int(3) === 0) dims[k] = { dimParam: 'H' };
    else dims[k] = { dimValue: p.one(hostileInts) };
    return `input dim ${k} = ${JSON.stringify(dims[k])}`;
  }
  if (how === 1 && dims) {
    if (p.int(2) === 0) dims.pop();
    else dims.push({ dimValue: p.one([1, 2, 2 ** 40]) });
    return `input rank = ${dims.length}`;
  }
  if (how === 2 && first?.type?.tensorType) {
    first.type.tensorType.elemType = p.one([0, 2, 7, 10, 11, 99]);
    return `input element type = ${first.type.tensorType.elemType}`;
  }
  if (how === 3) {
    g.input = [...inputs, { name: 'extra', type: { tensorType: { elemType: DT.FLOAT, shape: { dim: [{ dimValue: 1 }] } } } }];
    return 'a second graph input';
  }
  if (how === 4) {
    g.output = p.int(2) === 0 ? [] : [...(g.output ?? []), ...(g.output ?? [])];
    return `${g.output.length} graph outputs`;
  }
  if (how === 5 && (g.output?.length ?? 0) > 0) {
    g.output![0].name = p.one([...outputsOf(m), first?.name ?? '', 'nowhere', ...(g.initializer ?? []).map((t) => t.name ?? '')]);
    return `graph output = '${g.output![0].name}'`;
  }
  if (first) first.type = p.int(2) === 0 ? {} : { sequenceType: { elemType: first.type } };
  return 'graph input is not a tensor';
};

const structure: Mutation = (m, p) => {
  const ns = nodesOf(m);
  const g = m.graph;
  if (!g || ns.length === 0) return null;
  const i = p.int(ns.length);
  const how = p.int(4);
  if (how === 0) ns.splice(i, 1);
  else if (how === 1) ns.splice(i, 0, { ...ns[i] });
  else if (how === 2) [ns[i], ns[ns.length - 1 - i]] = [ns[ns.length - 1 - i], ns[i]];
  else if ((g.initializer?.length ?? 0) > 0) g.initializer!.splice(p.int(g.initializer!.length), 1);
  return ['node removed', 'node duplicated', 'nodes swapped', 'initializer removed'][how] + ` (at ${i})`;
};

/** Names that break code which keys plain objects by name or parses strings: a node, or a value everywhere it appears. */
const awkwardNames = ['Infinity', 'NaN', '-0', '1e400', '__proto__', 'constructor', 'toString', 'a/b\\c', '名前', ' ', 'x'.repeat(1000)];

const rename: Mutation = (m, p) => {
  const ns = nodesOf(m);
  if (ns.length === 0) return null;
  const name = p.one(awkwardNames);
  if (p.int(2) === 0) {
    const n = p.one(ns);
    n.name = name;
    return `node renamed to '${name.slice(0, 20)}'`;
  }
  const values = [...new Set(outputsOf(m))];
  if (values.length === 0) return null;
  const old = p.one(values);
  const swap = (v: string): string => (v === old ? name : v);
  for (const n of ns) {
    n.input = (n.input ?? []).map(swap);
    n.output = (n.output ?? []).map(swap);
  }
  for (const o of m.graph?.output ?? []) o.name = swap(o.name ?? '');
  return `value '${old}' renamed to '${name.slice(0, 20)}'`;
};

export const structuredMutations: readonly Mutation[] = [
  rename,
  tensorDim,
  dataType,
  rawDataLength,
  integerValues,
  floatValues,
  addAttribute,
  attributeValue,
  missingName,
  duplicateName,
  cycle,
  opIdentity,
  opset,
  externalData,
  nested,
  graphIo,
  structure,
];

/** Byte mutations of the encoded model: flips, a truncation, an insertion. */
export function mutateBytes(bytes: Uint8Array, p: Picker): { bytes: Uint8Array; what: string } {
  const how = p.int(3);
  if (how === 0) {
    const out = new Uint8Array(bytes);
    const count = 1 + p.int(8);
    for (let k = 0; k < count; k++) out[p.int(out.length)] ^= 1 << p.int(8);
    return { bytes: out, what: `${count} byte flip(s)` };
  }
  if (how === 1) {
    const at = p.int(bytes.length);
    return { bytes: new Uint8Array(bytes.subarray(0, at)), what: `truncated at ${at} of ${bytes.length}` };
  }
  const at = p.int(bytes.length + 1);
  const insert = Uint8Array.from({ length: 1 + p.int(16) }, () => p.int(256));
  const out = new Uint8Array(bytes.length + insert.length);
  out.set(bytes.subarray(0, at));
  out.set(insert, at);
  out.set(bytes.subarray(at), at + insert.length);
  return { bytes: out, what: `${insert.length} byte(s) inserted at ${at}` };
}
