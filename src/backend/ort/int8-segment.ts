/**
 * The integer path of the ORT backend for simulator segments whose input holds small non-negative
 * integers (binary spikes, or 0..γ for burst neurons; θ already folded into the weights):
 *
 *   prefix (f32: AvgPool, GlobalAvgPool, MaxPool, zero Pad, Flatten, Reshape, Identity)
 *   → u = round(prefix output · factor) as u8        (factor = the pools' divisors: sums are integers)
 *   → the segment's first Conv2d/Dense as u8 × s8 → i32 → f32 (per-output-channel scales, /factor, + bias)
 *   → tail (the rest of the segment, f32 as before)
 *
 * Kernels (measured, ENGINES.md and bench/int8.ts): Dense is one com.microsoft MatMulIntegerToFloat
 * (MLAS u8×s8 GEMM, VNNI). A Conv2d is im2col in ONNX Runtime on u8 — Transpose to NHWC, Pad, one
 * strided Slice per kernel tap, Concat along channels — then the same GEMM over
 * [N·Ho·Wo, kh·kw·C] × [kh·kw·C, O] and a Transpose back to NCHW. ConvInteger is avoided (its s8
 * weights are the GEMM's A operand: MLAS has no fast kernel for that, ~15 GOP/s), and QLinearConv,
 * though fastest, re-quantizes its output to 8 bits (inexact currents).
 *
 * Exactness: the u8 input and the s8 weights multiply and accumulate exactly in i32, so the output
 * equals the f32 graph with dequantized weights (quantize-weights.ts: `dequantizedGraph`) up to f32
 * rounding. 'int8x2' runs the residue half as a second set of output columns of the same GEMM.
 */
import type { onnx as O } from 'onnx-proto';
import { GraphError, type Conv2dNode, type DenseNode, type Graph, type Node } from '../../ir/graph.js';
import { quantizeWeight, LO_DIVISOR, type WeightPrecision } from '../../ir/passes/quantize-weights.js';
import { inferShapes, windowOut } from '../../ir/shapes.js';
import { encodeModel, floatInitializer, int64Initializer, node as onnxNode, typedInitializer } from '../../onnx/builder.js';
import { graphToOnnx } from '../../onnx/export-graph.js';
import { onnx } from '../../onnx/proto.js';
import { sizeOf, tensor } from '../../tensor/tensor.js';

/** How the integer op's input relates to the segment input, and where the segment splits. */
export interface Int8Plan {
  /** f32 nodes before the integer op (they read the segment input). */
  readonly prefix: readonly Node[];
  /** The node computed as u8 × s8. */
  readonly op: Conv2dNode | DenseNode;
  /** f32 nodes after it. */
  readonly tail: readonly Node[];
  /** The integer input is round(op input · factor). */
  readonly factor: number;
  /** The largest integer the op can see (input max · factor); ≤ 255. */
  readonly maxValue: number;
  /** The prefix divides (AvgPool): round before the cast to u8. */
  readonly needsRound: boolean;
}

export interface Int8PlanOptions {
  /** Requested outputs (default [graph.output]). */
  readonly outputs?: readonly string[];
  /** The largest value the segment input holds (an integer ≥ 1); default 1 (binary spikes). */
  readonly inputMax?: number;
}

const U8_MAX = 255;

/**
 * Splits a segment for the integer path, or says why it cannot take it. The graph must be a chain
 * from its input; the first Conv2d/Dense becomes the integer op; only ops that keep integers
 * integers (up to a known factor) may come before it.
 */
