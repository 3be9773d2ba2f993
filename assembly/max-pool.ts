// Exact max pooling of spike lists (lateral inhibition, kernel = stride; ir/graph.ts SpikeMaxPool):
// per window w of a channel and per step, A_j += s_j for every input unit j of w; o = max_j A_j;
// A_j −= o; the channel is listed o times at the pooled pixel. A holds counts (i32, channels-last
// [pixel × channels]); after a step every A_j = C_j − max_k C_k ≤ 0 (C: cumulative counts), so o ≥ 0.

/**
 * One step: the input's spike lists (CSR over an inH × inW grid) into the accumulators, then the
 * outH × outW windows of ky × kx fire into the output lists. Pixels past the last whole window are
 * accumulated but never read (MaxPool drops them). Returns the spikes emitted.
 */
export function maxPoolStep(
  inIdx: usize,
  inOff: usize,
  inH: i32,
  inW: i32,
  ky: i32,
  kx: i32,
  outH: i32,
  outW: i32,
  channels: i32,
  acc: usize,
  outIdx: usize,
  outOff: usize,
): i32 {
  for (let p: i32 = 0; p < inH * inW; p++) {
    const row = acc + (<usize>(p * channels) << 2);
    const end = load<i32>(inOff + (<usize>(p + 1) << 2));
    for (let k = load<i32>(inOff + (<usize>p << 2)); k < end; k++) {
      const at = row + (<usize>load<i32>(inIdx + (<usize>k << 2)) << 2);
      store<i32>(at, load<i32>(at) + 1);
    }
  }
  let count: i32 = 0;
  store<i32>(outOff, 0);
  for (let oy: i32 = 0; oy < outH; oy++) {
    for (let ox: i32 = 0; ox < outW; ox++) {
      const corner = (oy * ky * inW + ox * kx) * channels;
      for (let c: i32 = 0; c < channels; c++) {
        let max: i32 = load<i32>(acc + (<usize>(corner + c) << 2));
        for (let dy: i32 = 0; dy < ky; dy++) {
          for (let dx: i32 = 0; dx < kx; dx++) {
            const a = load<i32>(acc + (<usize>(corner + (dy * inW + dx) * channels + c) << 2));
            if (a > max) max = a;
          }
        }
        if (max == 0) continue;
        for (let dy: i32 = 0; dy < ky; dy++) {
          for (let dx: i32 = 0; dx < kx; dx++) {
            const at = acc + (<usize>(corner + (dy * inW + dx) * channels + c) << 2);
            store<i32>(at, load<i32>(at) - max);
          }
        }
        for (let n: i32 = 0; n < max; n++) {
          store<i32>(outIdx + (<usize>count << 2), c);
          count++;
        }
      }
      store<i32>(outOff + (<usize>(oy * outW + ox + 1) << 2), count);
    }
  }
  return count;
}
