/**
 * One time step of an SNN graph as ONNX nodes (opset ≥ 13), with the dense simulator's arithmetic:
 *   v ← v + v(0)·[t = 0];  v ← v + I;  n = [v ≥ θ] (γ = 1) or min(⌊v/θ⌋, γ) where v ≥ θ (burst, in f64
 *   like the JavaScript loop);  v ← v − θ·n (soft) or v ← 0 where n > 0 (hard);  x = θ·n onward;
 *   acc ← acc + f64(readout current)
 * A SpikeMaxPool keeps its accumulators A as a state, on the spike counts n of its layer (θ folded, as
 * in the simulator; integers, so exact in f32):
 *   A ← A + n;  o = MaxPool(A) (kernel = stride);  A ← A − o spread over its window (Expand, Reshape,
 *   and a zero Pad over the rows and columns the pool drops)
 * The linear chains between spiking layers are the simulator's segments, written by `graphToOnnx`
 * with θ folded into the first Conv/Dense wherever the simulator folds it (`foldThreshold`), so every
 * op sees the same f32 operands as in `simulate`; Add and Concat read θ·n like the simulator's merges.
 *
 * Values that depend on the image alone (the first layer's current under direct input) are
 * `staticNodes`: the full-T graph computes them once, outside its Loop.
 */
import type { onnx as O } from 'onnx-proto';
import type { Graph, Node, SpikeMaxPoolNode, SpikeNode } from '../../ir/graph.js';
import { spikeSource } from '../../ir/spike-source.js';
import { sampleShapes } from '../../ir/shapes.js';
import { neuronUnsupported } from '../../neurons/index.js';
import { floatInitializer, int64Initializer, node as onnxNode, type AttrValue } from '../../onnx/builder.js';
import { graphToOnnx } from '../../onnx/export-graph.js';
import { onnx } from '../../onnx/proto.js';
import { foldThreshold } from '../../simulate/fold-threshold.js';
import { extendChain } from '../../simulate/dense/dense-plan.js';
import { findStaticValues } from '../../simulate/static-values.js';
import { sizeOf, tensor } from '../../tensor/tensor.js';
import { ExportError } from '../export-error.js';

const FLOAT = onnx.TensorProto.DataType.FLOAT;
const DOUBLE = onnx.TensorProto.DataType.DOUBLE;
const INT64 = onnx.TensorProto.DataType.INT64;

/** The name of the image input of every exported graph. */
export const IMAGE_INPUT = 'input';

export interface SpikingLayerState {
  /** The Spike node (or SpikeMaxPool node). */
  readonly node: string;
  /** State input (membrane potential, [N, …sample]; a max pool's accumulators, [N, …its input]) and its next value. */
  readonly state: string;
  readonly next: string;
  /** Spikes of this step per image ([N], int64; burst neurons count each of their n spikes). */
  readonly spikes: string;
  readonly sampleShape: readonly number[];
}

export interface LoweredStep {
  readonly staticNodes: readonly O.INodeProto[];
  readonly stepNodes: readonly O.INodeProto[];
  readonly initializers: readonly O.ITensorProto[];
  /** The step index (int64 scalar, 0 at the first step). */
  readonly t: string;
  readonly layers: readonly SpikingLayerState[];
  /** The readout accumulator ([N, classes], f64) and its next value. */
  readonly readout: { readonly state: string; readonly next: string; readonly classes: number };
  readonly inputShape: readonly number[];
  /** A graph-wide unique name (for the nodes a caller adds around the step). */
  fresh(base: string): string;
}

export interface LowerOptions {
  readonly opset: number;
  /** Prefix of the step's public names (t, states, their next values, spike counts). */
  readonly prefix: string;
  /** Names the caller gives public values around the step (claimed first, so no internal value takes them). */
  readonly reserved?: readonly string[];
}

