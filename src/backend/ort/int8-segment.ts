/**
 * The integer path of the ORT backend for simulator segments whose input holds small non-negative
 * integers (spike counts: 0/1, or 0..γ for burst neurons; θ already folded into the weights), split as
 * src/quantize/int8-plan.ts plans it:
 *
 *   prefix (f32: the pools, zero Pad and shape-only ops — kinds in ir/op-traits.ts)
 *   → u = round(prefix output · factor) as u8        (factor = the pools' divisors: sums are integers)
 *   → the segment's first Conv2d/Dense as u8 × s8 → i32 → f32 (per-output-channel scales, /factor, + bias)
 *   → tail (the rest of the segment, f32 as before)
 *
 * Kernels (measured on cnn4's segments with bench/int8.ts): Dense is one com.microsoft
 * MatMulIntegerToFloat (MLAS u8×s8 GEMM, VNNI, ~300 GOP/s on one core). A Conv2d is im2col in ONNX
 * Runtime on u8 — Transpose to NHWC, Pad, one strided Slice per kernel tap, Concat along channels —
 * then the same GEMM over [N·Ho·Wo, kh·kw·C] × [kh·kw·C, O] and a Transpose back to NCHW.
 * Measured and not taken: ConvInteger (it makes the s8 weights the GEMM's first operand, for which
 * MLAS has no fast kernel: ~15 GOP/s); im2col in NCHW with the weights first as u8 with zero point
 * 128 (no transposes, but its 2-D tap slices copy W-byte rows: slower on the whole segment); TS
 * im2col (JS loops cost more than the GEMM); QLinearConv with channels_last one-hot kernels as the
 * im2col (grouped QLinearConv is slow); QLinearConv itself is the fastest kernel but re-quantizes its
 * output to 8 bits (inexact currents). Most of the remaining time is data movement: im2col, the
 * output transpose, and first-touch page faults of the fresh output buffers.
 *
 * Exactness: the u8 input and the s8 weights multiply and accumulate exactly in i32, so the output
 * equals the f32 graph with dequantized weights (src/quantize/dequantized-graph.ts) up to f32
 * rounding. 'int8x2' adds a second GEMM on the same u8 rows for the residue half of the weights.
 */
import type { onnx as O } from 'onnx-proto';
import { GraphError, type Conv2dNode, type DenseNode, type Graph } from '../../ir/graph.js';
import { inferShapes } from '../../ir/shapes.js';
import type { Int8Plan } from '../../quantize/int8-plan.js';
import { quantizeWeight, LO_DIVISOR, type QuantizedWeight, type WeightPrecision } from '../../quantize/quantize-weights.js';
import { encodeModel, floatInitializer, int64Initializer, node as onnxNode, typedInitializer } from '../../onnx/builder.js';
import { graphToOnnx } from '../../onnx/export-graph.js';
import { onnx } from '../../onnx/proto.js';
import { sizeOf, tensor } from '../../tensor/tensor.js';

/** Bytes per input row of the largest intermediate values (im2col buffer, f32 GEMM output and its transpose). */
export function int8RowBytes(graph: Graph, plan: Int8Plan): number {
  const shapes = inferShapes(graph, 1);
  const out = sizeOf(shapes.get(plan.op.output) as readonly number[]);
  if (plan.op.op === 'Dense') return plan.op.weight.shape[1] + 2 * 4 * out;
  const [, c] = shapes.get(plan.op.inputs[0]) as readonly number[];
  const [, , kh, kw] = plan.op.weight.shape;
  const [, , ho, wo] = shapes.get(plan.op.output) as readonly number[];
  return ho * wo * kh * kw * c + 2 * 4 * out;
}

/**
 * The segment as one ONNX model: the prefix and the tail as graphToOnnx writes them, the integer op
 * in between. Its input is the segment input (f32), its outputs the requested values (f32).
 */
