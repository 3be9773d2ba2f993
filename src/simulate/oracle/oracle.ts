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
 *   - a SpikeMaxPool node runs its equations as written (ir/graph.ts): per window, A_j ← A_j + x_j(t),
 *     y = max_j A_j, A_j ← A_j − y, on the amplitudes x = θ·s in f64 (sums of multiples of an f32 θ are
 *     exact there, so y = θ·o exactly); its spike count is o = y/θ;
 *   - every other node is its reference kernel (backend/reference: the op table), on [1, …].
 * Readout: prediction(t) = argmax_k Σ_{τ≤t} y_k(τ) of the output node y (ties → the lowest k), which
 * covers a spiking readout too (y = θ·s of the last Spike).
 * No θ folding, no static part, no chunks, no batches in flight: short, slow and obviously right.
 */
import { kernels } from '../../backend/reference/reference-backend.js';
import type { Dataset } from '../../data/dataset.js';
import { checkInputShape } from '../../ann/input-shape.js';
import { GraphError, type Graph, type Node, type SpikeMaxPoolNode, type SpikeNode } from '../../ir/graph.js';
import { spikeSource } from '../../ir/spike-source.js';
import { neuronKind, type NeuronKind, type NeuronParams, type NeuronState } from '../../neurons/index.js';
import { sampleShapes } from '../../ir/shapes.js';
import { sizeOf, tensor, type Tensor } from '../../tensor/tensor.js';
import { directEncoder, type Encoder } from '../encoders.js';
import { perUnit } from '../per-unit.js';
import { SimulationError } from '../simulation-error.js';

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
  /** One per Spike and SpikeMaxPool node, in graph order. */
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

interface PoolLayer {
  readonly node: SpikeMaxPoolNode;
  /** [C, H, W] of the input. */
  readonly input: readonly number[];
  /** θ per output unit (the amplitude of the spikes pooled). */
  readonly theta: Float32Array;
  readonly unitCounts: Float64Array;
}

/** Per image: neuron states by Spike node, accumulators by SpikeMaxPool node. */
interface ImageState {
  readonly neurons: ReadonlyMap<string, NeuronState>;
  readonly accumulators: ReadonlyMap<string, Float64Array>;
}

export function simulateOracle(graph: Graph, data: Dataset, options: OracleOptions): OracleResult {
  checkInputShape(graph, data);
  const T = options.T;
  if (!Number.isInteger(T) || T < 1) throw new SimulationError(`T must be a positive integer, got ${T}`);
  const encoder = options.encoder ?? directEncoder;
  const shapes = sampleShapes(graph);
  const sampleShape = shapes.get(graph.input.name)!;
  const inputSize = sizeOf(sampleShape);
  const layers = new Map<string, SpikeLayer>();
  const pools = new Map<string, PoolLayer>();
  const counted: { readonly node: string; readonly unitCounts: Float64Array }[] = [];
  for (const n of graph.nodes) {
    if (n.op === 'Spike') layers.set(n.name, spikeLayer(n, shapes.get(n.output)!));
    if (n.op === 'SpikeMaxPool') pools.set(n.name, poolLayer(graph, n, shapes));
    const layer = layers.get(n.name) ?? pools.get(n.name);
    if (layer) counted.push({ node: n.name, unitCounts: layer.unitCounts });
  }
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
      const state: ImageState = {
        neurons: new Map([...layers].map(([name, layer]) => [name, layer.kind.initialState(layer.initialPotential, 1)])),
        accumulators: new Map([...pools].map(([name, pool]) => [name, new Float64Array(sizeOf(pool.input))])),
      };
      let cumulative: Float64Array | null = null;
      for (let t = 0; t < T; t++) {
        const x = tensor([1, ...sampleShape], frames[t].slice(b * inputSize, (b + 1) * inputSize));
        const y = runStep(graph, x, layers, pools, state).data;
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
    layers: counted.map(({ node, unitCounts }) => ({
      node,
      units: unitCounts.length,
      spikes: layers.get(node)?.spikes ?? unitCounts.reduce((sum, count) => sum + count, 0),
      unitCounts,
    })),
  };
}

/** One step of one image: every node in graph order. */
function runStep(
  graph: Graph,
  x: Tensor,
  layers: ReadonlyMap<string, SpikeLayer>,
  pools: ReadonlyMap<string, PoolLayer>,
  state: ImageState,
): Tensor {
  const values = new Map<string, Tensor>([[graph.input.name, x]]);
  for (const node of graph.nodes) {
    const inputs = node.inputs.map((name) => values.get(name)!);
    let out: Tensor;
    if (node.op === 'Spike') out = fire(layers.get(node.name)!, inputs[0], state.neurons.get(node.name)!);
    else if (node.op === 'SpikeMaxPool') out = maxPoolStep(pools.get(node.name)!, inputs[0], state.accumulators.get(node.name)!);
    else out = runKernel(node, inputs);
    values.set(node.output, out);
  }
  return values.get(graph.output)!;
}

/** A_j += x_j; y = max over the window of A_j; A_j −= y: per window w of every channel. */
function maxPoolStep(pool: PoolLayer, x: Tensor, accumulators: Float64Array): Tensor {
  const [C, H, W] = pool.input;
  const [kh, kw] = pool.node.kernel;
  const [OH, OW] = [Math.floor(H / kh), Math.floor(W / kw)];
  for (let j = 0; j < accumulators.length; j++) accumulators[j] += x.data[j];
  const y = new Float32Array(C * OH * OW);
  for (let c = 0; c < C; c++) {
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++) {
        const window: number[] = [];
        for (let dy = 0; dy < kh; dy++) for (let dx = 0; dx < kw; dx++) window.push((c * H + oy * kh + dy) * W + ox * kw + dx);
        const max = Math.max(...window.map((j) => accumulators[j]));
        for (const j of window) accumulators[j] -= max;
        const o = (c * OH + oy) * OW + ox;
        y[o] = max;
        pool.unitCounts[o] += Math.round(max / pool.theta[o]);
      }
    }
  }
  return tensor([1, C, OH, OW], y);
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

function poolLayer(graph: Graph, node: SpikeMaxPoolNode, shapes: ReadonlyMap<string, readonly number[]>): PoolLayer {
  const source = spikeSource(graph, node.inputs[0]);
  if (!source) throw new GraphError(`reads '${node.inputs[0]}', which is not a spiking layer's output`, node.name);
  const output = shapes.get(node.output)!;
  return {
    node,
    input: shapes.get(node.inputs[0])!,
    theta: perUnit(source.threshold.data, output),
    unitCounts: new Float64Array(sizeOf(output)),
  };
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
