/**
 * TensorProto → ConstTensor: every ONNX element type we read (float, double, float16, bfloat16,
 * signed/unsigned integers, bool), from raw_data or the typed fields; sizes checked before
 * allocating; tensors kept in external files refused. Every failure is an OnnxError naming the tensor.
 */
import type { onnx as O } from 'onnx-proto';
import { OnnxError } from './errors.js';
import type { ConstTensor } from './import-context.js';
import { onnx } from './proto.js';

export type LongLike = number | { toNumber(): number } | null | undefined;

export function toNumber(v: LongLike): number {
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
export function decodeTensor(t: O.ITensorProto, fallbackName: string, source: string): ConstTensor {
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
