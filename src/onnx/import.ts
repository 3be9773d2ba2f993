/**
 * ONNX → IR. `importOnnx(bytes)` decodes a model, refuses every unsupported node at once (before
 * any other work), decodes the initializers (checking every declared size against the bytes present
 * before allocating), runs one importer per node from the op table (import-ops.ts) and validates the
 * resulting graph. Every failure is an OnnxError naming the source and the node or tensor at fault.
 */
import { readFile } from 'node:fs/promises';
import type { onnx as O } from 'onnx-proto';
import { GraphError, type Graph, type GraphInput, type Node } from '../ir/graph.js';
import { inferShapes, validateGraph } from '../ir/shapes.js';
import { OnnxError } from './errors.js';
import { importers, type Attribute, type ConstTensor, type ImportContext, type NodeBody, type OnnxNode, type Value } from './import-ops.js';
import { onnx } from './proto.js';

/** Reads and imports an ONNX file; a missing or unreadable file is an OnnxError naming the path. */
export async function readOnnxFile(path: string): Promise<Graph> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (err as Error).message;
    throw new OnnxError(`cannot read the model file: ${why}`, { source: path, cause: err });
  }
  return importOnnx(bytes, path);
}

/** Imports an ONNX model (protobuf bytes) into the IR. `source` names the model in error messages. */
export function importOnnx(bytes: Uint8Array, source = '<bytes>'): Graph {
  const model = decodeModel(bytes, source);
  const fail = (message: string, nodeName?: string): OnnxError => new OnnxError(message, { source, nodeName });
  const graph = model.graph;
  if (!graph) throw fail('not an ONNX model: it has no graph');
  const opset = defaultOpset(model, fail);

  const nodes = graph.node ?? [];
  const names = nodeNames(nodes);
  const unsupported = nodes
    .map((n, i) => ({ n, name: names[i], domain: n.domain ?? '' }))
    .filter(({ n, domain }) => (domain !== '' && domain !== 'ai.onnx') || !Object.hasOwn(importers, n.opType ?? ''))
    .map(({ n, name, domain }) => `'${name}' (${domain === '' || domain === 'ai.onnx' ? '' : `${domain}.`}${n.opType ?? '?'})`);
  if (unsupported.length > 0) {
    throw fail(`${unsupported.length} unsupported node${unsupported.length === 1 ? '' : 's'}: ${unsupported.join(', ')}`);
  }

  const initializerNames = new Set((graph.initializer ?? []).map((t) => t.name ?? ''));
  const input = graphInput(graph, initializerNames, fail);
  const outputs = (graph.output ?? []).map((o) => o.name ?? '');
  if (outputs.length !== 1)
    throw fail(`exactly one graph output is supported, found ${outputs.length}: ${outputs.map((o) => `'${o}'`).join(', ')}`);

  const values = new Map<string, Value>([[input.name, { kind: 'activation', ir: input.name }]]);
  for (const t of graph.initializer ?? []) {
    values.set(t.name ?? '', { kind: 'constant', tensor: decodeTensor(t, t.name ?? '', source) });
  }

  const uses = new Map<string, number>([[outputs[0], 1]]);
  for (const n of nodes) for (const v of n.input ?? []) if (v !== '') uses.set(v, (uses.get(v) ?? 0) + 1);

  const ir: Node[] = [];
  let shapeCache = new Map<string, readonly number[]>();
  const shapeOf = (value: string): readonly number[] => {
    if (!shapeCache.has(value)) shapeCache = new Map(inferShapes({ input, output: value, nodes: ir }, 1));
    const s = shapeCache.get(value);
    if (s === undefined) throw new GraphError(`value '${value}' has no shape`);
    return s;
  };

  for (const index of topologicalOrder(nodes, values, names, fail)) {
    const node = decodeNode(nodes[index], index, names[index], source);
    const ctx = makeContext(node, opset, input.shape[0], source, values, uses, ir, shapeOf, () => (shapeCache = new Map()));
    try {
      importers[node.opType](ctx);
    } catch (err) {
      throw asOnnxError(err, source, node.name);
    }
  }

  const out = values.get(outputs[0]);
  if (out === undefined) throw fail(`graph output '${outputs[0]}' is not produced by any node`);
  if (out.kind !== 'activation') throw fail(`graph output '${outputs[0]}' is a constant; it must depend on the input`);
  const result: Graph = { input, output: out.ir, nodes: ir };
  try {
    validateGraph(result);
  } catch (err) {
    throw asOnnxError(err, source);
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// Model-level decoding

function decodeModel(bytes: Uint8Array, source: string): O.ModelProto {
  try {
    return onnx.ModelProto.decode(bytes);
  } catch (err) {
    const message = (err as Error).message ?? String(err);
    // protobufjs: "index out of range: 1234 + 4 > 1236" or "invalid wire type 7 at offset 99".
    const m = /index out of range: (\d+)/.exec(message) ?? /at offset (\d+)/.exec(message);
    const byteOffset = m ? Number(m[1]) : undefined;
    const at = byteOffset === undefined ? '' : ` at byte ${byteOffset} of ${bytes.length}`;
    throw new OnnxError(`not a valid ONNX protobuf (truncated or corrupt${at}): ${message}`, { source, byteOffset, cause: err });
  }
}

function defaultOpset(model: O.ModelProto, fail: (m: string) => OnnxError): number {
  const entry = (model.opsetImport ?? []).find((o) => (o.domain ?? '') === '' || o.domain === 'ai.onnx');
  if (entry === undefined) throw fail('the model imports no opset for the default ONNX domain');
  return toNumber(entry.version);
}

/** The ONNX node name, or `${opType}_${index}` when empty; suffixed `_2`, `_3`, … when already taken. */
function nodeNames(nodes: readonly O.INodeProto[]): string[] {
  const given = new Set(nodes.map((n) => n.name ?? '').filter((n) => n !== ''));
  const taken = new Set<string>();
  return nodes.map((n, i) => {
    const base = n.name ? n.name : `${n.opType ?? 'node'}_${i}`;
    let name = base;
    for (let k = 2; taken.has(name) || (name !== n.name && given.has(name)); k++) name = `${base}_${k}`;
    taken.add(name);
    return name;
  });
}

function graphInput(graph: O.IGraphProto, initializers: ReadonlySet<string>, fail: (m: string) => OnnxError): GraphInput {
  const inputs = (graph.input ?? []).filter((i) => !initializers.has(i.name ?? ''));
  if (inputs.length !== 1) {
    throw fail(`exactly one graph input is supported, found ${inputs.length}: ${inputs.map((i) => `'${i.name}'`).join(', ')}`);
  }
  const info = inputs[0];
  const name = info.name ?? '';
  const tensorType = info.type?.tensorType;
  if (!tensorType) throw fail(`input '${name}' is not a tensor`);
  if (tensorType.elemType !== onnx.TensorProto.DataType.FLOAT) {
    throw fail(
      `input '${name}' has element type ${onnx.TensorProto.DataType[tensorType.elemType ?? 0] ?? tensorType.elemType}; only FLOAT is supported`,
    );
  }
  const dims = tensorType.shape?.dim;
  if (!dims || dims.length === 0) throw fail(`input '${name}' has no shape; its non-batch dimensions must be known`);
  const shape = dims.map((d, i) => {
    const value = d.dimValue === undefined || d.dimValue === null ? 0 : toNumber(d.dimValue);
    if (i === 0) return value > 0 ? value : null;
    if (value > 0) return value;
    const what = d.dimParam ? `symbolic ('${d.dimParam}')` : 'unknown';
    throw fail(`input '${name}' dimension ${i} is ${what}; only the batch dimension (0) may be`);
  });
  return { name, shape };
}

/**
 * Node indices in a topological order (ONNX requires one already; this keeps the file's order and
 * only moves a node when it reads a value produced later).
 */
function topologicalOrder(
  nodes: readonly O.INodeProto[],
  values: ReadonlyMap<string, Value>,
  names: readonly string[],
  fail: (m: string, nodeName?: string) => OnnxError,
): number[] {
  const available = new Set(values.keys());
  const produced = new Set(nodes.flatMap((n) => n.output ?? []));
  for (let i = 0; i < nodes.length; i++) {
    for (const v of nodes[i].input ?? []) {
      if (v !== '' && !available.has(v) && !produced.has(v)) {
        throw fail(`reads '${v}', which is neither the graph input, an initializer nor any node's output`, names[i]);
      }
    }
  }
  const order: number[] = [];
  const pending = nodes.map((_, i) => i);
  while (pending.length > 0) {
    const k = pending.findIndex((i) => (nodes[i].input ?? []).every((v) => v === '' || available.has(v)));
    if (k < 0) throw fail(`the graph has a cycle through node '${names[pending[0]]}'`);
    const [i] = pending.splice(k, 1);
    order.push(i);
    for (const v of nodes[i].output ?? []) if (v !== '') available.add(v);
  }
  return order;
}

function decodeNode(n: O.INodeProto, index: number, name: string, source: string): OnnxNode {
  const attributes = new Map<string, Attribute>();
  for (const a of n.attribute ?? []) {
    try {
      attributes.set(a.name ?? '', decodeAttribute(a, `${name}.${a.name}`, source));
    } catch (err) {
      throw asOnnxError(err, source, name);
    }
  }
  return { index, name, opType: n.opType ?? '', inputs: n.input ?? [], outputs: n.output ?? [], attributes };
}

function decodeAttribute(a: O.IAttributeProto, label: string, source: string): Attribute {
  const T = onnx.AttributeProto.AttributeType;
  switch (a.type) {
    case T.INT:
      return { type: 'int', value: toNumber(a.i) };
    case T.FLOAT:
      return { type: 'float', value: a.f ?? 0 };
    case T.STRING:
      return { type: 'string', value: new TextDecoder().decode(a.s ?? new Uint8Array()) };
    case T.INTS:
      return { type: 'ints', value: (a.ints ?? []).map(toNumber) };
    case T.FLOATS:
      return { type: 'floats', value: [...(a.floats ?? [])] };
    case T.TENSOR:
      return { type: 'tensor', value: decodeTensor(a.t ?? {}, label, source) };
    default:
      // Writers older than IR version 3 may leave `type` unset: infer it from the field present.
      if (a.type === undefined || a.type === null || a.type === T.UNDEFINED) {
        if (a.ints && a.ints.length > 0) return { type: 'ints', value: a.ints.map(toNumber) };
        if (a.floats && a.floats.length > 0) return { type: 'floats', value: [...a.floats] };
        if (a.t) return { type: 'tensor', value: decodeTensor(a.t, label, source) };
        if (a.s && a.s.length > 0) return { type: 'string', value: new TextDecoder().decode(a.s) };
        if (a.f) return { type: 'float', value: a.f };
        return { type: 'int', value: toNumber(a.i) };
      }
      return { type: 'other', value: T[a.type] ?? String(a.type) };
  }
}

// ---------------------------------------------------------------------------------------------
// Tensors

type LongLike = number | { toNumber(): number } | null | undefined;

function toNumber(v: LongLike): number {
  if (v === null || v === undefined) return 0;
  return typeof v === 'number' ? v : v.toNumber();
}

const DT = onnx.TensorProto.DataType;

/** Bytes per element in raw_data, whether the type is floating point, and which typed field holds it otherwise. */
const elementTypes: Partial<
  Record<number, { bytes: number; isFloat: boolean; field: 'floatData' | 'int32Data' | 'int64Data' | 'doubleData' | 'uint64Data' }>
> = {
  [DT.FLOAT]: { bytes: 4, isFloat: true, field: 'floatData' },
  [DT.DOUBLE]: { bytes: 8, isFloat: true, field: 'doubleData' },
  [DT.FLOAT16]: { bytes: 2, isFloat: true, field: 'int32Data' },
  [DT.BFLOAT16]: { bytes: 2, isFloat: true, field: 'int32Data' },
  [DT.INT64]: { bytes: 8, isFloat: false, field: 'int64Data' },
  [DT.UINT64]: { bytes: 8, isFloat: false, field: 'uint64Data' },
  [DT.INT32]: { bytes: 4, isFloat: false, field: 'int32Data' },
  [DT.UINT32]: { bytes: 4, isFloat: false, field: 'uint64Data' },
  [DT.INT16]: { bytes: 2, isFloat: false, field: 'int32Data' },
  [DT.UINT16]: { bytes: 2, isFloat: false, field: 'int32Data' },
  [DT.INT8]: { bytes: 1, isFloat: false, field: 'int32Data' },
  [DT.UINT8]: { bytes: 1, isFloat: false, field: 'int32Data' },
  [DT.BOOL]: { bytes: 1, isFloat: false, field: 'int32Data' },
};

function half(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >> 10) & 0x1f;
  const frac = bits & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac === 0 ? sign * Infinity : NaN;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

function bfloat16(bits: number): number {
  const view = new DataView(new ArrayBuffer(4));
  view.setUint32(0, bits << 16);
  return view.getFloat32(0);
}

/**
 * Decodes one TensorProto. The declared element count × element size is checked against the data
 * actually present BEFORE anything is allocated, so a hostile header cannot make us allocate
 * gigabytes; tensors kept in external files are refused.
 */
function decodeTensor(t: O.ITensorProto, fallbackName: string, source: string): ConstTensor {
  const name = t.name || fallbackName;
  const fail = (message: string): OnnxError => new OnnxError(`tensor '${name}': ${message}`, { source });
  if (t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL || (t.externalData?.length ?? 0) > 0) {
    const file = t.externalData?.find((e) => e.key === 'location')?.value;
    throw fail(
      `its data is stored outside the model${file ? ` (in '${file}')` : ''}; external data is not supported — ` +
        're-save the model with all tensors inside the .onnx file (e.g. onnx.save_model(model, path, save_as_external_data=False))',
    );
  }
  const type = elementTypes[t.dataType ?? 0];
  if (type === undefined) {
    throw fail(`element type ${DT[t.dataType ?? 0] ?? t.dataType} is not supported`);
  }
  const dims = (t.dims ?? []).map(toNumber);
  let count = 1;
  for (const d of dims) {
    if (!Number.isSafeInteger(d) || d < 0) throw fail(`invalid dimension ${d} in shape [${dims.join(', ')}]`);
    count *= d;
  }
  if (!Number.isSafeInteger(count)) throw fail(`shape [${dims.join(', ')}] is too large`);
  const raw = t.rawData;
  let data: Float32Array | Float64Array;
  if (raw && raw.length > 0) {
    const expected = count * type.bytes;
    if (raw.length !== expected) {
      throw fail(`declares shape [${dims.join(', ')}] (${count} × ${type.bytes} bytes = ${expected} bytes) but holds ${raw.length} bytes`);
    }
    data = decodeRaw(raw, t.dataType ?? 0, count);
  } else {
    const field = (t[type.field] ?? []) as readonly LongLike[];
    if (field.length !== count) {
      throw fail(`declares shape [${dims.join(', ')}] (${count} values) but holds ${field.length} values in ${type.field}`);
    }
    const dt = t.dataType ?? 0;
    const convert =
      dt === DT.FLOAT16 ? (v: LongLike) => half(toNumber(v)) : dt === DT.BFLOAT16 ? (v: LongLike) => bfloat16(toNumber(v)) : toNumber;
    data = type.isFloat ? new Float32Array(count) : new Float64Array(count);
    for (let i = 0; i < count; i++) data[i] = convert(field[i]);
  }
  return { name, dims, isFloat: type.isFloat, data };
}

function decodeRaw(raw: Uint8Array, dataType: number, count: number): Float32Array | Float64Array {
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  if (dataType === DT.FLOAT) {
    const out = new Float32Array(count);
    for (let i = 0; i < count; i++) out[i] = view.getFloat32(4 * i, true);
    return out;
  }
  const isFloat = dataType === DT.DOUBLE || dataType === DT.FLOAT16 || dataType === DT.BFLOAT16;
  const out = isFloat ? new Float32Array(count) : new Float64Array(count);
  const read: Record<number, (i: number) => number> = {
    [DT.DOUBLE]: (i) => view.getFloat64(8 * i, true),
    [DT.FLOAT16]: (i) => half(view.getUint16(2 * i, true)),
    [DT.BFLOAT16]: (i) => bfloat16(view.getUint16(2 * i, true)),
    [DT.INT64]: (i) => Number(view.getBigInt64(8 * i, true)),
    [DT.UINT64]: (i) => Number(view.getBigUint64(8 * i, true)),
    [DT.INT32]: (i) => view.getInt32(4 * i, true),
    [DT.UINT32]: (i) => view.getUint32(4 * i, true),
    [DT.INT16]: (i) => view.getInt16(2 * i, true),
    [DT.UINT16]: (i) => view.getUint16(2 * i, true),
    [DT.INT8]: (i) => view.getInt8(i),
    [DT.UINT8]: (i) => view.getUint8(i),
    [DT.BOOL]: (i) => view.getUint8(i),
  };
  const get = read[dataType];
  for (let i = 0; i < count; i++) out[i] = get(i);
  return out;
}

// ---------------------------------------------------------------------------------------------
// The importer context

function asOnnxError(err: unknown, source: string, nodeName?: string): OnnxError {
  if (err instanceof OnnxError) {
    if (err.nodeName !== undefined || nodeName === undefined) return err;
    return new OnnxError(err.detail, { source: err.source ?? source, nodeName, byteOffset: err.byteOffset, cause: err.cause });
  }
  if (err instanceof GraphError) {
    // GraphError's message already starts with "node 'x': "; keep it once.
    const prefix = err.nodeName === undefined ? '' : `node '${err.nodeName}': `;
    const message = err.message.startsWith(prefix) ? err.message.slice(prefix.length) : err.message;
    return new OnnxError(message, { source, nodeName: err.nodeName ?? nodeName, cause: err });
  }
  return new OnnxError(err instanceof Error ? err.message : String(err), { source, nodeName, cause: err });
}

function makeContext(
  node: OnnxNode,
  opset: number,
  fixedBatch: number | null,
  source: string,
  values: Map<string, Value>,
  uses: ReadonlyMap<string, number>,
  ir: Node[],
  shapeOf: (value: string) => readonly number[],
  invalidateShapes: () => void,
): ImportContext {
  const error = (message: string): OnnxError => new OnnxError(message, { source, nodeName: node.name });
  const input = (i: number): Value | undefined => {
    const name = node.inputs[i];
    if (name === undefined || name === '') return undefined;
    const v = values.get(name);
    if (v === undefined) throw error(`reads '${name}', which no earlier node provides`);
    return v;
  };
  const describe = (v: Value): string => (v.kind === 'activation' ? 'an activation' : v.kind === 'constant' ? 'a constant' : 'a shape');
  const constant = (i: number, role: string): ConstTensor | undefined => {
    const v = input(i);
    if (v === undefined) return undefined;
    if (v.kind !== 'constant')
      throw error(`${role} ('${node.inputs[i]}') must be a constant (an initializer or Constant), got ${describe(v)}`);
    return v.tensor;
  };
  return {
    opset,
    fixedBatch,
    node,
    input,
    activation(i, role = `input ${i}`) {
      const v = input(i);
      if (v === undefined) throw error(`${role} is missing`);
      if (v.kind !== 'activation') throw error(`${role} ('${node.inputs[i]}') must be an activation, got ${describe(v)}`);
      return v.ir;
    },
    constant(i, role) {
      const t = constant(i, role);
      if (t === undefined) throw error(`${role} is missing`);
      return t;
    },
    optionalConstant: constant,
    shapeOf,
    emit(body: NodeBody) {
      const output = node.outputs[0];
      if (output === undefined || output === '') throw error('has no output');
      ir.push({ ...body, name: node.name, output } as Node);
      values.set(output, { kind: 'activation', ir: output });
    },
    emitHidden(body: NodeBody, suffix: string) {
      const base = `${node.outputs[0] || node.name}${suffix}`;
      let name = base;
      for (let k = 2; values.has(name) || uses.has(name) || ir.some((n) => n.name === name || n.output === name); k++)
        name = `${base}_${k}`;
      ir.push({ ...body, name, output: name } as Node);
      return name;
    },
    define(i, value) {
      const output = node.outputs[i];
      if (output !== undefined && output !== '') values.set(output, value);
    },
    producer: (value) => ir.find((n) => n.output === value),
    replace(old, next) {
      const at = ir.indexOf(old);
      if (at < 0) throw error(`internal: node '${old.name}' is not in the graph`);
      ir[at] = next;
      invalidateShapes();
      const output = node.outputs[0];
      if (output !== undefined && output !== '') values.set(output, { kind: 'activation', ir: next.output });
    },
    uses: (value) => uses.get(value) ?? 0,
    error,
  };
}
