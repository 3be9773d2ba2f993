/**
 * Symmetric per-output-channel int8 weight quantization (pure; the int8 simulator path of the ORT
 * backend and its tests use it):
 *
 *   scale_o = max_i |W[o, i]| / 127          (1 for an all-zero channel)
 *   q[o, i] = round(W[o, i] / scale_o)        ∈ [−127, 127]       |W − q·scale| ≤ scale/2
 *
 * 'int8x2' adds a second int8 half for the rounding residue r = W/scale − q ∈ [−½, ½]:
 * lo = round(r·254) ∈ [−127, 127] and W ≈ (q + lo/254)·scale, |W − (q + lo/254)·scale| ≤ scale/508
 * (about 16-bit precision at two int8 products).
 *
 * `dequantizedGraph` is the oracle of the integer path: the same f32 graph with W replaced by its
 * dequantized value. Integer accumulation of u8 × s8 is exact, so the int8 backend's output equals the
 * reference backend on the dequantized graph up to f32 rounding.
 */
import { GraphError, type Conv2dNode, type DenseNode, type Graph, type Node } from '../graph.js';
import { tensor, type Tensor } from '../../tensor/tensor.js';

export type WeightPrecision = 'int8' | 'int8x2';

export interface QuantizedWeight {
  /** The f32 weight's shape, output channel first ([O, …]). */
  readonly shape: readonly number[];
  /** round(W/scale), same layout as the weight. */
  readonly q: Int8Array;
  /** The residue half for 'int8x2' (W ≈ (q + lo/254)·scale), null for 'int8'. */
  readonly lo: Int8Array | null;
  /** One scale per output channel (dimension 0). */
  readonly scale: Float32Array;
}

export const INT8_MAX = 127;
/** Weight of the residue half: W ≈ (q + lo / LO_DIVISOR)·scale; 254 maps r ∈ [−½, ½] onto [−127, 127]. */
export const LO_DIVISOR = 254;

/** Quantizes a weight whose dimension 0 is the output channel. */
export function quantizeWeight(weight: Tensor, precision: WeightPrecision = 'int8'): QuantizedWeight {
  const outputs = weight.shape[0];
  if (weight.shape.length < 2 || outputs === undefined || outputs < 1) {
    throw new GraphError(`quantizeWeight: expected a weight [O, …] with O ≥ 1, got shape [${weight.shape.join(', ')}]`);
  }
  const w = weight.data;
  const inner = w.length / outputs;
  const q = new Int8Array(w.length);
  const lo = precision === 'int8x2' ? new Int8Array(w.length) : null;
  const scale = new Float32Array(outputs);
  for (let o = 0; o < outputs; o++) {
    const base = o * inner;
    let max = 0;
    for (let i = 0; i < inner; i++) {
      const v = w[base + i];
      if (!Number.isFinite(v)) throw new GraphError(`quantizeWeight: weight [${o}, ${i}] is ${v}`);
      max = Math.max(max, Math.abs(v));
    }
    // Math.fround: the scale is stored (and multiplied) in f32; quantize against that value.
    const s = max === 0 ? 1 : Math.fround(max / INT8_MAX);
    scale[o] = s;
    for (let i = 0; i < inner; i++) {
      const x = w[base + i] / s;
      const hi = clampInt8(Math.round(x));
      q[base + i] = hi;
      if (lo) lo[base + i] = clampInt8(Math.round((x - hi) * LO_DIVISOR));
    }
  }
  return { shape: [...weight.shape], q, lo, scale };
}

/** q·scale (+ lo/254·scale) as an f32 tensor of the original shape. */
export function dequantizeWeight(w: QuantizedWeight): Tensor {
  const outputs = w.shape[0];
  const inner = w.q.length / outputs;
  const out = new Float32Array(w.q.length);
  for (let o = 0; o < outputs; o++) {
    const s = w.scale[o];
    for (let i = o * inner; i < (o + 1) * inner; i++) out[i] = (w.lo ? w.q[i] + w.lo[i] / LO_DIVISOR : w.q[i]) * s;
  }
  return tensor(w.shape, out);
}

export interface DequantizeOptions {
  readonly precision?: WeightPrecision;
  /** Names of the Conv2d/Dense nodes to quantize; default: every Conv2d and Dense. */
  readonly nodes?: readonly string[];
}

/** The graph with the selected Conv2d/Dense weights replaced by their dequantized values (biases stay f32). */
export function dequantizedGraph(graph: Graph, options: DequantizeOptions = {}): Graph {
  const selected = options.nodes ? new Set(options.nodes) : null;
  if (selected) {
    for (const name of selected) {
      const node = graph.nodes.find((n) => n.name === name);
      if (!node) throw new GraphError(`dequantizedGraph: no node named '${name}'`);
      if (node.op !== 'Conv2d' && node.op !== 'Dense')
        throw new GraphError(`dequantizedGraph: '${name}' is a ${node.op}, not a Conv2d or Dense`);
    }
  }
  const nodes = graph.nodes.map((n): Node => {
    if ((n.op !== 'Conv2d' && n.op !== 'Dense') || (selected && !selected.has(n.name))) return n;
    const weight = dequantizeWeight(quantizeWeight(n.weight, options.precision));
    return n.op === 'Conv2d' ? ({ ...n, weight } satisfies Conv2dNode) : ({ ...n, weight } satisfies DenseNode);
  });
  return { ...graph, nodes };
}

function clampInt8(v: number): number {
  return v > INT8_MAX ? INT8_MAX : v < -INT8_MAX ? -INT8_MAX : v;
}
