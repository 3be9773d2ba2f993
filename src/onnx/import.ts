/**
 * ONNX → IR. `importOnnx(bytes)` decodes a model, refuses every unsupported node at once (before
 * any other work), decodes the initializers (checking every declared size against the bytes present
 * before allocating), runs one importer per node from the op table (op-table.ts) and validates the
 * resulting graph. Every failure is an OnnxError naming the source and the node or tensor at fault.
 */
import type { onnx as O } from 'onnx-proto';
import { GraphError, type Graph, type GraphInput, type Node } from '../ir/graph.js';
import { inferShapes, validateGraph } from '../ir/shapes.js';
import { OnnxError } from './errors.js';
import { decodeTensor, toNumber } from './decode-tensor.js';
import { makeContext, type Attribute, type OnnxNode, type Value } from './import-context.js';
import { fuseQuantClip } from './fuse-quant-clip.js';
import { importers } from './op-table.js';
import { onnx } from './proto.js';

/** Imports an ONNX model (protobuf bytes) into the IR. `source` names the model in error messages. */
export function importOnnx(bytes: Uint8Array, source = '<bytes>'): Graph {
  const model = decodeModel(bytes, source);
  const fail = (message: string, nodeName?: string): OnnxError => new OnnxError(message, { source, nodeName });
  const graph = model.graph;
  if (!graph) throw fail('not an ONNX model: it has no graph');
  const opset = defaultOpset(model, fail);

  const fileNodes = graph.node ?? [];
  const fileNames = nodeNames(fileNodes);
  const outputName = graph.output?.[0]?.name ?? '';
  const nodeName = (n: O.INodeProto): string => fileNames[fileNodes.indexOf(n)];
  const nodes = fuseQuantClip(fileNodes, graph.initializer ?? [], outputName, nodeName, source);
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
  if (out.ir === input.name) throw fail(`graph output '${outputs[0]}' is the graph input; no node computes it`);
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
// Errors

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
