/**
 * Activation statistics in one streaming pass: for every activation site l (and the readout), max a_l, the
 * per-channel max, and a histogram for percentiles. Memory is independent of the data set size.
 */
import type { Backend } from '../backend/backend.js';
import type { Dataset } from '../data/dataset.js';
import { GraphError, type Graph } from '../ir/graph.js';
import { calibrationSites } from './activation-sites.js';
import { addPositive, createHistogram, percentile, type Histogram } from './histogram.js';
import { checkInputShape, modelInput } from './input-shape.js';

export interface LayerStats {
  /** Name of the activation node (Relu/Clip). */
  readonly node: string;
  readonly max: number;
  /** Max per channel (axis 1). */
  readonly channelMax: Float32Array;
  readonly histogram: Histogram;
  /** Number of activation values seen (zeros included). */
  readonly count: number;
}

export interface ActivationStats {
  readonly images: number;
  readonly layers: ReadonlyMap<string, LayerStats>;
}

export interface CalibrateOptions {
  readonly batchSize?: number;
  readonly limit?: number;
  readonly onProgress?: (done: number, total: number) => void;
}

export async function calibrate(backend: Backend, graph: Graph, data: Dataset, options: CalibrateOptions = {}): Promise<ActivationStats> {
  checkInputShape(graph, data);
  const sites = calibrationSites(graph);
  const compiled = await backend.compile(graph, { outputs: sites.map((n) => n.output) });
  const accumulators = new Map<string, { histogram: Histogram; channelMax: Float32Array | null; count: number }>();
  for (const n of sites) accumulators.set(n.output, { histogram: createHistogram(), channelMax: null, count: 0 });
  const total = Math.min(options.limit ?? data.size, data.size);
  let images = 0;
  try {
    for (const batch of data.batches({ batchSize: options.batchSize ?? 100, limit: total })) {
      const outputs = await compiled.run(modelInput(graph, batch.x));
      for (const [name, acc] of accumulators) {
        const t = outputs.get(name)!;
        refuseInfinite(sites.find((n) => n.output === name)!.name, t.data, images);
        addPositive(acc.histogram, t.data);
        acc.channelMax = channelMaxima(t.shape, t.data, acc.channelMax);
        acc.count += t.data.length;
      }
      images += batch.labels.length;
      options.onProgress?.(images, total);
    }
  } finally {
    await compiled.dispose();
  }
  const layers = new Map<string, LayerStats>();
  for (const n of sites) {
    const acc = accumulators.get(n.output)!;
    layers.set(n.name, {
      node: n.name,
      max: acc.histogram.max,
      channelMax: acc.channelMax ?? new Float32Array(0),
      histogram: acc.histogram,
      count: acc.count,
    });
  }
  return { images, layers };
}

/** An activation of +∞ has no threshold (and would grow the histogram's range for ever). */
function refuseInfinite(node: string, data: Float32Array, firstImage: number): void {
  for (let i = 0; i < data.length; i++) {
    if (data[i] === Infinity) {
      throw new GraphError(`activation is +Infinity on calibration image ${firstImage + 1} or later: the network overflows float32`, node);
    }
  }
}

function channelMaxima(shape: readonly number[], data: Float32Array, previous: Float32Array | null): Float32Array {
  const channels = shape[1];
  const inner = shape.slice(2).reduce((a, b) => a * b, 1);
  const out = previous ?? new Float32Array(channels);
  for (let n = 0; n < shape[0]; n++) {
    for (let c = 0; c < channels; c++) {
      const base = (n * channels + c) * inner;
      let m = out[c];
      for (let i = 0; i < inner; i++) if (data[base + i] > m) m = data[base + i];
      out[c] = m;
    }
  }
  return out;
}

/** θ candidates from the statistics of one layer. */
export function layerPercentile(stats: LayerStats, p: number): number {
  return percentile(stats.histogram, p);
}