export function int8SegmentOnnx(graph: Graph, plan: Int8Plan, precision: WeightPrecision, outputs: readonly string[]): Uint8Array {
  const shapes = inferShapes(graph, 1);
  const nodes: O.INodeProto[] = [];
  const initializers: O.ITensorProto[] = [];
  const opInput = plan.op.inputs[0];
  if (plan.prefix.length > 0) {
    const prefixGraph: Graph = { input: graph.input, output: opInput, nodes: plan.prefix };
    const model = onnx.ModelProto.decode(graphToOnnx(prefixGraph));
    nodes.push(...(model.graph?.node ?? []));
    initializers.push(...(model.graph?.initializer ?? []));
  }
  const core = integerOp(plan, precision, shapes);
  nodes.push(...core.nodes);
  initializers.push(...core.initializers);
  const tailOutputs = outputs.filter((o) => o !== plan.op.output);
  if (tailOutputs.length > 0) {
    const opShape = shapes.get(plan.op.output) as readonly number[];
    const tailGraph: Graph = {
      input: { name: plan.op.output, shape: [null, ...opShape.slice(1)] },
      output: tailOutputs[0],
      nodes: plan.tail,
    };
    const model = onnx.ModelProto.decode(graphToOnnx(tailGraph, { outputs: tailOutputs }));
    nodes.push(...(model.graph?.node ?? []));
    initializers.push(...(model.graph?.initializer ?? []));
  }
  const full = onnx.ModelProto.decode(graphToOnnx(graph, { outputs }));
  const names = new Set<string>();
  for (const name of [...initializers.map((t) => t.name as string), ...nodes.flatMap((n) => n.output ?? [])]) {
    if (names.has(name)) throw new GraphError(`int8 segment: the name '${name}' is defined twice`);
    names.add(name);
  }
  return encodeModel({
    nodes,
    initializers,
    inputs: full.graph?.input ?? [],
    outputs: full.graph?.output ?? [],
    extraOpsets: { 'com.microsoft': 1 },
    name: 'ann2snn-int8',
  });
}

type Builder = ReturnType<typeof builder>;

function builder(base: string) {
  const nodes: O.INodeProto[] = [];
  const initializers: O.ITensorProto[] = [];
  const name = (suffix: string): string => `${base}.${suffix}`;
  const init = (suffix: string): string => `${base}.init.${suffix}`;
  return {
    nodes,
    initializers,
    name,
    node(type: string, inputs: readonly string[], output: string, attrs: Parameters<typeof onnxNode>[3] = {}, domain?: string): string {
      nodes.push({ ...onnxNode(type, inputs, [output], attrs, output), ...(domain ? { domain } : {}) });
      return output;
    },
    float(suffix: string, dims: readonly number[], values: Float32Array): string {
      initializers.push(floatInitializer(init(suffix), tensor(dims, values)));
      return init(suffix);
    },
    int64(suffix: string, values: readonly number[]): string {
      initializers.push(int64Initializer(init(suffix), values));
      return init(suffix);
    },
    typed(suffix: string, type: 'int8' | 'uint8', dims: readonly number[], values: Int8Array | Uint8Array): string {
      initializers.push(typedInitializer(init(suffix), type, dims, values));
      return init(suffix);
    },
  };
}

/** The integer op: cast (after ·factor and rounding where needed), im2col for Conv2d, the GEMM, per-channel scales and bias. */
function integerOp(
  plan: Int8Plan,
  precision: WeightPrecision,
  shapes: ReturnType<typeof inferShapes>,
): { nodes: O.INodeProto[]; initializers: O.ITensorProto[] } {
  const b = builder(`${plan.op.name}.int8`);
  let x = plan.op.inputs[0];
  if (plan.needsRound) {
    if (plan.factor !== 1) x = b.node('Mul', [x, b.float('factor', [], Float32Array.of(plan.factor))], b.name('scaled'));
    x = b.node('Round', [x], b.name('rounded'));
  }
  const q = quantizeWeight(plan.op.weight, precision);
  if (plan.op.op === 'Dense') denseGemm(b, plan, plan.op, q, x);
  else convNhwc(b, plan, plan.op, q, x, shapes);
  return { nodes: b.nodes, initializers: b.initializers };
}

/** u8 input [N, K] × s8 weights [K, O (·2)] → f32 through MatMulIntegerToFloat (scales, 1/factor and bias fused). */
function gemmToFloat(
  b: Builder,
  plan: Int8Plan,
  op: Conv2dNode | DenseNode,
  q: QuantizedWeight,
  rows: string,
  k: number,
  weightIndex: (o: number, j: number) => number,
  output: string,
): void {
  const outputs = op.weight.shape[0];
  const bias = op.bias?.data ?? new Float32Array(outputs);
  const aScale = b.float('a_scale', [], Float32Array.of(1 / plan.factor));
  const gemm = (half: 'hi' | 'lo', values: Int8Array, scale: Float32Array, withBias: boolean, out: string): string => {
    const w = new Int8Array(k * outputs);
    for (let j = 0; j < k; j++) for (let o = 0; o < outputs; o++) w[j * outputs + o] = values[weightIndex(o, j)];
    const inputs = [rows, b.typed(`weight_${half}`, 'int8', [k, outputs], w), aScale, b.float(`scale_${half}`, [outputs], scale), '', ''];
    if (withBias) inputs.push(b.float('bias', [outputs], bias));
    return b.node('MatMulIntegerToFloat', inputs, out, {}, 'com.microsoft');
  };
  if (!q.lo) {
    gemm('hi', q.q, q.scale, true, output);
    return;
  }
  // Two GEMMs on the same u8 rows (one [K, 2·O] GEMM would need a strided reduce of its halves, measured slower).
  const hi = gemm('hi', q.q, q.scale, true, b.name('hi'));
  const lo = gemm(
    'lo',
    q.lo,
    q.scale.map((s) => s / LO_DIVISOR),
    false,
    b.name('lo'),
  );
  b.node('Add', [hi, lo], output);
}

