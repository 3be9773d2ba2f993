/**
 * Per-image traces of an SNN — the prediction after every step and every layer's spike count — from
 * our dense simulator (through probes) and from exported ONNX files run by a bare onnxruntime-node
 * InferenceSession (no project backend), and their comparison.
 */
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import { createOrtBackend } from '../../../src/backend/ort/ort-backend.js';
import type { Dataset } from '../../../src/data/dataset.js';
import type { Graph } from '../../../src/ir/graph.js';
import { simulate } from '../../../src/simulate/simulator.js';

export interface Trace {
  readonly images: number;
  readonly T: number;
  /** predictions[t · images + i]: argmax of image i's accumulated readout after t + 1 steps. */
  readonly predictions: Int32Array;
  /** Spikes per image over all steps, per layer (Spike node name). */
  readonly spikes: ReadonlyMap<string, Float64Array>;
}

export async function simulatorTrace(graph: Graph, data: Dataset, T: number, images: number): Promise<Trace> {
  const predictions = new Int32Array(T * images);
  const spikes = new Map<string, Float64Array>();
  let cumulative: Float64Array | null = null;
  const result = await simulate(createOrtBackend({ threads: 2 }), graph, data, {
    T,
    limit: images,
    engine: 'dense',
    unitCounts: true,
    probes: [
      {
        onSpikes(layer, s, _v, chunk) {
          const counts = spikes.get(layer) ?? new Float64Array(images);
          spikes.set(layer, counts);
          for (let t = 0; t < chunk.steps; t++)
            for (let b = 0; b < chunk.batch; b++) {
              let sum = 0;
              const base = (t * chunk.batch + b) * chunk.units;
              for (let j = 0; j < chunk.units; j++) sum += s[base + j];
              counts[chunk.firstImage + b] += sum;
            }
        },
        onReadout(current, isStatic, chunk) {
          const classes = chunk.units;
          cumulative ??= new Float64Array(images * classes);
          for (let t = 0; t < chunk.steps; t++)
            for (let b = 0; b < chunk.batch; b++) {
              const i = chunk.firstImage + b;
              const from = ((isStatic ? 0 : t * chunk.batch) + b) * classes;
              predictions[(chunk.t0 + t) * images + i] = accumulateArgmax(cumulative, i * classes, current, from, classes);
            }
        },
      },
    ],
  });
  for (const layer of result.layers) {
    const total = spikes.get(layer.node)!.reduce((a, b) => a + b, 0);
    assert.equal(total, layer.spikes, `probe and simulator count the same spikes in ${layer.node}`);
  }
  return { images, T, predictions, spikes };
}

/** acc += x (f64), then the first index of the largest value, like the simulator's readout. */
function accumulateArgmax(acc: Float64Array, at: number, x: ArrayLike<number>, from: number, classes: number): number {
  let best = 0;
  for (let k = 0; k < classes; k++) {
    acc[at + k] += x[from + k];
    if (acc[at + k] > acc[at + best]) best = k;
  }
  return best;
}

/** Runs an `onnx-step` file in a client loop: zero states, t = 0 … T − 1, each `<state>_next` fed back. */
export async function stepTrace(bytes: Uint8Array, data: Dataset, T: number, images: number, batchSize = 100): Promise<Trace> {
  const session = await ort.InferenceSession.create(bytes);
  const states = session.inputMetadata.slice(2);
  const layers = session.outputNames.filter((n) => n.endsWith('_spikes')).map((n) => n.slice(0, -'_spikes'.length));
  const predictions = new Int32Array(T * images);
  const spikes = new Map(layers.map((l) => [l, new Float64Array(images)]));
  for (const batch of data.batches({ batchSize, limit: images })) {
    const n = batch.labels.length;
    const feeds: Record<string, ort.Tensor> = { input: new ort.Tensor('float32', batch.x.data, [...batch.x.shape]) };
    for (const s of states) {
      assert.ok(s.isTensor);
      const shape = s.shape.map((d) => (typeof d === 'number' ? d : n));
      const size = shape.reduce((a, b) => a * b, 1);
      feeds[s.name] = new ort.Tensor(s.type, s.type === 'float64' ? new Float64Array(size) : new Float32Array(size), shape);
    }
    for (let t = 0; t < T; t++) {
      feeds.t = new ort.Tensor('int64', BigInt64Array.of(BigInt(t)), []);
      const out = await session.run(feeds);
      for (const s of states) feeds[s.name] = out[`${s.name}_next`];
      const readout = out.readout_next.data as Float64Array;
      const classes = readout.length / n;
      for (let b = 0; b < n; b++) predictions[t * images + batch.start + b] = argmax(readout, b * classes, classes);
      for (const l of layers) {
        const counts = out[`${l}_spikes`].data as BigInt64Array;
        for (let b = 0; b < n; b++) spikes.get(l)![batch.start + b] += Number(counts[b]);
      }
    }
  }
  await session.release();
  return { images, T, predictions, spikes };
}

