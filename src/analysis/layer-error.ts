/**
 * Layer-wise conversion error (docs/method.md §2–3). For every spiking layer l, every unit and image of
 * a sample, with a = the ANN activation, z = the ANN pre-activation, θ = the neuron's threshold and
 * r = θ·N/T the SNN's rate-coded output after T steps:
 *
 *   total     = |a − r|
 *   clipping  = |a − c|            c = clip(a, 0, γθ)            (γ = most spikes per step; 1 for IF)
 *   flooring  = |c − q_T(z)|       q_T(z) = the neuron kind's ideal quantizer (idealOutput); for IF
 *                                   the clip-floor (θ/T)·clip(⌊(v0 + T·(z + δ))/θ⌋, 0, γT)
 *   rest      = total − clipping − flooring    (unevenness and reset error; may be < 0 where they cancel)
 *
 * q_T is the ideal quantizer of the layer's shift mode: v0 = δ = 0 (none, a floor), δ = θ/(2·T_shift)
 * (bias), v0 = θ/2 (v0, a rounding). Each part is averaged over units and images.
 *
 * An exact spiking max pool (SpikeMaxPool) is measured like a layer, with every quantity the max over
 * its window of its input layer's: a = the ANN's MaxPool output, z = max_j z_j (q_T and clip are
 * monotone, so q_T(max z) = max q_T(z_j)), N = max_j N_j for the local SNN (the pool is exact), and
 * its own spike counts in the full SNN; its error is what it inherits from its input layer.
 *
 * Two SNN outputs r are compared: *local*, the layer alone driven by the ANN's exact input (a
 * constant current z + δ, so one neuron per unit, stepped here with its kind's step), and
 * *accumulated*, the layer inside the full SNN (a probe counts spikes per image and unit). Both come
 * from one run of max(T) steps: a causal system's first T steps are the same in a longer run.
 */
import type { Backend, SpikePrecision } from '../backend/backend.js';
import type { ResetMode, ShiftMode, SnnModel } from '../model/snn-model.js';
import type { Batch, Dataset } from '../data/dataset.js';
import type { Graph, Node, SpikeNode } from '../ir/graph.js';
import { sampleShapes } from '../ir/shapes.js';
import { isActivation } from '../ir/op-traits.js';
import { neuronKind, type NeuronKind } from '../neurons/index.js';
import { maxPool } from '../backend/reference/ops/max-pool.js';
import { perUnit } from '../simulate/per-unit.js';
import { simulate, type ChunkInfo, type Probe } from '../simulate/simulator.js';
import type { Encoder } from '../simulate/encoders.js';
import { reshape, sizeOf } from '../tensor/tensor.js';
import { SimulationError } from '../simulate/simulation-error.js';

export interface LayerErrorOptions {
  /** The numbers of steps to measure at (each ≥ 1). */
  readonly T: readonly number[];
  /** Images of the sample (the first of the data set); default 100. */
  readonly limit?: number;
  readonly batchSize?: number;
  readonly chunk?: number;
  readonly encoder?: Encoder;
  /** Arithmetic of the spike-fed layers (SimulateOptions.precision); default f32. */
  readonly precision?: SpikePrecision;
  readonly onProgress?: (done: number, total: number) => void;
}

/** Mean absolute errors over units × images. */
export interface ErrorParts {
  readonly total: number;
  readonly clipping: number;
  readonly flooring: number;
  /** total − clipping − flooring. */
  readonly rest: number;
  /** total / mean a; null when the layer is silent in the ANN. */
  readonly relative: number | null;
  /** mean |q_T(z) − r|: how far the SNN is from the ideal quantizer. */
  readonly deviation: number;
  /** mean (r − a): the bias of the SNN output (flooring alone gives about −θ/(2T)). */
  readonly signed: number;
}

export interface LayerErrorAtT {
  readonly T: number;
  readonly local: ErrorParts;
  readonly accumulated: ErrorParts;
  /** The flooring part under each quantizer: floor (none), bias shift (T_shift), round (v0 = θ/2). */
  readonly flooringByShift: { readonly none: number; readonly bias: number; readonly v0: number };
}

export interface LayerError {
  readonly node: string;
  readonly units: number;
  readonly thetaMin: number;
  readonly thetaMax: number;
  /** Mean ANN activation a over units and images. */
  readonly meanActivation: number;
  /** Fraction of unit·images with a > γθ (where clipping error lives). */
  readonly clippedFraction: number;
  readonly atT: readonly LayerErrorAtT[];
}

