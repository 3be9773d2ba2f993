/**
 * Firing activity per spiking layer from a simulation with `unitCounts: true`:
 *   rate_u = N_u / (images · T)      spikes per step of unit u (≤ γ, the most spikes per step)
 * summarized as the layer mean, a histogram over [0, γ], and the silent / saturated fractions.
 */
import type { Graph } from '../ir/graph.js';
import { spikeSource } from '../ir/spike-source.js';
import type { SimulationResult } from '../simulate/simulator.js';

export interface RateHistogram {
  /** Bin k covers [k·binWidth, (k+1)·binWidth); the last bin includes its upper edge. */
  readonly binWidth: number;
  readonly counts: readonly number[];
}

export interface LayerActivitySummary {
  readonly node: string;
  readonly units: number;
  /** Mean rate over units, images and steps. */
  readonly rate: number;
  readonly spikesPerImage: number;
  /** Units that never fired (null without unit counts). */
  readonly silentFraction: number | null;
  /** Units that fired at the top rate γ on every step of every image. */
  readonly saturatedFraction: number | null;
  readonly histogram: RateHistogram | null;
}

export interface ActivitySummary {
  readonly T: number;
  readonly images: number;
  readonly spikesPerImage: number;
  readonly layers: readonly LayerActivitySummary[];
}

export function activitySummary(sim: SimulationResult, graph: Graph, bins = 20): ActivitySummary {
  const images = Math.max(sim.images, 1);
  const layers = sim.layers.map((layer): LayerActivitySummary => {
    const node = graph.nodes.find((n) => n.name === layer.node);
    const source = node ? spikeSource(graph, node.output) : null; // a max pool emits up to its layer's γ
    const gamma = source ? source.maxSpikesPerStep : 1;
    const base = { node: layer.node, units: layer.units, rate: layer.rate, spikesPerImage: layer.spikes / images };
    if (!layer.unitCounts) return { ...base, silentFraction: null, saturatedFraction: null, histogram: null };
    const steps = images * sim.T;
    const counts = new Array<number>(bins).fill(0);
    const binWidth = gamma / bins;
    let silent = 0;
    let saturated = 0;
    for (const n of layer.unitCounts) {
      const rate = n / steps;
      if (n === 0) silent++;
      if (n >= gamma * steps) saturated++;
      counts[Math.min(bins - 1, Math.floor(rate / binWidth))]++;
    }
    const units = Math.max(layer.units, 1);
    return { ...base, silentFraction: silent / units, saturatedFraction: saturated / units, histogram: { binWidth, counts } };
  });
  return { T: sim.T, images: sim.images, spikesPerImage: layers.reduce((s, l) => s + l.spikesPerImage, 0), layers };
}
