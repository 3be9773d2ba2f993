/**
 * A spike raster of a few neurons per layer and one neuron's membrane trace, for one image.
 * Two short simulations of that image: the first counts every unit's spikes (to pick neurons
 * spanning the layer's rates), the second runs one step per chunk so a probe reads v after every step.
 */
import type { Backend, SpikePrecision } from '../backend/backend.js';
import type { SnnModel } from '../model/snn-model.js';
import type { Batch, Dataset } from '../data/dataset.js';
import { DataError } from '../data/dataset.js';
import { sampleShapes } from '../ir/shapes.js';
import { perUnit } from '../simulate/per-unit.js';
import type { Encoder } from '../simulate/encoders.js';
import { simulate, type ChunkInfo, type Probe } from '../simulate/simulator.js';

export interface RasterOptions {
  readonly T: number;
  /** Index of the image in the data set order; default 0. */
  readonly image?: number;
  readonly neuronsPerLayer?: number;
  readonly encoder?: Encoder;
  /** Arithmetic of the spike-fed layers (SimulateOptions.precision); default f32. */
  readonly precision?: SpikePrecision;
}

export interface RasterNeuron {
  readonly unit: number;
  readonly theta: number;
  /** Steps t (1-based) at which the neuron fired; a step with k spikes (burst) appears k times. */
  readonly spikeTimes: readonly number[];
}

export interface RasterLayer {
  readonly node: string;
  readonly units: number;
  readonly neurons: readonly RasterNeuron[];
}

export interface MembraneTrace {
  readonly node: string;
  readonly unit: number;
  readonly theta: number;
  readonly reset: 'soft' | 'hard';
  /** v(0), then v after each step t = 1..T (after the reset). */
  readonly v: readonly number[];
  readonly spikeTimes: readonly number[];
}

export interface SpikeRaster {
  readonly image: number;
  readonly label: number;
  readonly T: number;
  readonly layers: readonly RasterLayer[];
  readonly membrane: MembraneTrace | null;
}

