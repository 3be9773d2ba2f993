/**
 * The ONNX op table: ONNX op type → importer. Each importer turns one ONNX node into IR node(s) or
 * into a value known at import time (a constant, a shape); importers live by op family in ops/.
 * Adding an op = one importer in its family file + one line here. Ops absent here are refused up
 * front by import.ts, all listed in one message. QCFS chains (Div … Floor … Mul) arrive fused into
 * one node by fuse-quant-clip.ts.
 */
import type { OpImporter } from './import-context.js';
import { clip, quantClip, relu, softmax } from './ops/activation.js';
import { QUANT_CLIP_OP } from './fuse-quant-clip.js';
import { cast, constant, gather, shape, unsqueeze } from './ops/constant.js';
import { conv } from './ops/conv.js';
import { constantOfShape, slice, transpose } from './ops/fold.js';
import { gemm, matMul } from './ops/linear.js';
import { add, concat } from './ops/merge.js';
import { batchNormalization } from './ops/normalization.js';
import { averagePool, globalAveragePool, maxPool, reduceMean } from './ops/pool.js';
import { dropout, flatten, identity, pad, reshape } from './ops/shape.js';

export const importers: Readonly<Record<string, OpImporter>> = {
  [QUANT_CLIP_OP]: quantClip,
  Add: add,
  AveragePool: averagePool,
  BatchNormalization: batchNormalization,
  Cast: cast,
  Clip: clip,
  Concat: concat,
  Constant: constant,
  ConstantOfShape: constantOfShape,
  Conv: conv,
  Dropout: dropout,
  Flatten: flatten,
  Gather: gather,
  Gemm: gemm,
  GlobalAveragePool: globalAveragePool,
  Identity: identity,
  MatMul: matMul,
  MaxPool: maxPool,
  Pad: pad,
  ReduceMean: reduceMean,
  Relu: relu,
  Reshape: reshape,
  Shape: shape,
  Slice: slice,
  Softmax: softmax,
  Transpose: transpose,
  Unsqueeze: unsqueeze,
};
