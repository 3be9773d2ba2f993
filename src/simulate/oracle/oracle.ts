/**
 * The SNN oracle: the method's equations and nothing else, as the reference backend is for ops.
 * Per image, per step t = 1..T, per node in topological order:
 *   - the input x(t) comes from the encoder (direct: the image every step; Poisson: the very stream
 *     the engines draw, one per batch of `batchSize` images, so input spikes are identical);
 *   - a Spike node runs the IR's equations (ir/graph.ts SpikeNode): v ← v + I(t); fire; soft or hard
 *     reset; its output is x(t) = θ·s with θ per layer or per channel, v(0) = initialPotential, up to
 *     γ = maxSpikesPerStep spikes a step. The spike update is the neuron table's step function
 *     (neurons/) with steps = 1 from the kind's initial state: the neuron is its own seam, pinned by
 *     golden-trace tests (a signed neuron's −1 is x(t) = −θ);
 *   - every other node is its reference kernel (backend/reference: the op table), on [1, …].
 * Readout: prediction(t) = argmax_k Σ_{τ≤t} y_k(τ) of the output node y (ties → the lowest k), which
 * covers a spiking readout too (y = θ·s of the last Spike).
 * No θ folding, no static part, no chunks, no batches in flight: short, slow and obviously right.
 */
import { kernels } from '../../backend/reference/reference-backend.js';
import type { Dataset } from '../../data/dataset.js';
import { checkInputShape } from '../../ann/input-shape.js';
import type { Graph, Node, SpikeNode } from '../../ir/graph.js';
import { neuronKind, type NeuronKind, type NeuronParams, type NeuronState } from '../../neurons/index.js';
import { sampleShapes } from '../../ir/shapes.js';
import { sizeOf, tensor, type Tensor } from '../../tensor/tensor.js';
import { directEncoder, type Encoder } from '../encoders.js';
import { perUnit } from '../per-unit.js';

export interface OracleOptions {
  readonly T: number;
  readonly encoder?: Encoder;
  /** Images per encoder stream, as the engines' `batchSize` (default 50): Poisson streams are drawn per batch. */
  readonly batchSize?: number;
  readonly limit?: number;
}

export interface OracleLayer {
  readonly node: string;
  readonly units: number;
  /** Spikes emitted over images and steps, Σ|s| (a signed neuron's −1 counts as one). */
  readonly spikes: number;
  /** Net spike count Σs of every unit summed over images and steps. */
  readonly unitCounts: Float64Array;
}

/** The fields of the engines' SimulationResult that two simulations of the same SNN share. */
export interface OracleResult {
  readonly T: number;
  readonly images: number;
  /** Input spikes over all images and steps for a spiking encoder; null for direct input. */
  readonly inputEvents: number | null;
  /** correctAt[t−1]: images classified correctly after t steps. */
  readonly correctAt: Int32Array;
  readonly accuracyAt: Float64Array;
  /** One per Spike node, in graph order. */
  readonly layers: readonly OracleLayer[];
}

interface SpikeLayer {
  readonly kind: NeuronKind;
  readonly params: NeuronParams;
  readonly initialPotential: Float32Array;
  /** Summed over the images and steps simulated so far. */
  readonly unitCounts: Float64Array;
  spikes: number;
}

export function simulateOracle(graph: Graph, data: Dataset, options: OracleOptions): OracleResult {
  checkInputShape(graph, data);
  const T = options.T;
  if (!Number.isInteger(T) || T < 1) throw new RangeError(`T must be a positive integer, got ${T}`);
  const encoder = options.encoder ?? directEncoder;
  const shapes = sampleShapes(graph);
  const sampleShape = shapes.get(graph.input.name)!;
  const inputSize = sizeOf(sampleShape);
  const layers = new Map<string, SpikeLayer>();
  for (const n of graph.nodes) if (n.op === 'Spike') layers.set(n.name, spikeLayer(n, shapes.get(n.output)!));
  const correctAt = new Int32Array(T);
  let images = 0;
  let inputEvents = 0;
  let batchIndex = 0;
  const limit = Math.min(options.limit ?? data.size, data.size);
  for (const batch of data.batches({ batchSize: options.batchSize ?? 50, limit })) {
    const count = batch.labels.length;
    const stream = encoder.start({ shape: [count, ...sampleShape], data: batch.x.data }, batchIndex++);
    // One draw per step: [batch × …] each (the direct encoder returns the images themselves).
    const frames = Array.from({ length: T }, () => stream.next(1));
    if (!encoder.constant) for (const frame of frames) for (const x of frame) inputEvents += x;
    for (let b = 0; b < count; b++) {
      const states = new Map([...layers].map(([name, layer]) => [name, layer.kind.initialState(layer.initialPotential, 1)]));
      let cumulative: Float64Array | null = null;
      for (let t = 0; t < T; t++) {
        const x = tensor([1, ...sampleShape], frames[t].slice(b * inputSize, (b + 1) * inputSize));
        const y = runStep(graph, x, layers, states).data;
        cumulative ??= new Float64Array(y.length);
        let best = 0;
        for (let k = 0; k < y.length; k++) {
          cumulative[k] += y[k];
          if (cumulative[k] > cumulative[best]) best = k;
        }
        if (best === batch.labels[b]) correctAt[t]++;
      }
    }
    images += count;
  }
  return {
    T,
    images,
    inputEvents: encoder.constant ? null : inputEvents,
    correctAt,
    accuracyAt: Float64Array.from(correctAt, (c) => (images === 0 ? 0 : c / images)),
    layers: [...layers].map(([node, { unitCounts, spikes }]) => ({ node, units: unitCounts.length, spikes, unitCounts })),
  };
}

/** One step of one image: every node in graph order; `states` holds the neuron states by layer. */
function runStep(graph: Graph, x: Tensor, layers: ReadonlyMap<string, SpikeLayer>, states: ReadonlyMap<string, NeuronState>): Tensor {
  const values = new Map<string, Tensor>([[graph.input.name, x]]);
  for (const node of graph.nodes) {
    const inputs = node.inputs.map((name) => values.get(name)!);
    values.set(
      node.output,
      node.op === 'Spike' ? fire(layers.get(node.name)!, inputs[0], states.get(node.name)!) : runKernel(node, inputs),
    );
  }
  return values.get(graph.output)!;
}

function runKernel(node: Node, inputs: readonly Tensor[]): Tensor {
  return (kernels[node.op] as (node: Node, inputs: readonly Tensor[]) => Tensor)(node, inputs);
}

/** v ← v + I; s = fire(v); reset; returns x = θ·s (same shape as I). */
function fire(layer: SpikeLayer, current: Tensor, state: NeuronState): Tensor {
  const spikes = new Float32Array(state.v.length);
  layer.spikes += layer.kind.step(layer.params, state, { current: current.data, constantCurrent: false, spikes, steps: 1 });
  const theta = layer.params.threshold;
  const out = new Float32Array(spikes.length);
  for (let j = 0; j < out.length; j++) {
    layer.unitCounts[j] += spikes[j];
    out[j] = theta[j] * spikes[j];
  }
  return tensor(current.shape, out);
}

function spikeLayer(node: SpikeNode, sampleShape: readonly number[]): SpikeLayer {
  const params: NeuronParams = {
    threshold: perUnit(node.threshold.data, sampleShape),
    reset: node.reset,
    maxSpikesPerStep: node.maxSpikesPerStep,
  };
  return {
    kind: neuronKind(node.neuron),
    params,
    initialPotential: perUnit(node.initialPotential.data, sampleShape),
    unitCounts: new Float64Array(sizeOf(sampleShape)),
    spikes: 0,
  };
}