export async function recordRaster(backend: Backend, model: SnnModel, data: Dataset, options: RasterOptions): Promise<SpikeRaster> {
  const index = options.image ?? 0;
  if (!Number.isInteger(index) || index < 0 || index >= data.size) {
    throw new DataError(`raster image ${index} is outside data set '${data.name}' (${data.size} images)`);
  }
  const batch = imageBatch(data, index);
  const single: Dataset = { name: data.name, size: 1, sampleShape: data.sampleShape, numClasses: data.numClasses, batches: () => [batch] };
  const T = options.T;
  const perLayer = options.neuronsPerLayer ?? 8;
  const shapes = sampleShapes(model.graph);
  const spikeNodes = model.graph.nodes.filter((n) => n.op === 'Spike');
  const thetas = new Map(spikeNodes.map((n) => [n.name, perUnit(n.threshold.data, shapes.get(n.output)!)]));
  const v0s = new Map(spikeNodes.map((n) => [n.name, perUnit(n.initialPotential.data, shapes.get(n.output)!)]));

  const counts = new Map<string, Float64Array>();
  const counter: Probe = {
    onSpikes(layer: string, spikes: Float32Array, _v: Float32Array, chunk: ChunkInfo) {
      let c = counts.get(layer);
      if (!c) counts.set(layer, (c = new Float64Array(chunk.units)));
      for (let i = 0; i < spikes.length; i++) c[i % chunk.units] += spikes[i];
    },
  };
  await simulate(backend, model.graph, single, {
    T,
    batchSize: 1,
    encoder: options.encoder,
    precision: options.precision,
    probes: [counter],
  });

  const chosen = new Map(spikeNodes.map((n) => [n.name, pickNeurons(counts.get(n.name) ?? new Float64Array(0), perLayer)]));
  const traceLayer =
    [...spikeNodes].reverse().find((n) => (counts.get(n.name) ?? []).some((c) => c > 0 && c < T * n.maxSpikesPerStep)) ?? spikeNodes[0];
  const traceUnit = traceLayer
    ? pickTraceUnit(counts.get(traceLayer.name) ?? new Float64Array(0), chosen.get(traceLayer.name) ?? [], T)
    : -1;
  const times = new Map(spikeNodes.map((n) => [n.name, chosen.get(n.name)!.map(() => [] as number[])]));
  const v: number[] = traceLayer && traceUnit >= 0 ? [v0s.get(traceLayer.name)![traceUnit]] : [];
  const recorder: Probe = {
    onSpikes(layer: string, spikes: Float32Array, potentials: Float32Array, chunk: ChunkInfo) {
      const units = chosen.get(layer);
      if (!units) return;
      const spikeTimes = times.get(layer)!;
      for (let s = 0; s < chunk.steps; s++) {
        const t = chunk.t0 + s + 1;
        units.forEach((u, k) => {
          for (let n = 0; n < spikes[s * chunk.units + u]; n++) spikeTimes[k].push(t);
        });
      }
      if (layer === traceLayer?.name && traceUnit >= 0) v.push(potentials[traceUnit]);
    },
  };
  await simulate(backend, model.graph, single, {
    T,
    chunk: 1,
    batchSize: 1,
    encoder: options.encoder,
    precision: options.precision,
    probes: [recorder],
  });

  const layers = spikeNodes.map((n) => {
    const theta = thetas.get(n.name)!;
    return {
      node: n.name,
      units: theta.length,
      neurons: chosen.get(n.name)!.map((unit, k) => ({ unit, theta: theta[unit], spikeTimes: times.get(n.name)![k] })),
    };
  });
  const membrane =
    traceLayer && traceUnit >= 0
      ? {
          node: traceLayer.name,
          unit: traceUnit,
          theta: thetas.get(traceLayer.name)![traceUnit],
          reset: traceLayer.reset,
          v,
          spikeTimes: times.get(traceLayer.name)![chosen.get(traceLayer.name)!.indexOf(traceUnit)],
        }
      : null;
  return { image: index, label: batch.labels[0], T, layers, membrane };
}

function imageBatch(data: Dataset, index: number): Batch {
  let seen = 0;
  for (const b of data.batches({ batchSize: 64, limit: index + 1 })) {
    const n = b.labels.length;
    if (index < seen + n) {
      const k = index - seen;
      const per = b.x.data.length / n;
      return {
        x: { shape: [1, ...b.x.shape.slice(1)], data: b.x.data.slice(k * per, (k + 1) * per) },
        labels: Int32Array.of(b.labels[k]),
        start: index, // its place in the data set: a Poisson encoder draws this image's own stream
      };
    }
    seen += n;
  }
  throw new DataError(`data set '${data.name}' ended before image ${index}`);
}

/** Up to `count` units spanning the layer's spike counts (highest first), preferring active units. */
export function pickNeurons(counts: Float64Array, count: number): number[] {
  const order = Array.from(counts.keys()).sort((x, y) => counts[y] - counts[x] || x - y);
  const active = order.filter((u) => counts[u] > 0);
  const pool = active.length >= count ? active : [...active, ...order.filter((u) => counts[u] === 0)];
  const n = Math.min(count, pool.length);
  if (n <= 1) return pool.slice(0, n);
  const picked = new Set<number>();
  for (let k = 0; k < n; k++) picked.add(pool[Math.round((k * (active.length >= n ? active.length - 1 : pool.length - 1)) / (n - 1))]);
  return [...picked];
}

/** The chosen unit whose rate is closest to 1/3: it fires, but not on every step. */
function pickTraceUnit(counts: Float64Array, chosen: readonly number[], T: number): number {
  let best = -1;
  let bestDistance = Infinity;
  for (const u of chosen) {
    const d = counts[u] > 0 ? Math.abs(counts[u] / T - 1 / 3) : 2;
    if (d < bestDistance) {
      bestDistance = d;
      best = u;
    }
  }
  return best;
}