export interface LayerErrorAnalysis {
  readonly images: number;
  readonly T: readonly number[];
  readonly shift: ShiftMode;
  readonly tShift: number;
  readonly reset: ResetMode;
  readonly layers: readonly LayerError[];
  /** Spiking layers (and max pools) without an ANN activation (MaxPool) of the same name (a spiking readout). */
  readonly skipped: readonly { readonly node: string; readonly reason: string }[];
}

interface Site {
  /** The node measured: a Spike, or a SpikeMaxPool (then `spike` is its layer's Spike node). */
  readonly name: string;
  readonly spike: SpikeNode;
  readonly neuron: NeuronKind;
  /** ANN values: pre-activation (unused for a pool: pooled from its source) and activation. */
  readonly z: string;
  readonly a: string;
  /** A SpikeMaxPool: the site it pools, its kernel and its input's sample shape. */
  readonly pool: { readonly source: Site; readonly kernel: readonly [number, number]; readonly input: readonly number[] } | null;
  readonly units: number;
  readonly theta: Float32Array;
  readonly v0: Float32Array;
  readonly delta: Float32Array;
  readonly gamma: number;
  readonly sums: Sums[];
}

/** Running sums for one layer and one T. */
class Sums {
  count = 0;
  activation = 0;
  clipped = 0;
  clipping = 0;
  flooring = 0;
  floorNone = 0;
  floorBias = 0;
  floorV0 = 0;
  readonly local = { total: 0, deviation: 0, signed: 0 };
  readonly accumulated = { total: 0, deviation: 0, signed: 0 };
}

export async function layerErrors(
  backend: Backend,
  model: SnnModel,
  data: Dataset,
  options: LayerErrorOptions,
): Promise<LayerErrorAnalysis> {
  const Ts = [...new Set(options.T)].sort((x, y) => x - y);
  if (Ts.length === 0 || Ts.some((t) => !Number.isInteger(t) || t < 1))
    throw new SimulationError(`layer error: T must be positive integers, got [${options.T.join(', ')}]`);
  const Tmax = Ts[Ts.length - 1];
  const { tShift, shift, reset } = model.conversion.options;
  const { sites, skipped } = findSites(model, Ts.length);
  const total = Math.min(options.limit ?? 100, data.size);
  const batchSize = options.batchSize ?? 50;
  const annOutputs = [...new Set(sites.flatMap((s) => (s.pool ? [s.a] : [s.z, s.a])))];
  const ann = sites.length > 0 ? await backend.compile(model.ann, { outputs: annOutputs }) : null;
  let images = 0;
  try {
    for (const batch of data.batches({ batchSize, limit: total })) {
      if (!ann) break;
      const n = batch.labels.length;
      const x = model.ann.input.shape.length === 2 ? reshape(batch.x, [n, batch.x.data.length / n]) : batch.x;
      const values = await ann.run(x);
      const current = new Map<string, { z: Float32Array; a: Float32Array }>();
      const localCounts = new Map<string, Float64Array[]>();
      for (const site of sites) {
        const a = values.get(site.a)!.data;
        const z = site.pool ? pooled(site, current.get(site.pool.source.name)!.z, n) : values.get(site.z)!.data;
        current.set(site.name, { z, a });
        const counts = site.pool ? pooledCounts(site, localCounts.get(site.pool.source.name)!, n) : null;
        localCounts.set(site.name, localErrors(site, { z, a }, n, Ts, tShift, counts));
      }
      await accumulatedErrors(backend, model.graph, data, batch, sites, current, Ts, Tmax, options);
      images += n;
      options.onProgress?.(images, total);
    }
  } finally {
    await ann?.dispose();
  }
  return { images, T: Ts, shift, tShift, reset, layers: sites.map((s) => summarize(s, Ts)), skipped };
}