export function planInt8(graph: Graph, options: Int8PlanOptions = {}): Int8Plan | { readonly reason: string } {
  const inputMax = options.inputMax ?? 1;
  if (!Number.isInteger(inputMax) || inputMax < 1 || inputMax > U8_MAX)
    return { reason: `inputMax must be an integer in 1..${U8_MAX}, got ${inputMax}` };
  const shapes = inferShapes(graph, 1);
  let value = graph.input.name;
  let factor = 1;
  let needsRound = false;
  const prefix: Node[] = [];
  for (let i = 0; i < graph.nodes.length; i++) {
    const n = graph.nodes[i];
    if (n.inputs.length !== 1 || n.inputs[0] !== value)
      return { reason: `node '${n.name}' does not continue a single-input chain from '${graph.input.name}'` };
    const outputs = options.outputs ?? [graph.output];
    if (n.op === 'Conv2d' || n.op === 'Dense') {
      if (outputs.some((o) => o === value || prefix.some((p) => p.output === o)))
        return { reason: 'an output before the first Conv2d/Dense is requested' };
      if (n.op === 'Conv2d' && n.groups !== 1)
        return { reason: `node '${n.name}': grouped convolution (groups = ${n.groups}) has no integer path` };
      const maxValue = inputMax * factor;
      if (maxValue > U8_MAX)
        return { reason: `node '${n.name}': its integer input reaches ${inputMax} × ${factor} = ${maxValue}, beyond u8` };
      const tail = graph.nodes.slice(i + 1);
      const known = new Set([n.output]);
      for (const t of tail) {
        const stray = t.inputs.find((v) => !known.has(v));
        if (stray !== undefined) return { reason: `node '${t.name}' reads '${stray}', a value from before the integer op` };
        known.add(t.output);
      }
      return { prefix, op: n, tail, factor, maxValue, needsRound };
    }
    switch (n.op) {
      case 'AvgPool': {
        const [, , h, w] = shapes.get(value) as readonly number[];
        const uniform =
          (n.countIncludePad || n.pads.every((p) => p === 0)) &&
          fits(h, n.kernel[0], n.strides[0], n.pads[0], n.pads[2], n.ceilMode) &&
          fits(w, n.kernel[1], n.strides[1], n.pads[1], n.pads[3], n.ceilMode);
        if (!uniform)
          return { reason: `node '${n.name}': AvgPool windows with different divisors (padding without countIncludePad, or ceil mode)` };
        factor *= n.kernel[0] * n.kernel[1];
        needsRound = true;
        break;
      }
      case 'GlobalAvgPool': {
        const [, , h, w] = shapes.get(value) as readonly number[];
        factor *= h * w;
        needsRound = true;
        break;
      }
      case 'Pad':
        if (n.value !== 0) return { reason: `node '${n.name}': Pad with value ${n.value} before the first Conv2d/Dense` };
        break;
      case 'MaxPool':
      case 'Flatten':
      case 'Reshape':
      case 'Identity':
      case 'Dropout':
        break;
      default:
        return { reason: `node '${n.name}': ${n.op} before the first Conv2d/Dense does not keep integer inputs integer` };
    }
    prefix.push(n);
    value = n.output;
  }
  return { reason: 'the graph has no Conv2d or Dense' };
}

/** With ceil mode, every window must still end inside the padded input (else its divisor shrinks). */
function fits(size: number, kernel: number, stride: number, before: number, after: number, ceil: boolean): boolean {
  const free = size + before + after - kernel;
  return (
    !ceil ||
    free % stride === 0 ||
    windowOut(size, kernel, stride, before, after, 1, true) === windowOut(size, kernel, stride, before, after, 1, false)
  );
}

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

