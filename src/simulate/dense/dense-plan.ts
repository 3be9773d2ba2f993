/**
 * The dense engine's plan of an SNN graph. Values that depend only on a constant input are "static" and
 * computed once per batch (the first layer under direct encoding). Everything after a spiking layer
 * is "dynamic" and computed for a whole time chunk at once: backend segments (single-input chains of
 * linear ops, one compiled graph each, run on [steps·batch, …]), Add/Concat in TypeScript, the
 * spiking layers as fused neuron steps, and spiking max pools on their layer's spike counts.
 */
import type { Backend, CompiledGraph, SpikePrecision } from '../../backend/backend.js';
import type { Graph, Node, SpikeMaxPoolNode, SpikeNode } from '../../ir/graph.js';
import { spikeSource } from '../../ir/spike-source.js';
import { consumersOf, GraphError } from '../../ir/graph.js';
import { OP_TRAITS } from '../../ir/op-traits.js';
import { sampleShapes } from '../../ir/shapes.js';
import { neuronKind, type NeuronKind, type NeuronParams } from '../../neurons/index.js';
import { foldThreshold } from '../fold-threshold.js';
import { perUnit } from '../per-unit.js';
import { findStaticValues } from '../static-values.js';
import type { PoolGeometry } from './spike-max-pool.js';

export interface SegmentStage {
  readonly kind: 'segment';
  readonly input: string;
  readonly output: string;
  readonly compiled: CompiledGraph;
  /** θ was folded into the segment's weights: feed the spike counts as they are. */
  readonly takesSpikeCounts: boolean;
}

export interface SpikeStage {
  readonly kind: 'spike';
  readonly node: SpikeNode;
  readonly neuron: NeuronKind;
  readonly params: NeuronParams;
  /** v(0) for one sample, per unit. */
  readonly initialPotential: Float32Array;
}

export interface MergeStage {
  readonly kind: 'add' | 'concat';
  readonly node: Node;
}

/** A SpikeMaxPool on the spike counts of its layer (spike-max-pool.ts); accumulators carry over. */
export interface PoolStage {
  readonly kind: 'spike-pool';
  readonly node: SpikeMaxPoolNode;
  readonly geometry: PoolGeometry;
}

export type Stage = SegmentStage | SpikeStage | MergeStage | PoolStage;

/** Stages of the dense time loop, the static part, and the shapes and spike amplitudes they read. */
export interface DensePlan {
  readonly graph: Graph;
  /** Runs the static part once per batch; null when nothing is static. */
  readonly staticPart: { readonly compiled: CompiledGraph; readonly outputs: readonly string[] } | null;
  readonly stages: readonly Stage[];
  readonly shapes: ReadonlyMap<string, readonly number[]>;
  /** θ per unit of each spiking layer's (and spiking max pool's) output value: the amplitude of its spikes. */
  readonly spikeAmplitude: ReadonlyMap<string, Float32Array>;
  readonly staticValues: ReadonlySet<string>;
  dispose(): Promise<void>;
}

/** `precision` goes to every segment fed by spike counts (CompileOptions.precision). */
export async function buildDensePlan(
  backend: Backend,
  graph: Graph,
  constantInput: boolean,
  precision: SpikePrecision = 'f32',
): Promise<DensePlan> {
  const shapes = sampleShapes(graph);
  const staticValues = findStaticValues(graph, constantInput);
  const spikeAmplitude = new Map<string, Float32Array>();
  for (const n of graph.nodes) {
    const source = n.op === 'Spike' || n.op === 'SpikeMaxPool' ? spikeSource(graph, n.output) : null;
    if (source) spikeAmplitude.set(n.output, perUnit(source.threshold.data, shapes.get(n.output)!));
  }
  const compiledGraphs: CompiledGraph[] = [];
  const staticPart = await compileStaticPart(backend, graph, staticValues);
  if (staticPart) compiledGraphs.push(staticPart.compiled);
  const stages: Stage[] = [];
  const assigned = new Set<Node>();
  for (const node of graph.nodes) {
    if (staticValues.has(node.output) || assigned.has(node)) continue;
    assigned.add(node);
    if (node.op === 'Spike') {
      stages.push(spikeStage(node, shapes));
    } else if (node.op === 'SpikeMaxPool') {
      if (!spikeAmplitude.has(node.output))
        throw new GraphError(`reads '${node.inputs[0]}', which is not a spiking layer's output`, node.name);
      stages.push({ kind: 'spike-pool', node, geometry: { input: shapes.get(node.inputs[0])!, kernel: node.kernel } });
    } else if (node.op === 'Concat' && node.axis !== 1) {
      throw new GraphError(`the simulator concatenates along channels (axis 1) only, got axis ${node.axis}`, node.name);
    } else if (node.op === 'Add' || node.op === 'Concat') {
      stages.push({ kind: node.op === 'Add' ? 'add' : 'concat', node });
    } else {
      const chain = extendChain(graph, node);
      chain.forEach((n) => assigned.add(n));
      const stage = await segmentStage(backend, chain, shapes, spikeAmplitude, graph, precision);
      compiledGraphs.push(stage.compiled);
      stages.push(stage);
    }
  }
  return {
    graph,
    staticPart,
    stages,
    shapes,
    spikeAmplitude,
    staticValues,
    dispose: async () => {
      await Promise.all(compiledGraphs.map((c) => c.dispose()));
    },
  };
}

