/**
 * A small ONNX model builder over the protobuf schema: the one place that writes ONNX. Used by the
 * IR writer (sessions, export), the training graphs and the tests that make PyTorch-like models.
 */
import type { onnx as O } from 'onnx-proto';
import type { Tensor } from '../tensor/tensor.js';
import { onnx } from './proto.js';

export type ElemType = 'float32' | 'int64' | 'uint8' | 'int8' | 'int32' | 'bool';

const dataTypeOf: Record<ElemType, number> = {
  float32: onnx.TensorProto.DataType.FLOAT,
  int64: onnx.TensorProto.DataType.INT64,
  uint8: onnx.TensorProto.DataType.UINT8,
  int8: onnx.TensorProto.DataType.INT8,
  int32: onnx.TensorProto.DataType.INT32,
  bool: onnx.TensorProto.DataType.BOOL,
};

export type AttrValue =
  number | string | readonly number[] | { readonly float: number } | { readonly floats: readonly number[] } | O.ITensorProto;

/** A float32 initializer from a Tensor (raw little-endian bytes). */
export function floatInitializer(name: string, t: Tensor): O.ITensorProto {
  return {
    name,
    dims: [...t.shape],
    dataType: onnx.TensorProto.DataType.FLOAT,
    rawData: new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength).slice(),
  };
}

/** An int64 initializer (shapes, pads, axes). */
export function int64Initializer(name: string, values: readonly number[], dims: readonly number[] = [values.length]): O.ITensorProto {
  const raw = new BigInt64Array(values.map((v) => BigInt(v)));
  return { name, dims: [...dims], dataType: onnx.TensorProto.DataType.INT64, rawData: new Uint8Array(raw.buffer) };
}

/** An initializer of any supported element type from raw typed-array bytes. */
export function typedInitializer(name: string, type: ElemType, dims: readonly number[], data: ArrayBufferView): O.ITensorProto {
  return {
    name,
    dims: [...dims],
    dataType: dataTypeOf[type],
    rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice(),
  };
}

/** One node; attribute types follow the JS value (integer → INT, non-integer → FLOAT, array of integers → INTS). */
export function node(
  opType: string,
  inputs: readonly string[],
  outputs: readonly string[],
  attrs: Record<string, AttrValue> = {},
  name?: string,
): O.INodeProto {
  return {
    opType,
    input: [...inputs],
    output: [...outputs],
    name: name ?? `${opType}_${outputs[0]}`,
    attribute: Object.entries(attrs).map(([key, value]) => attribute(key, value)),
  };
}

function attribute(name: string, value: AttrValue): O.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof value === 'string') return { name, type: T.STRING, s: new TextEncoder().encode(value) };
  if (typeof value === 'number') return Number.isInteger(value) ? { name, type: T.INT, i: value } : { name, type: T.FLOAT, f: value };
  if (Array.isArray(value)) {
    const list = value as readonly number[];
    return list.every(Number.isInteger) ? { name, type: T.INTS, ints: [...list] } : { name, type: T.FLOATS, floats: [...list] };
  }
  if ('float' in value) return { name, type: T.FLOAT, f: (value as { float: number }).float };
  if ('floats' in value) return { name, type: T.FLOATS, floats: [...(value as { floats: readonly number[] }).floats] };
  return { name, type: T.TENSOR, t: value as O.ITensorProto };
}

/** A value_info; `null` dimensions become the symbolic batch dimension 'N'. */
export function valueInfo(name: string, shape: readonly (number | null)[], type: ElemType = 'float32'): O.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: dataTypeOf[type],
        shape: { dim: shape.map((d) => (d === null ? { dimParam: 'N' } : { dimValue: d })) },
      },
    },
  };
}

export interface ModelSpec {
  readonly nodes: readonly O.INodeProto[];
  readonly initializers: readonly O.ITensorProto[];
  readonly inputs: readonly O.IValueInfoProto[];
  readonly outputs: readonly O.IValueInfoProto[];
  readonly opset?: number;
  readonly name?: string;
  /** Extra operator-set imports, e.g. { 'com.microsoft': 1 }. */
  readonly extraOpsets?: Readonly<Record<string, number>>;
}

/** Encodes a model; IR version 8 (readable by ONNX Runtime 1.x and the onnx checker). */
export function encodeModel(spec: ModelSpec): Uint8Array {
  const opsetImport: O.IOperatorSetIdProto[] = [{ domain: '', version: spec.opset ?? 17 }];
  for (const [domain, version] of Object.entries(spec.extraOpsets ?? {})) opsetImport.push({ domain, version });
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'ann2snn',
    opsetImport,
    graph: {
      name: spec.name ?? 'graph',
      node: [...spec.nodes],
      initializer: [...spec.initializers],
      input: [...spec.inputs],
      output: [...spec.outputs],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}
