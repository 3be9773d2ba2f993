/**
 * Symmetric per-output-channel int8 weight quantization, the one home of it (pure; the ORT backend's
 * int8 segments and the int8 event kernels use it):
 *
 *   scale_o = max_i |W[o, i]| / 127          (1 for an all-zero channel)
 *   q[o, i] = round(W[o, i] / scale_o)        ∈ [−127, 127]       |W − q·scale| ≤ scale/2
 *
 * 'int8x2' adds a second int8 half for the rounding residue r = W/scale − q ∈ [−½, ½]:
 * lo = round(r·254) ∈ [−127, 127] and W ≈ (q + lo/254)·scale, |W − (q + lo/254)·scale| ≤ scale/508
 * (about 16-bit precision at two int8 products).
 */
import { GraphError } from '../ir/graph.js';
import { tensor, type Tensor } from '../tensor/tensor.js';

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
  const inner = weight.data.length / outputs;
  return { shape: [...weight.shape], ...quantizeChannels(weight.data, outputs, (i) => Math.floor(i / inner), precision) };
}

/**
 * The same quantization of weights laid out channel last ([…, C]: element i is channel i mod C),
 * as the event kernels store them (W′ as [kh][kw][cin][C]).
 */
export function quantizeChannelsLast(values: Float32Array, channels: number): { readonly q: Int8Array; readonly scale: Float32Array } {
  const { q, scale } = quantizeChannels(values, channels, (i) => i % channels, 'int8');
  return { q, scale };
}

/** scale_c = fround(max |v| / 127) over channel c (1 when all zero), q = round(v / scale_c), and the residue half for int8x2. */
function quantizeChannels(
  values: Float32Array,
  channels: number,
  channelOf: (i: number) => number,
  precision: WeightPrecision,
): Omit<QuantizedWeight, 'shape'> {
  const max = new Float64Array(channels);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) throw new GraphError(`quantizeWeight: weight element ${i} (channel ${channelOf(i)}) is ${v}`);
    const c = channelOf(i);
    max[c] = Math.max(max[c], Math.abs(v));
  }
  // Math.fround: the scale is stored (and multiplied) in f32; quantize against that value.
  const scale = Float32Array.from(max, (m) => (m === 0 ? 1 : Math.fround(m / INT8_MAX)));
  const q = new Int8Array(values.length);
  const lo = precision === 'int8x2' ? new Int8Array(values.length) : null;
  for (let i = 0; i < values.length; i++) {
    const x = values[i] / scale[channelOf(i)];
    const hi = clampInt8(Math.round(x));
    q[i] = hi;
    if (lo) lo[i] = clampInt8(Math.round((x - hi) * LO_DIVISOR));
  }
  return { q, lo, scale };
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

function clampInt8(v: number): number {
  return v > INT8_MAX ? INT8_MAX : v < -INT8_MAX ? -INT8_MAX : v;
}