function findSites(model: SnnModel, tCount: number): { sites: Site[]; skipped: { node: string; reason: string }[] } {
  const shapes = sampleShapes(model.graph);
  const annNodes = new Map<string, Node>(model.ann.nodes.map((n) => [n.name, n]));
  const sites: Site[] = [];
  const skipped: { node: string; reason: string }[] = [];
  const { shift, tShift } = model.conversion.options;
  const byOutput = new Map<string, Site>();
  for (const node of model.graph.nodes) {
    if (node.op === 'SpikeMaxPool') {
      const source = byOutput.get(node.inputs[0]);
      const annNode = annNodes.get(node.name);
      if (!source || annNode?.op !== 'MaxPool') {
        skipped.push({ node: node.name, reason: 'no ANN MaxPool of the same name over a measured layer' });
        continue;
      }
      const shape = shapes.get(node.output)!;
      const theta = perUnit(source.spike.threshold.data, shape);
      sites.push({
        ...source,
        name: node.name,
        z: '',
        a: annNode.output,
        pool: { source, kernel: node.kernel, input: shapes.get(node.inputs[0])! },
        units: sizeOf(shape),
        theta,
        v0: perUnit(source.spike.initialPotential.data, shape),
        delta: shift === 'bias' ? theta.map((t) => t / (2 * tShift)) : new Float32Array(theta.length),
        sums: newSums(tCount),
      });
      byOutput.set(node.output, sites[sites.length - 1]);
      continue;
    }
    if (node.op !== 'Spike') continue;
    const spike = node;
    const annNode = annNodes.get(spike.name);
    if (!annNode || !isActivation(annNode)) {
      skipped.push({ node: spike.name, reason: 'no ANN activation of the same name (spiking readout)' });
      continue;
    }
    const shape = shapes.get(spike.output)!;
    const theta = perUnit(spike.threshold.data, shape);
    const delta = shift === 'bias' ? theta.map((t) => t / (2 * tShift)) : new Float32Array(theta.length);
    sites.push({
      name: spike.name,
      spike,
      neuron: neuronKind(spike.neuron),
      z: annNode.inputs[0],
      a: annNode.output,
      pool: null,
      units: sizeOf(shape),
      theta,
      v0: perUnit(spike.initialPotential.data, shape),
      delta,
      gamma: spike.maxSpikesPerStep,
      sums: newSums(tCount),
    });
    byOutput.set(spike.output, sites[sites.length - 1]);
  }
  return { sites, skipped };
}

function newSums(count: number): Sums[] {
  return Array.from({ length: count }, () => new Sums());
}

/** A pool site's max over its windows of its source's per-unit values, [batch × units]. */
function pooled(site: Site, values: ArrayLike<number>, batch: number): Float32Array {
  const { kernel, input } = site.pool!;
  const x = { shape: [batch, ...input], data: Float32Array.from(values) };
  return maxPool(x, { kernel, strides: kernel, pads: [0, 0, 0, 0], ceilMode: false }).data;
}

/** The local SNN's counts at each T of a pool site: the max of its source's (the pool is exact). */
function pooledCounts(site: Site, source: readonly Float64Array[], batch: number): Float64Array[] {
  return source.map((counts) => Float64Array.from(pooled(site, counts, batch)));
}

/**
 * The ANN-only parts (clipping, flooring under each shift) and the local SNN's error, for every T;
 * returns the local SNN's counts at each T. `given`: those counts already known (a pool site).
 */
function localErrors(
  site: Site,
  ann: { z: Float32Array; a: Float32Array },
  batch: number,
  Ts: readonly number[],
  tShift: number,
  given: readonly Float64Array[] | null,
): Float64Array[] {
  const { units, theta, v0, delta, gamma } = site;
  const size = batch * units;
  const countsAt: Float64Array[] = [];
  const current = new Float32Array(size);
  for (let i = 0; i < size; i++) current[i] = ann.z[i] + delta[i % units];
  const { neuron } = site;
  const quantize: NeuronKind['idealOutput'] = (z, th, t, v, d, g) => neuron.idealOutput(z, th, t, v, d, g);
  const params = { threshold: theta, reset: site.spike.reset, maxSpikesPerStep: gamma };
  const state = neuron.initialState(v0, batch);
  const spikes = new Float32Array(size);
  const counts = new Float64Array(size);
  let next = 0;
  for (let t = 1; t <= Ts[Ts.length - 1]; t++) {
    if (given) {
      if (t !== Ts[next]) continue;
      counts.set(given[next]);
    } else {
      neuron.step(params, state, { current, constantCurrent: true, spikes, steps: 1 });
      for (let i = 0; i < size; i++) counts[i] += spikes[i];
      if (t !== Ts[next]) continue;
    }
    countsAt.push(counts.slice());
    const sums = site.sums[next++];
    for (let i = 0; i < size; i++) {
      const u = i % units;
      const th = theta[u];
      const a = ann.a[i];
      const z = ann.z[i];
      const c = Math.min(Math.max(a, 0), gamma * th);
      const q = quantize(z, th, t, v0[u], delta[u], gamma);
      const r = (th * counts[i]) / t;
      sums.count++;
      sums.activation += a;
      if (a > gamma * th) sums.clipped++;
      sums.clipping += Math.abs(a - c);
      sums.flooring += Math.abs(c - q);
      sums.floorNone += Math.abs(c - quantize(z, th, t, 0, 0, gamma));
      sums.floorBias += Math.abs(c - quantize(z, th, t, 0, th / (2 * tShift), gamma));
      sums.floorV0 += Math.abs(c - quantize(z, th, t, th / 2, 0, gamma));
      sums.local.total += Math.abs(a - r);
      sums.local.deviation += Math.abs(q - r);
      sums.local.signed += r - a;
    }
  }
  return countsAt;
}