export function lowerStep(graph: Graph, options: LowerOptions): LoweredStep {
  checkExpressible(graph);
  const shapes = sampleShapes(graph);
  const names = new Names();
  names.fresh(IMAGE_INPUT);
  for (const name of options.reserved ?? []) names.fresh(name);
  const t = names.fresh(`${options.prefix}t`);
  const [readoutState, readoutNext] = names.group(`${options.prefix}readout`, ['', '_next']);
  const spikeNodes = graph.nodes.filter((n): n is SpikeNode | SpikeMaxPoolNode => n.op === 'Spike' || n.op === 'SpikeMaxPool');
  const layers: SpikingLayerState[] = spikeNodes.map((n) => {
    const [state, next, spikes] = names.group(`${options.prefix}${n.name}`, ['', '_next', '_spikes']);
    return { node: n.name, state, next, spikes, sampleShape: shapes.get(n.op === 'Spike' ? n.output : n.inputs[0])! };
  });

  const staticValues = findStaticValues(graph, true);
  const staticNodes: O.INodeProto[] = [];
  const stepNodes: O.INodeProto[] = [];
  const initializers: O.ITensorProto[] = [];
  const binary = new Map<string, string>(); // spike output → its count n (θ not applied)
  const amplitude = new Map<string, string>(); // spike output → θ·n, written when first read
  const value = new Map<string, string>([[graph.input.name, IMAGE_INPUT]]);

  let target = stepNodes;
  const emit = (op: string, inputs: readonly string[], attrs: Record<string, AttrValue> = {}, output?: string): string => {
    const out = output ?? names.fresh(`${op.toLowerCase()}`);
    target.push(onnxNode(op, inputs, [out], attrs, names.fresh(`${op}:${out}`)));
    return out;
  };
  const floatConst = (base: string, data: Float32Array, dims: readonly number[]): string => {
    const name = names.fresh(base);
    initializers.push(floatInitializer(name, tensor(dims, data)));
    return name;
  };
  const int64Const = (base: string, values: readonly number[], dims?: readonly number[]): string => {
    const name = names.fresh(base);
    initializers.push(int64Initializer(name, values, dims));
    return name;
  };
  const thetaLayout = (n: SpikeNode, data: Float32Array, suffix: string): string => {
    const sample = shapes.get(n.output)!;
    // One value, one per channel (broadcast over the rest of the sample) or one per unit (v(0) after calibration).
    const dims = data.length === 1 ? [] : data.length === sizeOf(sample) ? [...sample] : [data.length, ...sample.slice(1).map(() => 1)];
    return floatConst(`${n.name}.${suffix}`, data, dims);
  };
  let firstStep: string | null = null; // f32 scalar [t = 0]
  const isFirstStep = (): string => {
    firstStep ??= emit('Cast', [emit('Equal', [t, int64Const('t0', [0], [])])], { to: FLOAT }, names.fresh('first_step'));
    return firstStep;
  };

  /** The value a consumer reads: θ·n for a spiking layer's output (as the simulator materializes it). */
  const read = (name: string): string => {
    const s = binary.get(name);
    if (s === undefined) return value.get(name)!;
    let x = amplitude.get(name);
    if (x === undefined) {
      const spike = spikeSource(graph, name)!; // a max pool's spikes carry its layer's θ
      x = emit('Mul', [s, thetaLayout(spike, spike.threshold.data, 'amplitude')], {}, names.fresh(`${name}.x`));
      amplitude.set(name, x);
    }
    return x;
  };

  const spikeLayer = (n: SpikeNode, layer: SpikingLayerState): void => {
    const theta = thetaLayout(n, n.threshold.data, 'theta');
    let v = layer.state;
    if (n.initialPotential.data.some((x) => x !== 0)) {
      v = emit('Add', [v, emit('Mul', [thetaLayout(n, n.initialPotential.data, 'v0'), isFirstStep()])]);
    }
    const u = emit('Add', [v, read(n.inputs[0])], {}, names.fresh(`${n.name}.v`));
    const fire = emit('GreaterOrEqual', [u, theta]);
    let s: string;
    if (n.maxSpikesPerStep === 1) {
      s = emit('Cast', [fire], { to: FLOAT }, names.fresh(`${n.name}.s`));
      if (n.reset === 'soft') emit('Sub', [u, emit('Mul', [s, theta])], {}, layer.next);
    } else {
      // ⌊v/θ⌋ and v − θ·n in f64, then rounded once to f32: exactly what the JavaScript loop computes.
      const uD = emit('Cast', [u], { to: DOUBLE });
      const thetaD = emit('Cast', [theta], { to: DOUBLE });
      const gamma = emit('Cast', [floatConst(`${n.name}.gamma`, Float32Array.of(n.maxSpikesPerStep), [])], { to: DOUBLE });
      const zero = emit('Cast', [floatConst(`${n.name}.zero`, Float32Array.of(0), [])], { to: DOUBLE });
      const count = emit('Where', [fire, emit('Min', [emit('Floor', [emit('Div', [uD, thetaD])]), gamma]), zero]);
      s = emit('Cast', [count], { to: FLOAT }, names.fresh(`${n.name}.s`));
      if (n.reset === 'soft') emit('Cast', [emit('Sub', [uD, emit('Mul', [thetaD, count])])], { to: FLOAT }, layer.next);
    }
    if (n.reset === 'hard') emit('Where', [fire, floatConst(`${n.name}.reset`, Float32Array.of(0), []), u], {}, layer.next);
    const axes = int64Const(
      `${n.name}.axes`,
      layer.sampleShape.map((_, i) => i + 1),
    );
    emit('Cast', [emit('ReduceSum', [s, axes], { keepdims: 0 })], { to: INT64 }, layer.spikes);
    binary.set(n.output, s);
  };

  const poolLayer = (n: SpikeMaxPoolNode, layer: SpikingLayerState): void => {
    const [C, H, W] = layer.sampleShape;
    const [kh, kw] = n.kernel;
    const [oh, ow] = [Math.floor(H / kh), Math.floor(W / kw)];
    const a = emit('Add', [layer.state, binary.get(n.inputs[0])!], {}, names.fresh(`${n.name}.a`));
    const o = emit('MaxPool', [a], { kernel_shape: [kh, kw], strides: [kh, kw] }, names.fresh(`${n.name}.s`));
    const windows = emit('Unsqueeze', [o, int64Const(`${n.name}.axes`, [3, 5])]); // [N, C, oh, 1, ow, 1]
    const each = emit('Expand', [windows, int64Const(`${n.name}.window`, [1, 1, 1, kh, 1, kw])]);
    let spread = emit('Reshape', [each, int64Const(`${n.name}.grid`, [0, C, oh * kh, ow * kw])]);
    if (oh * kh !== H || ow * kw !== W) {
      const pads = int64Const(`${n.name}.pads`, [0, 0, 0, 0, 0, 0, H - oh * kh, W - ow * kw]);
      spread = emit('Pad', [spread, pads, floatConst(`${n.name}.zero`, Float32Array.of(0), [])], { mode: 'constant' });
    }
    emit('Sub', [a, spread], {}, layer.next);
    const axes = int64Const(`${n.name}.sum_axes`, [1, 2, 3]);
    emit('Cast', [emit('ReduceSum', [o, axes], { keepdims: 0 })], { to: INT64 }, layer.spikes);
    binary.set(n.output, o);
  };

  const segment = (chain: readonly Node[]): void => {
    const input = chain[0].inputs[0];
    const inputShape = shapes.get(input)!;
    const producer = spikeSource(graph, input);
    const folded = producer ? foldThreshold(chain, producer.threshold.data, inputShape) : null;
    const feed = folded ? binary.get(input)! : read(input);
    const last = chain[chain.length - 1].output;
    const sub: Graph = { input: { name: input, shape: [null, ...inputShape] }, output: last, nodes: folded ?? chain };
    const model = onnx.ModelProto.decode(graphToOnnx(sub, { opset: options.opset }));
    const rename = new Map<string, string>([[input, feed]]);
    for (const n of chain) rename.set(n.output, names.fresh(n.output));
    const mapped = (name: string): string => {
      if (name === '') return name;
      if (!rename.has(name)) rename.set(name, names.fresh(name));
      return rename.get(name)!;
    };
    for (const init of model.graph?.initializer ?? []) initializers.push({ ...init, name: mapped(init.name ?? '') });
    for (const n of model.graph?.node ?? []) {
      target.push({
        ...n,
        input: (n.input ?? []).map(mapped),
        output: (n.output ?? []).map(mapped),
        name: names.fresh(n.name ?? 'node'),
      });
    }
    for (const n of chain) value.set(n.output, rename.get(n.output)!);
  };

  const done = new Set<Node>();
  for (const n of graph.nodes) {
    if (done.has(n)) continue;
    target = staticValues.has(n.output) ? staticNodes : stepNodes;
    if (n.op === 'Spike') {
      spikeLayer(n, layers[spikeNodes.indexOf(n)]);
    } else if (n.op === 'SpikeMaxPool') {
      poolLayer(n, layers[spikeNodes.indexOf(n)]);
    } else if (n.op === 'Add') {
      // The simulator adds the operands in order into zeros: ((x0 + x1) + x2) …
      const sum = n.inputs.slice(1).reduce((acc, input) => emit('Add', [acc, read(input)]), read(n.inputs[0]));
      value.set(n.output, n.inputs.length === 1 ? emit('Identity', [sum]) : sum);
    } else if (n.op === 'Concat') {
      value.set(n.output, emit('Concat', n.inputs.map(read), { axis: 1 }, names.fresh(n.output)));
    } else {
      const chain = extendChain(graph, n);
      chain.forEach((c) => done.add(c));
      segment(chain);
    }
    done.add(n);
  }

  target = stepNodes;
  const outputShape = shapes.get(graph.output)!;
  let current = read(graph.output);
  if (outputShape.length !== 1) current = emit('Flatten', [current], { axis: 1 });
  emit('Add', [readoutState, emit('Cast', [current], { to: DOUBLE })], {}, readoutNext);
  return {
    staticNodes,
    stepNodes,
    initializers,
    t,
    layers,
    readout: { state: readoutState, next: readoutNext, classes: sizeOf(outputShape) },
    inputShape: shapes.get(graph.input.name)!,
    fresh: (base) => names.fresh(base),
  };
}

