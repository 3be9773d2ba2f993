/**
 * A streaming histogram of positive values for percentiles, with memory independent of the count:
 * `bins` equal bins over [0, range); when a value ≥ range arrives the range doubles and neighbouring
 * bins merge in pairs. Percentile error ≤ one bin width = range / bins (plus exact max tracking).
 */
export interface Histogram {
  readonly bins: Float64Array;
  range: number;
  count: number;
  max: number;
}

export function createHistogram(binCount = 4096, initialRange = 1): Histogram {
  return { bins: new Float64Array(binCount), range: initialRange, count: 0, max: 0 };
}

function doubleRange(h: Histogram): void {
  const n = h.bins.length;
  for (let i = 0; i < n / 2; i++) h.bins[i] = h.bins[2 * i] + h.bins[2 * i + 1];
  h.bins.fill(0, n / 2);
  h.range *= 2;
}

/** Adds every strictly positive value of `values` (zeros from a ReLU carry no scale information). */
export function addPositive(h: Histogram, values: Float32Array): void {
  let batchMax = 0;
  for (let i = 0; i < values.length; i++) if (values[i] > batchMax) batchMax = values[i];
  if (batchMax > h.max) h.max = batchMax;
  while (batchMax >= h.range) doubleRange(h);
  const scale = h.bins.length / h.range;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v > 0) {
      h.bins[Math.floor(v * scale)] += 1;
      h.count++;
    }
  }
}

/** The p-th percentile (0 < p ≤ 100) of the positive values, interpolated within its bin; 0 when empty. */
export function percentile(h: Histogram, p: number): number {
  if (h.count === 0) return 0;
  if (p >= 100) return h.max;
  const target = (p / 100) * h.count;
  const width = h.range / h.bins.length;
  let cumulative = 0;
  for (let i = 0; i < h.bins.length; i++) {
    const next = cumulative + h.bins[i];
    if (next >= target && h.bins[i] > 0) {
      const within = (target - cumulative) / h.bins[i];
      return Math.min(h.max, (i + within) * width);
    }
    cumulative = next;
  }
  return h.max;
}
