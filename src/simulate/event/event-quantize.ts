/**
 * int8 synapses for the event kernels: W' quantized per output channel,
 *   scale[c] = max_r |W'[r, c]| / 127,   Wq[r, c] = round(W'[r, c] / scale[c]) ∈ [−127, 127]
 * so I[c] = b[c] + scale[c]·Σ Wq[r, c] over the rows r the spikes select (the bias stays f32).
 */
import type { EventSynapses } from './event-net.js';

export interface QuantizedSynapses {
  /** Wq, same layout as W' ([kh][kw][cin][coutPad]), one byte each. */
  readonly weights: Int8Array;
  /** scale per padded output channel (1 where a channel's weights are all zero). */
  readonly scale: Float32Array;
}

export function quantizeSynapses(s: EventSynapses): QuantizedSynapses {
  const channels = s.output.paddedChannels;
  const scale = new Float32Array(channels);
  for (let i = 0; i < s.weights.length; i++) {
    const c = i % channels;
    scale[c] = Math.max(scale[c], Math.abs(s.weights[i]));
  }
  for (let c = 0; c < channels; c++) scale[c] = scale[c] > 0 ? scale[c] / 127 : 1;
  const weights = new Int8Array(s.weights.length);
  for (let i = 0; i < s.weights.length; i++) weights[i] = Math.round(s.weights[i] / scale[i % channels]);
  return { weights, scale };
}
