// Spike lists: entries of a list for the synapses that read it (plain or sum-pooled), and the spike
// list of a Bernoulli (Poisson) input step. Lists are CSR per pixel (see event-kernels.ts).

/** Entries of a spike list for synapses with `cin` input channels and rows of `rowBytes`: e = (x·cin + c)·rowBytes. */
export function entryLists(inIdx: usize, inOff: usize, inH: i32, inW: i32, cin: i32, rowBytes: i32, entries: usize): void {
  for (let p: i32 = 0; p < inH * inW; p++) {
    const column = (p % inW) * cin;
    const end = load<i32>(inOff + (<usize>(p + 1) << 2));
    for (let k = load<i32>(inOff + (<usize>p << 2)); k < end; k++) {
      const at = <usize>k << 2;
      store<i32>(entries + at, (column + load<i32>(inIdx + at)) * rowBytes);
    }
  }
}

/**
 * Sum pooling of spike lists over py × px windows (kernel = stride), written as entries of the
 * pooled grid: the list of a pooled pixel is its window's lists concatenated, so a channel that
 * fired k times in the window appears k times, and gathering W/(py·px) once per entry is exactly
 * average pooling followed by the layer.
 */
export function poolLists(
  inIdx: usize,
  inOff: usize,
  inW: i32,
  py: i32,
  px: i32,
  outH: i32,
  outW: i32,
  cin: i32,
  rowBytes: i32,
  entries: usize,
  outOff: usize,
): void {
  let count: i32 = 0;
  store<i32>(outOff, 0);
  for (let oy: i32 = 0; oy < outH; oy++) {
    for (let ox: i32 = 0; ox < outW; ox++) {
      const column = ox * cin;
      for (let dy: i32 = 0; dy < py; dy++) {
        const rowStart = <usize>((oy * py + dy) * inW + ox * px) << 2;
        const end = load<i32>(inOff + rowStart + (<usize>px << 2));
        for (let k = load<i32>(inOff + rowStart); k < end; k++) {
          store<i32>(entries + (<usize>count << 2), (column + load<i32>(inIdx + (<usize>k << 2))) * rowBytes);
          count++;
        }
      }
      store<i32>(outOff + (<usize>(oy * outW + ox + 1) << 2), count);
    }
  }
}

/**
 * One step of a Bernoulli (Poisson) input: unit (pixel p, channel c) of image x (channels-last,
 * values in [0, 1]) spikes when u_n < x, u_n the n-th float of mulberry32(seed) with
 * n = base + c·pixels + p (its graph-order index in the encoder's stream; see simulate/encoders.ts).
 */
export function bernoulliStep(x: usize, pixels: i32, channels: i32, cp: i32, seed: u32, base: u32, outIdx: usize, outOff: usize): i32 {
  let count: i32 = 0;
  store<i32>(outOff, 0);
  for (let p: i32 = 0; p < pixels; p++) {
    for (let c: i32 = 0; c < channels; c++) {
      const n = base + <u32>(c * pixels + p);
      let t: u32 = seed + (n + 1) * 0x6d2b79f5;
      t = (t ^ (t >>> 15)) * (t | 1);
      t ^= t + (t ^ (t >>> 7)) * (t | 61);
      t ^= t >>> 14;
      if (<f64>t / 4294967296.0 < <f64>load<f32>(x + (<usize>(p * cp + c) << 2))) {
        store<i32>(outIdx + (<usize>count << 2), c);
        count++;
      }
    }
    store<i32>(outOff + (<usize>(p + 1) << 2), count);
  }
  return count;
}
