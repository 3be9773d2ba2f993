/**
 * The dense engine's SpikeMaxPool (ir/graph.ts) on spike counts, a chunk of steps at a time. Per image
 * b, channel c, window w (kernel = stride) and step t:
 *   A_j ← A_j + s_j(t)   (j ∈ w);   o_w(t) = max_{j∈w} A_j;   A_j ← A_j − o_w(t)
 * θ stays folded (the max commutes with a positive per-channel scale), so o is a count like s.
 * After each step A_j = C_j(t) − max_{k∈w} C_k(t) ∈ [−γt, 0] (C: cumulative counts): integers, exact in f32.
 */
export interface PoolGeometry {
  /** Input [C, H, W]. */
  readonly input: readonly number[];
  readonly kernel: readonly [number, number];
}

/**
 * `counts` [steps × batch × C·H·W] (time-major), `accumulators` [batch × C·H·W] carried from chunk to
 * chunk, `out` [steps × batch × C·OH·OW]. Returns the spikes emitted.
 */
export function stepSpikeMaxPool(
  geometry: PoolGeometry,
  counts: Float32Array,
  accumulators: Float32Array,
  out: Float32Array,
  steps: number,
  batch: number,
): number {
  const [C, H, W] = geometry.input;
  const [kh, kw] = geometry.kernel;
  const [OH, OW] = [Math.floor(H / kh), Math.floor(W / kw)];
  const inUnits = C * H * W;
  const outUnits = C * OH * OW;
  let spikes = 0;
  for (let t = 0; t < steps; t++) {
    for (let b = 0; b < batch; b++) {
      const a = accumulators.subarray(b * inUnits, (b + 1) * inUnits);
      const s = counts.subarray((t * batch + b) * inUnits, (t * batch + b + 1) * inUnits);
      for (let j = 0; j < inUnits; j++) a[j] += s[j];
      const o = (t * batch + b) * outUnits;
      for (let c = 0; c < C; c++) {
        for (let oy = 0; oy < OH; oy++) {
          for (let ox = 0; ox < OW; ox++) {
            const first = (c * H + oy * kh) * W + ox * kw;
            let max = a[first];
            for (let dy = 0; dy < kh; dy++) for (let dx = 0; dx < kw; dx++) max = Math.max(max, a[first + dy * W + dx]);
            if (max !== 0) for (let dy = 0; dy < kh; dy++) for (let dx = 0; dx < kw; dx++) a[first + dy * W + dx] -= max;
            out[o + (c * OH + oy) * OW + ox] = max;
            spikes += max;
          }
        }
      }
    }
  }
  return spikes;
}