/** Runs an `onnx` (full-T Loop) file once per batch. */
export async function loopTrace(bytes: Uint8Array, data: Dataset, T: number, images: number, batchSize = 100): Promise<Trace> {
  const session = await ort.InferenceSession.create(bytes);
  const layers = session.outputNames.filter((n) => n.endsWith('_spikes')).map((n) => n.slice(0, -'_spikes'.length));
  const predictions = new Int32Array(T * images);
  const spikes = new Map(layers.map((l) => [l, new Float64Array(images)]));
  for (const batch of data.batches({ batchSize, limit: images })) {
    const n = batch.labels.length;
    const out = await session.run({ input: new ort.Tensor('float32', batch.x.data, [...batch.x.shape]) });
    const steps = out.predictions.data as BigInt64Array;
    assert.deepEqual(out.predictions.dims, [T, n]);
    const readout = out[session.outputNames[0]].data as Float64Array;
    const classes = readout.length / n;
    for (let b = 0; b < n; b++) assert.equal(Number(steps[(T - 1) * n + b]), argmax(readout, b * classes, classes));
    for (let t = 0; t < T; t++) for (let b = 0; b < n; b++) predictions[t * images + batch.start + b] = Number(steps[t * n + b]);
    for (const l of layers) {
      const counts = out[`${l}_spikes`].data as BigInt64Array;
      for (let b = 0; b < n; b++) spikes.get(l)![batch.start + b] += Number(counts[b]);
    }
  }
  await session.release();
  return { images, T, predictions, spikes };
}

function argmax(x: ArrayLike<number>, from: number, length: number): number {
  let best = 0;
  for (let k = 1; k < length; k++) if (x[from + k] > x[from + best]) best = k;
  return best;
}

export interface Agreement {
  /** Images whose prediction agrees at every t. */
  readonly agreeing: number;
  /** Largest relative difference of a layer's total spike count. */
  readonly worstSpikeDifference: number;
  /** Images whose spike count differs in some layer. */
  readonly imagesWithOtherSpikes: number;
}

export function compareTraces(ours: Trace, theirs: Trace): Agreement {
  assert.equal(theirs.images, ours.images);
  assert.deepEqual([...theirs.spikes.keys()].sort(), [...ours.spikes.keys()].sort());
  let agreeing = 0;
  for (let i = 0; i < ours.images; i++) {
    let same = true;
    for (let t = 0; t < ours.T && same; t++) same = ours.predictions[t * ours.images + i] === theirs.predictions[t * ours.images + i];
    if (same) agreeing++;
  }
  let worstSpikeDifference = 0;
  const differing = new Set<number>();
  for (const [layer, counts] of ours.spikes) {
    const other = theirs.spikes.get(layer)!;
    let a = 0;
    let b = 0;
    for (let i = 0; i < counts.length; i++) {
      a += counts[i];
      b += other[i];
      if (counts[i] !== other[i]) differing.add(i);
    }
    worstSpikeDifference = Math.max(worstSpikeDifference, Math.abs(a - b) / Math.max(1, a));
  }
  return { agreeing, worstSpikeDifference, imagesWithOtherSpikes: differing.size };
}

/** The bar: predictions at every t agree on ≥ 99.9 % of images; spike totals differ only by float summation order. */
export function assertAgrees(ours: Trace, theirs: Trace, label: string): Agreement {
  const a = compareTraces(ours, theirs);
  for (const [layer, counts] of ours.spikes)
    assert.ok(
      counts.some((c) => c > 0),
      `${label}: layer ${layer} spikes`,
    );
  console.log(
    `# ${label}: ${a.agreeing}/${ours.images} images agree at every t of ${ours.T}; ${a.imagesWithOtherSpikes} images with other spike counts; worst layer total ${(a.worstSpikeDifference * 100).toFixed(4)} %`,
  );
  assert.ok(a.agreeing >= Math.ceil(0.999 * ours.images), `${label}: ${a.agreeing}/${ours.images} images agree at every t`);
  assert.ok(a.worstSpikeDifference <= 1e-4, `${label}: spike totals differ by ${a.worstSpikeDifference}`);
  return a;
}
