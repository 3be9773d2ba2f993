/**
 * What the SNN costs (docs/method.md §8), per image:
 *   synops_l   = spikes_l · fanOut_l        fanOut_l = Σ_W MACs(W) / |input of W| over the weighted
 *                                            layers W that layer l's spikes reach through linear ops
 *   direct encoding: the input is constant, so the layers it feeds compute once per image:
 *     MACs_first = MACs of the layers fed by the analog input
 *   spike encoding (poisson): input events are spikes like any other: synops_in = events · fanOut_in
 *   E_SNN = E_AC · Σ synops + E_MAC · MACs_first          E_ANN = E_MAC · MACs(ANN)
 */
import { consumersOf, type Graph } from '../ir/graph.js';
import { isLinear } from '../ir/op-traits.js';
import type { SimulationResult } from '../simulate/simulator.js';
import { nodeCosts, totalMacs, type NodeCost } from './macs.js';

export interface EnergyConstants {
  /** Joules per accumulate (default 0.9 pJ, 45 nm). */
  readonly eAc: number;
  /** Joules per multiply-accumulate (default 4.6 pJ, 45 nm). */
  readonly eMac: number;
}

export const defaultEnergy: EnergyConstants = { eAc: 0.9e-12, eMac: 4.6e-12 };

export interface LayerCost {
  readonly node: string;
  readonly spikesPerImage: number;
  readonly rate: number;
  readonly fanOut: number;
  readonly synopsPerImage: number;
}

export interface SnnCost {
  readonly T: number;
  readonly layers: readonly LayerCost[];
  readonly synopsPerImage: number;
  readonly spikesPerImage: number;
  /** MACs of the layers fed by a constant (direct) input, once per image; 0 with spike input. */
  readonly analogMacsPerImage: number;
  readonly annMacsPerImage: number;
  readonly snnEnergyPerImage: number;
  readonly annEnergyPerImage: number;
  readonly energy: EnergyConstants;
}

export function snnCost(snn: Graph, ann: Graph, sim: SimulationResult, energy: EnergyConstants = defaultEnergy): SnnCost {
  const costs = new Map(nodeCosts(snn).map((c) => [c.node, c]));
  const images = Math.max(sim.images, 1);
  const layers = sim.layers.map((layer) => {
    const node = snn.nodes.find((n) => n.name === layer.node)!;
    const fanOut = reachedWeights(snn, node.output, costs).reduce((s, c) => s + c.fanOut, 0);
    const spikesPerImage = layer.spikes / images;
    return { node: layer.node, spikesPerImage, rate: layer.rate, fanOut, synopsPerImage: spikesPerImage * fanOut };
  });
  const inputWeights = reachedWeights(snn, snn.input.name, costs);
  const analogMacs = sim.inputEvents === null ? inputWeights.reduce((s, c) => s + c.macs, 0) : 0;
  const inputSynops = sim.inputEvents === null ? 0 : (sim.inputEvents / images) * inputWeights.reduce((s, c) => s + c.fanOut, 0);
  const synops = layers.reduce((s, l) => s + l.synopsPerImage, inputSynops);
  const annMacs = totalMacs(ann);
  return {
    T: sim.T,
    layers,
    synopsPerImage: synops,
    spikesPerImage: layers.reduce((s, l) => s + l.spikesPerImage, 0),
    analogMacsPerImage: analogMacs,
    annMacsPerImage: annMacs,
    snnEnergyPerImage: synops * energy.eAc + analogMacs * energy.eMac,
    annEnergyPerImage: annMacs * energy.eMac,
    energy,
  };
}

/** Weighted layers (Conv2d/Dense) reached from `value` through nodes without weights, neurons or max-pool state. */
function reachedWeights(graph: Graph, value: string, costs: ReadonlyMap<string, NodeCost>): NodeCost[] {
  return consumersOf(graph, value).flatMap((n) => {
    if (isLinear(n)) return [costs.get(n.name)!];
    if (n.op === 'Spike' || n.op === 'SpikeMaxPool') return []; // spiking nodes count their own spikes' synops
    return reachedWeights(graph, n.output, costs);
  });
}
