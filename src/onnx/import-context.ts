/**
 * What an importer sees: the decoded node, its inputs as import-time `Value`s, the shapes inferred
 * so far, and `emit`/`define`/`replace` to write IR. Importers never see protobuf. `makeContext`
 * builds one per node over import.ts's running state.
 */
import type { Node } from '../ir/graph.js';
import { OnnxError } from './errors.js';

/**
 * A decoded ONNX tensor (initializer or Constant). Floating types arrive as Float32Array, integer
 * and bool types as Float64Array (int64 values are exact up to 2^53).
 */
export interface ConstTensor {
  readonly name: string;
  readonly dims: readonly number[];
  readonly isFloat: boolean;
  readonly data: Float32Array | Float64Array;
}

/** One entry of a shape computed at import time: a known size, or the (symbolic) batch size. */
export type ShapeEntry = number | 'batch';

/**
 * What an ONNX value is at import time:
 * - an activation: a runtime value, named by the IR value that carries it;
 * - a constant: known data (initializer, Constant node, folded shape arithmetic);
 * - a shape: a rank-0/1 integer tensor that involves the batch size (from `Shape`), e.g. the
 *   `[x.size(0), -1]` that PyTorch builds for `x.view(x.size(0), -1)`.
 */
export type Value =
  | { readonly kind: 'activation'; readonly ir: string }
  | { readonly kind: 'constant'; readonly tensor: ConstTensor }
  | { readonly kind: 'shape'; readonly dims: readonly number[]; readonly entries: readonly ShapeEntry[] };

/** A decoded attribute. */
export type Attribute =
  | { readonly type: 'int'; readonly value: number }
  | { readonly type: 'float'; readonly value: number }
  | { readonly type: 'string'; readonly value: string }
  | { readonly type: 'ints'; readonly value: readonly number[] }
  | { readonly type: 'floats'; readonly value: readonly number[] }
  | { readonly type: 'tensor'; readonly value: ConstTensor }
  | { readonly type: 'other'; readonly value: string };

/** An ONNX node, decoded. */
export interface OnnxNode {
  /** Position in the file's node list. */
  readonly index: number;
  /** Unique name: the ONNX name, or `${opType}_${index}` when empty (suffixed when taken). */
  readonly name: string;
  readonly opType: string;
  /** Input value names; '' marks an omitted optional input. */
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes: ReadonlyMap<string, Attribute>;
}

/** Distributes `Omit` over the Node union: an IR node without the fields the context fills in. */
export type NodeBody = Node extends infer N ? (N extends Node ? Omit<N, 'name' | 'output'> : never) : never;

export interface ImportContext {
  /** The default-domain opset the model imports. */
  readonly opset: number;
  /** The graph input's dimension 0 when the file fixes it (e.g. 1 from an export without dynamic axes), else null. */
  readonly fixedBatch: number | null;
  readonly node: OnnxNode;
  /** The value behind input `i`; undefined when the input is omitted (absent or ''). */
  input(i: number): Value | undefined;
  /** Input `i` as an activation (its IR value name); refuses constants and shapes, naming `role`. */
  activation(i: number, role?: string): string;
  /** Input `i` as a constant; refuses activations, naming `role`. */
  constant(i: number, role: string): ConstTensor;
  /** Like `constant`, but undefined when the input is omitted. */
  optionalConstant(i: number, role: string): ConstTensor | undefined;
  /** Shape of an IR value for a batch of 1 (dimension 0 stands for the batch). */
  shapeOf(irValue: string): readonly number[];
  /** Appends an IR node named after the ONNX node, writing ONNX output 0. */
  emit(body: NodeBody): void;
  /**
   * Appends an intermediate IR node (for an ONNX node that becomes several IR nodes), named and
   * writing a value named after the ONNX node and output 0 plus `suffix` (made unique); returns
   * the IR value it writes. The last IR node is then written with `emit`.
   */
  emitHidden(body: NodeBody, suffix: string): string;
  /** Binds ONNX output `i` to a value without emitting a node (constants, shapes, aliases). */
  define(i: number, value: Value): void;
  /** The IR node (emitted so far) that writes `irValue`. */
  producer(irValue: string): Node | undefined;
  /** Replaces an emitted IR node; `next.output` becomes the value behind ONNX output 0. */
  replace(old: Node, next: Node): void;
  /** How many nodes read the ONNX value, plus one if it is the graph output. */
  uses(onnxValue: string): number;
  /** An OnnxError naming this node and the source. */
  error(message: string): OnnxError;
}

export type OpImporter = (ctx: ImportContext) => void;

/** The context for one node; `values` and `ir` are import.ts's running state, written through `emit`/`define`/`replace`. */
export function makeContext(
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
