/**
 * The two sides of calibration's error e_i = mean over images of (θ_i·N_i/T − a_i), summed per unit
 * over the first `limit` images: Σ a_i from the ANN (on the backend), Σ N_i (spike counts over T
 * steps) from the SNN simulated by the dense engine with a probe.
 */
import type { Backend } from '../backend/backend.js';
import type { Dataset } from '../data/dataset.js';
import type { Graph } from '../ir/graph.js';
import { simulate, type Probe } from '../simulate/simulator.js';
import { reshape } from '../tensor/tensor.js';
import { yieldSometimes } from '../host/yield.js';

export interface PassOptions {
  readonly limit: number;
  readonly batchSize: number;
  readonly onProgress?: (done: number) => void;
}

/** Σ over images of every unit of each of `outputs` in the ANN, and the number of images. */
export async function annUnitSums(
  backend: Backend,
  ann: Graph,
  data: Dataset,
  outputs: readonly string[],
  options: PassOptions,
): Promise<{ readonly images: number; readonly sums: ReadonlyMap<string, Float64Array> }> {
  const compiled = await backend.compile(ann, { outputs: [...outputs] });
  const sums = new Map<string, Float64Array>();
  let images = 0;
  try {
    for (const batch of data.batches({ batchSize: options.batchSize, limit: options.limit })) {
      await yieldSometimes(); // lets an interrupt in (a backend may compute on this thread)
      const n = batch.labels.length;
      // A flat-input ANN (a Dense first layer) reads [n, features]: as layer-error.ts feeds it.
      const x = ann.input.shape.length === 2 ? reshape(batch.x, [n, batch.x.data.length / n]) : batch.x;
      const values = await compiled.run(x);
      for (const name of outputs) addPerUnit(sums, name, values.get(name)!.data, n);
      images += n;
      options.onProgress?.(images);
    }
  } finally {
    await compiled.dispose();
  }
  return { images, sums };
}

/** Σ over images and the T steps of the spike count of every unit of each Spike node in `layers`. */
export async function snnUnitCounts(
  backend: Backend,
  snn: Graph,
  data: Dataset,
  layers: readonly string[],
  T: number,
  options: PassOptions,
): Promise<ReadonlyMap<string, Float64Array>> {
  const counts = new Map<string, Float64Array>();
  const wanted = new Set(layers);
  const probe: Probe = {
    onSpikes(layer, spikes, _v, chunk) {
      if (wanted.has(layer))
        addPerUnit(counts, layer, spikes.subarray(0, chunk.steps * chunk.batch * chunk.units), chunk.steps * chunk.batch);
    },
  };
  await simulate(backend, snn, data, {
    T,
    limit: options.limit,
    batchSize: options.batchSize,
    probes: [probe],
    engine: 'dense',
    onProgress: options.onProgress ? (done) => options.onProgress!(done) : undefined,
  });
  return counts;
}

/** sums[name][i] += Σ_r values[r·units + i] over `rows` rows. */
function addPerUnit(sums: Map<string, Float64Array>, name: string, values: Float32Array, rows: number): void {
  const units = values.length / rows;
  let sum = sums.get(name);
  if (!sum) sums.set(name, (sum = new Float64Array(units)));
  for (let r = 0; r < rows; r++) {
    const base = r * units;
    for (let i = 0; i < units; i++) sum[i] += values[base + i];
  }
}
