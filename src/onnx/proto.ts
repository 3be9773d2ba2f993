/** The ONNX protobuf schema (onnx-proto ships it as CommonJS). */
import onnxProto from 'onnx-proto';

export const onnx = onnxProto.onnx;
export type { onnx as OnnxTypes } from 'onnx-proto';