function denseGemm(b: Builder, plan: Int8Plan, op: DenseNode, q: QuantizedWeight, x: string): void {
  const u8 = b.node('Cast', [x], b.name('u8'), { to: onnx.TensorProto.DataType.UINT8 });
  const k = op.weight.shape[1];
  gemmToFloat(b, plan, op, q, u8, k, (o, j) => o * k + j, op.output);
}

interface ConvGeometry {
  readonly c: number;
  readonly h: number;
  readonly w: number;
  readonly kh: number;
  readonly kw: number;
  readonly ho: number;
  readonly wo: number;
}

function geometry(op: Conv2dNode, shapes: ReturnType<typeof inferShapes>): ConvGeometry {
  const [, c, h, w] = shapes.get(op.inputs[0]) as readonly number[];
  const [, , kh, kw] = op.weight.shape;
  const [, , ho, wo] = shapes.get(op.output) as readonly number[];
  return { c, h, w, kh, kw, ho, wo };
}

/** Pads `x` (spatial axes `axes`) and takes one strided slice per kernel tap, concatenated along `concatAxis`. */
function im2col(
  b: Builder,
  op: Conv2dNode,
  g: ConvGeometry,
  x: string,
  spatial: readonly [number, number],
  rank: number,
  concatAxis: number,
): string {
  const [top, left, bottom, right] = op.pads;
  const [sh, sw] = op.strides;
  const [dh, dw] = op.dilations;
  if (op.pads.some((p) => p !== 0)) {
    const pads = new Array<number>(2 * rank).fill(0);
    pads[spatial[0]] = top;
    pads[spatial[1]] = left;
    pads[rank + spatial[0]] = bottom;
    pads[rank + spatial[1]] = right;
    x = b.node('Pad', [x, b.int64('pads', pads)], b.name('padded'), { mode: 'constant' });
  }
  if (g.kh === 1 && g.kw === 1 && sh === 1 && sw === 1 && g.ho === g.h + top + bottom && g.wo === g.w + left + right) return x;
  const axes = b.int64('axes', spatial);
  const steps = b.int64('steps', [sh, sw]);
  const taps: string[] = [];
  for (let p = 0; p < g.kh; p++) {
    for (let t = 0; t < g.kw; t++) {
      const start = [p * dh, t * dw];
      const end = [p * dh + (g.ho - 1) * sh + 1, t * dw + (g.wo - 1) * sw + 1];
      taps.push(b.node('Slice', [x, b.int64(`start${p}_${t}`, start), b.int64(`end${p}_${t}`, end), axes, steps], b.name(`tap${p}_${t}`)));
    }
  }
  return taps.length === 1 ? taps[0] : b.node('Concat', taps, b.name('im2col'), { axis: concatAxis });
}

/**
 * NHWC: u8 input → Transpose → im2col [N·Ho·Wo, kh·kw·C] (A) × s8 weights [kh·kw·C, O] (B) →
 * MatMulIntegerToFloat → Transpose back to NCHW.
 */
function convNhwc(b: Builder, plan: Int8Plan, op: Conv2dNode, q: QuantizedWeight, x: string, shapes: ReturnType<typeof inferShapes>): void {
  const g = geometry(op, shapes);
  x = b.node('Cast', [x], b.name('u8'), { to: onnx.TensorProto.DataType.UINT8 });
  x = b.node('Transpose', [x], b.name('nhwc'), { perm: [0, 2, 3, 1] });
  x = im2col(b, op, g, x, [1, 2], 4, 3);
  const k = g.kh * g.kw * g.c;
  x = b.node('Reshape', [x, b.int64('rows', [-1, k])], b.name('rows'));
  // GEMM row j = (p·kw + t)·C + ci  ↔  weight [o, ci, p, t]
  const index = (o: number, j: number): number => {
    const ci = j % g.c;
    const tap = (j - ci) / g.c;
    return ((o * g.c + ci) * g.kh + Math.floor(tap / g.kw)) * g.kw + (tap % g.kw);
  };
  const outputs = op.weight.shape[0];
  const y = b.name('gemm_out');
  gemmToFloat(b, plan, op, q, x, k, index, y);
  const nhwc = b.node('Reshape', [y, b.int64('nhwc_shape', [-1, g.ho, g.wo, outputs])], b.name('out_nhwc'));
  b.node('Transpose', [nhwc], op.output, { perm: [0, 3, 1, 2] });
}