/** The full SNN on this batch, with a probe that compares each layer's spike counts at every T. */
async function accumulatedErrors(
  backend: Backend,
  graph: Graph,
  data: Dataset,
  batch: Batch,
  sites: readonly Site[],
  ann: ReadonlyMap<string, { z: Float32Array; a: Float32Array }>,
  Ts: readonly number[],
  Tmax: number,
  options: LayerErrorOptions,
): Promise<void> {
  const n = batch.labels.length;
  const byName = new Map(sites.map((s) => [s.name, s]));
  const counts = new Map(sites.map((s) => [s.name, new Float64Array(n * s.units)]));
  const probe: Probe = {
    onSpikes(layer: string, spikes: Float32Array, _v: Float32Array, chunk: ChunkInfo) {
      const site = byName.get(layer);
      if (!site) return;
      const count = counts.get(layer)!;
      const { a, z } = ann.get(layer)!;
      const size = count.length;
      for (let s = 0; s < chunk.steps; s++) {
        const base = s * size;
        for (let i = 0; i < size; i++) count[i] += spikes[base + i];
        const t = chunk.t0 + s + 1;
        const k = Ts.indexOf(t);
        if (k < 0) continue;
        const sums = site.sums[k].accumulated;
        for (let i = 0; i < size; i++) {
          const u = i % site.units;
          const th = site.theta[u];
          const r = (th * count[i]) / t;
          sums.total += Math.abs(a[i] - r);
          sums.deviation += Math.abs(site.neuron.idealOutput(z[i], th, t, site.v0[u], site.delta[u], site.gamma) - r);
          sums.signed += r - a[i];
        }
      }
    },
  };
  await simulate(backend, graph, oneBatch(data, batch), {
    T: Tmax,
    chunk: options.chunk,
    batchSize: n,
    encoder: options.encoder,
    precision: options.precision,
    probes: [probe],
  });
}

/** A data set of exactly one (already made) batch, so the simulation sees the ANN's images. */
function oneBatch(data: Dataset, batch: Batch): Dataset {
  return {
    name: data.name,
    size: batch.labels.length,
    sampleShape: data.sampleShape,
    numClasses: data.numClasses,
    batches: () => [batch],
  };
}

function summarize(site: Site, Ts: readonly number[]): LayerError {
  const first = site.sums[0];
  const count = Math.max(first.count, 1);
  const meanActivation = first.activation / count;
  let thetaMin = Infinity;
  let thetaMax = -Infinity;
  for (const t of site.theta) {
    thetaMin = Math.min(thetaMin, t);
    thetaMax = Math.max(thetaMax, t);
  }
  const parts = (s: Sums, which: { total: number; deviation: number; signed: number }): ErrorParts => {
    const total = which.total / count;
    const clipping = s.clipping / count;
    const flooring = s.flooring / count;
    return {
      total,
      clipping,
      flooring,
      rest: total - clipping - flooring,
      relative: meanActivation > 0 ? total / meanActivation : null,
      deviation: which.deviation / count,
      signed: which.signed / count,
    };
  };
  return {
    node: site.name,
    units: site.units,
    thetaMin,
    thetaMax,
    meanActivation,
    clippedFraction: first.clipped / count,
    atT: Ts.map((T, k) => {
      const s = site.sums[k];
      return {
        T,
        local: parts(s, s.local),
        accumulated: parts(s, s.accumulated),
        flooringByShift: { none: s.floorNone / count, bias: s.floorBias / count, v0: s.floorV0 / count },
      };
    }),
  };
}

/** The default T values of a layer-error sample for a run of T steps: T/8, T/4, T/2, T (those ≥ 1). */
export function defaultErrorSteps(T: number): number[] {
  return [...new Set([T / 8, T / 4, T / 2, T].map((t) => Math.max(1, Math.round(t))))];
}