/** Refuses, naming the node, what the step cannot express. */
function checkExpressible(graph: Graph): void {
  if (!graph.nodes.some((n) => n.op === 'Spike')) throw new ExportError('the graph has no spiking layer: is it a converted SNN?');
  for (const n of graph.nodes) {
    if (n.op === 'MaxPool')
      throw new ExportError('MaxPool has no spiking form (the max of spikes is not the max of rates); use AvgPool', n.name);
    if (n.op === 'Concat' && n.axis !== 1)
      throw new ExportError(`Concat along axis ${n.axis}: only channel Concat (axis 1) is exported`, n.name);
    const unsupported = n.op === 'Spike' ? neuronUnsupported(n.neuron, 'onnx') : null;
    if (unsupported !== null) throw new ExportError(unsupported, n.name);
  }
}

/** Public names are claimed first (as asked, or `base_1`, … if taken); internal names never clash with them. */
class Names {
  private readonly used = new Set<string>();
  /** Claims base + every suffix for the first base (`base`, `base_1`, …) whose names are all free. */
  group(base: string, suffixes: readonly string[]): string[] {
    for (let i = 0; ; i++) {
      const names = suffixes.map((s) => `${i === 0 ? base : `${base}_${i}`}${s}`);
      if (names.some((n) => this.used.has(n))) continue;
      names.forEach((n) => this.used.add(n));
      return names;
    }
  }
  fresh(base: string): string {
    let name = base;
    for (let i = 1; this.used.has(name); i++) name = `${base}_${i}`;
    this.used.add(name);
    return name;
  }
}