async function compileStaticPart(backend: Backend, graph: Graph, staticValues: ReadonlySet<string>) {
  const nodes = graph.nodes.filter((n) => staticValues.has(n.output));
  if (nodes.length === 0) return null;
  const needed = new Set<string>();
  for (const n of graph.nodes) {
    if (staticValues.has(n.output)) continue;
    for (const i of n.inputs) if (staticValues.has(i) && i !== graph.input.name) needed.add(i);
  }
  if (staticValues.has(graph.output)) needed.add(graph.output);
  const outputs = [...needed];
  if (outputs.length === 0) return null;
  const sub: Graph = { input: graph.input, output: outputs[0], nodes };
  return { compiled: await backend.compile(sub, { outputs }), outputs };
}

/** Every op but merges (added by the engine), Spike and SpikeMaxPool (stepped by the engine) runs in a backend segment. */
export function runsOnBackend(node: Node): boolean {
  const { kind } = OP_TRAITS[node.op];
  return kind !== 'merge' && kind !== 'spike' && kind !== 'spike-pool';
}

/**
 * Grows a chain of backend ops while each value has exactly one consumer, which has one input: the
 * dense engine's segment (the ONNX step export writes the same segments, so it computes the same sums).
 */
export function extendChain(graph: Graph, first: Node): Node[] {
  const chain = [first];
  for (;;) {
    const last = chain[chain.length - 1];
    const consumers = consumersOf(graph, last.output);
    if (last.output === graph.output || consumers.length !== 1) return chain;
    const next = consumers[0];
    if (!runsOnBackend(next) || next.inputs.length !== 1) return chain;
    chain.push(next);
  }
}

async function segmentStage(
  backend: Backend,
  chain: Node[],
  shapes: ReadonlyMap<string, readonly number[]>,
  spikeAmplitude: ReadonlyMap<string, Float32Array>,
  graph: Graph,
  precision: SpikePrecision,
): Promise<SegmentStage> {
  const input = chain[0].inputs[0];
  const inputShape = shapes.get(input)!;
  // The Spike whose counts feed the chain (through spiking max pools, which keep θ).
  const producer = spikeSource(graph, input);
  const folded = producer && spikeAmplitude.has(input) ? foldThreshold(chain, producer.threshold.data, inputShape) : null;
  const nodes = folded ?? chain;
  const output = chain[chain.length - 1].output;
  const sub: Graph = { input: { name: input, shape: [null, ...inputShape] }, output, nodes };
  // Spike counts (the kind's range: 0..γ for IF; a max pool of them has the same range) with θ folded
  // into the weights: a backend may run the first Conv/Dense on integer kernels.
  const hint = folded !== null && producer ? { spikeCountInput: true, ...countRange(producer), precision } : {};
  return { kind: 'segment', input, output, compiled: await backend.compile(sub, hint), takesSpikeCounts: folded !== null };
}

function countRange(node: SpikeNode): { inputMin: number; inputMax: number } {
  const [inputMin, inputMax] = neuronKind(node.neuron).spikeRange(node.maxSpikesPerStep);
  return { inputMin, inputMax };
}

function spikeStage(node: SpikeNode, shapes: ReadonlyMap<string, readonly number[]>): SpikeStage {
  const shape = shapes.get(node.output)!;
  return {
    kind: 'spike',
    node,
    neuron: neuronKind(node.neuron),
    params: {
      threshold: perUnit(node.threshold.data, shape),
      uniformThreshold: node.threshold.data.length === 1 ? node.threshold.data[0] : undefined,
      reset: node.reset,
      maxSpikesPerStep: node.maxSpikesPerStep,
    },
    initialPotential: perUnit(node.initialPotential.data, shape),
  };
}
