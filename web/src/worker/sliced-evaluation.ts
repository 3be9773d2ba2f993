/**
 * `evaluateSnn` of the demo, a slice of test images at a time, so the page can draw accuracy
 * against t while the simulation runs. Every slice is a run of `simulate` on batches the whole run
 * would make (dataset-slice.ts); the sums of the slices' counts are the whole run's counts, so the
 * final accuracies, spikes and costs equal those of one `evaluateSnn` call (what `npm start` prints).
 */
import {
  DataError,
  simulate,
  snnCost,
  summarizeSteps,
  type AnnEvaluation,
  type Backend,
  type Dataset,
  type SimulationResult,
  type SnnEvaluation,
  type SnnModel,
} from '../../../src/core.js';
import { datasetSlice } from './dataset-slice.js';

/** The engines' default batch size: slices start on its grid. */
const BATCH = 50;
/** About this many slices: each starts the event engine's workers again, so few, but enough for a live chart. */
const SLICES = 5;

/** Images per slice for a data set of `size`: whole batches, about size / SLICES. */
export function sliceImages(size: number): number {
  return Math.max(1, Math.ceil(size / SLICES / BATCH)) * BATCH;
}

export interface SlicedOptions {
  readonly T: number;
  /** After each slice: correct images at t = 1 … T over the first `images` images. */
  readonly onSlice?: (correctAt: Int32Array, images: number, total: number) => void;
  readonly onProgress?: (done: number, total: number) => void;
}

export async function evaluateSnnSliced(
  backend: Backend,
  model: SnnModel,
  data: Dataset,
  ann: Omit<AnnEvaluation, 'predictions'>,
  options: SlicedOptions,
): Promise<SnnEvaluation> {
  if (data.size === 0) throw new DataError(`data set '${data.name}' holds no images`);
  const parts: SimulationResult[] = [];
  const correctAt = new Int32Array(options.T);
  let images = 0;
  const step = sliceImages(data.size);
  for (let from = 0; from < data.size; from += step) {
    const part = await simulate(backend, model.graph, datasetSlice(data, from, from + step), {
      T: options.T,
      onProgress: (done) => options.onProgress?.(from + done, data.size),
    });
    parts.push(part);
    part.correctAt.forEach((c, t) => (correctAt[t] += c));
    images += part.images;
    options.onSlice?.(correctAt, images, data.size);
  }
  const snn = mergeResults(parts, options.T);
  const cost = snnCost(model.graph, model.ann, snn);
  const index = snn.accuracyAt.findIndex((a) => a >= ann.accuracy - 0.01);
  return { ann, snn, cost, latency: index < 0 ? null : index + 1 };
}

/** One SimulationResult from the results of consecutive slices, derived as the simulator derives its own. */
function mergeResults(parts: readonly SimulationResult[], T: number): SimulationResult {
  const first = parts[0];
  const images = parts.reduce((s, p) => s + p.images, 0);
  const correctAt = new Int32Array(T);
  const histogram = new Int32Array(T + 1);
  for (const p of parts) {
    p.correctAt.forEach((c, t) => (correctAt[t] += c));
    p.exit.histogram.forEach((n, s) => (histogram[s] += n));
  }
  const exit = summarizeSteps(histogram, T, 'none', null);
  return {
    T,
    images,
    encoder: first.encoder,
    inputEvents: first.inputEvents === null ? null : parts.reduce((s, p) => s + (p.inputEvents ?? 0), 0),
    correctAt,
    accuracyAt: Float64Array.from(correctAt, (c) => (images === 0 ? 0 : c / images)),
    layers: first.layers.map((l, k) => {
      const spikes = parts.reduce((s, p) => s + p.layers[k].spikes, 0);
      return { node: l.node, units: l.units, spikes, rate: exit.steps === 0 ? 0 : spikes / (l.units * exit.steps), unitCounts: null };
    }),
    seconds: parts.reduce((s, p) => s + p.seconds, 0),
    engine: first.engine,
    engineNote: first.engineNote,
    exit,
    trace: null,
  };
}