/** Cast to u8 (after ·factor and rounding where needed), im2col for Conv2d, the GEMM, back to NCHW. */
function integerOp(
  plan: Int8Plan,
  precision: WeightPrecision,
  shapes: ReturnType<typeof inferShapes>,
): { nodes: O.INodeProto[]; initializers: O.ITensorProto[] } {
  const op = plan.op;
  const base = `${op.name}.int8`;
  const nodes: O.INodeProto[] = [];
  const initializers: O.ITensorProto[] = [];
  const name = (suffix: string): string => `${base}.${suffix}`;
  const init = (suffix: string): string => `${base}.init.${suffix}`;
  const node = (
    type: string,
    inputs: readonly string[],
    output: string,
    attrs: Parameters<typeof onnxNode>[3] = {},
    domain?: string,
  ): string => {
    nodes.push({ ...onnxNode(type, inputs, [output], attrs, output), ...(domain ? { domain } : {}) });
    return output;
  };
  const float = (suffix: string, dims: readonly number[], values: Float32Array): string => {
    initializers.push(floatInitializer(init(suffix), tensor(dims, values)));
    return init(suffix);
  };
  const int64 = (suffix: string, values: readonly number[]): string => {
    initializers.push(int64Initializer(init(suffix), values));
    return init(suffix);
  };

  let x = op.inputs[0];
  if (plan.needsRound) {
    if (plan.factor !== 1) x = node('Mul', [x, float('factor', [], Float32Array.of(plan.factor))], name('scaled'));
    x = node('Round', [x], name('rounded'));
  }
  x = node('Cast', [x], name('u8'), { to: onnx.TensorProto.DataType.UINT8 });

  const q = quantizeWeight(op.weight, precision);
  const outputs = op.weight.shape[0];
  let k: number;
  let order: (o: number, j: number) => number; // index into q of GEMM row j, column o
  let outShape: readonly number[] | null = null;
  if (op.op === 'Conv2d') {
    const [, c, h, w] = shapes.get(op.inputs[0]) as readonly number[];
    const [, , kh, kw] = op.weight.shape;
    const [, , ho, wo] = shapes.get(op.output) as readonly number[];
    const [top, left, bottom, right] = op.pads;
    const [sh, sw] = op.strides;
    const [dh, dw] = op.dilations;
    x = node('Transpose', [x], name('nhwc'), { perm: [0, 2, 3, 1] });
    if (op.pads.some((p) => p !== 0)) {
      x = node('Pad', [x, int64('pads', [0, top, left, 0, 0, bottom, right, 0])], name('padded'), { mode: 'constant' });
    }
    const taps: string[] = [];
    const covers = kh === 1 && kw === 1 && sh === 1 && sw === 1 && ho === h + top + bottom && wo === w + left + right;
    if (covers) {
      taps.push(x);
    } else {
      const axes = int64('axes', [1, 2]);
      const steps = int64('steps', [sh, sw]);
      for (let p = 0; p < kh; p++) {
        for (let t = 0; t < kw; t++) {
          const start = [p * dh, t * dw];
          const end = [p * dh + (ho - 1) * sh + 1, t * dw + (wo - 1) * sw + 1];
          taps.push(node('Slice', [x, int64(`start${p}_${t}`, start), int64(`end${p}_${t}`, end), axes, steps], name(`tap${p}_${t}`)));
        }
      }
    }
    x = taps.length === 1 ? taps[0] : node('Concat', taps, name('im2col'), { axis: 3 });
    k = kh * kw * c;
    x = node('Reshape', [x, int64('rows', [-1, k])], name('rows'));
    // GEMM row j = (p·kw + t)·C + ci  ↔  weight [o, ci, p, t]
    order = (o, j) => {
      const ci = j % c;
      const tap = (j - ci) / c;
      return ((o * c + ci) * kh + Math.floor(tap / kw)) * kw + (tap % kw);
    };
    outShape = [ho, wo];
  } else {
    k = op.weight.shape[1];
    order = (o, j) => o * k + j;
  }

  const halves = q.lo ? 2 : 1;
  const columns = outputs * halves;
  const b = new Int8Array(k * columns);
  for (let j = 0; j < k; j++) {
    for (let o = 0; o < outputs; o++) {
      const i = order(o, j);
      b[j * columns + o] = q.q[i];
      if (q.lo) b[j * columns + outputs + o] = q.lo[i];
    }
  }
  initializers.push(typedInitializer(init('weight'), 'int8', [k, columns], b));
  const bScale = new Float32Array(columns);
  bScale.set(q.scale);
  if (q.lo) for (let o = 0; o < outputs; o++) bScale[outputs + o] = q.scale[o] / LO_DIVISOR;
  const bias = new Float32Array(columns);
  if (op.bias) bias.set(op.bias.data);
  const gemmOut = halves === 1 && outShape === null ? op.output : name('gemm');
  x = node(
    'MatMulIntegerToFloat',
    [
      x,
      init('weight'),
      float('a_scale', [], Float32Array.of(1 / plan.factor)),
      float('b_scale', [columns], bScale),
      '',
      '',
      float('bias', [columns], bias),
    ],
    gemmOut,
    {},
    'com.microsoft',
  );
  if (halves === 2) {
    x = node('Reshape', [x, int64('halves', [-1, 2, outputs])], name('halves'));
    x = node('ReduceSum', [x, int64('half_axis', [1])], outShape === null ? op.output : name('summed'), { keepdims: 0 });
  }
  if (outShape !== null) {
    x = node('Reshape', [x, int64('nhwc_shape', [-1, outShape[0], outShape[1], outputs])], name('out_nhwc'));
    node('Transpose', [x], op.output, { perm: [0, 3, 1, 2] });
  }
  return { nodes, initializers };
}
