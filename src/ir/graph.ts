/**
 * The graph IR: a DAG of plain, readonly nodes in topological order. Every node reads named values
 * (`inputs`) and writes exactly one named value (`output`). Tensors are NCHW (or [N, F] after
 * Flatten/Dense); dimension 0 is the batch and is symbolic in `GraphInput.shape` (null).
 *
 * No arithmetic lives here: backends give the nodes their meaning, the reference backend defines it.
 */
import type { Tensor } from '../tensor/tensor.js';

interface NodeBase {
  /** Unique node name (from the ONNX file or generated); errors name nodes by it. */
  readonly name: string;
  readonly inputs: readonly string[];
  readonly output: string;
}

/** Padding as [top, left, bottom, right] (ONNX order is [top, left, bottom, right] for 2-D). */
export type Pads2d = readonly [number, number, number, number];
export type Pair = readonly [number, number];

/** y[n,o,i,j] = b[o] + Σ_{c,p,q} W[o,c,p,q] · x[n, g·C/G + c, i·s0 + p·d0 − pad0, j·s1 + q·d1 − pad1] */
export interface Conv2dNode extends NodeBase {
  readonly op: 'Conv2d';
  readonly weight: Tensor; // [O, C/groups, kh, kw]
  readonly bias: Tensor | null; // [O]
  readonly strides: Pair;
  readonly pads: Pads2d;
  readonly dilations: Pair;
  readonly groups: number;
}

/** y = x Wᵀ + b, x: [N, I], W: [O, I], b: [O] */
export interface DenseNode extends NodeBase {
  readonly op: 'Dense';
  readonly weight: Tensor;
  readonly bias: Tensor | null;
}

/** y = γ (x − μ) / √(σ² + ε) + β, per channel (axis 1) */
export interface BatchNormNode extends NodeBase {
  readonly op: 'BatchNorm';
  readonly scale: Tensor;
  readonly bias: Tensor;
  readonly mean: Tensor;
  readonly variance: Tensor;
  readonly epsilon: number;
}

interface PoolBase extends NodeBase {
  readonly kernel: Pair;
  readonly strides: Pair;
  readonly pads: Pads2d;
  readonly ceilMode: boolean;
}

/** y = mean of the window; with `countIncludePad` the padded zeros count in the divisor. */
export interface AvgPoolNode extends PoolBase {
  readonly op: 'AvgPool';
  readonly countIncludePad: boolean;
}

/** y = max of the window (padding is −∞). */
export interface MaxPoolNode extends PoolBase {
  readonly op: 'MaxPool';
}

/** y[n,c] = mean over h,w of x[n,c,h,w]; output [N, C, 1, 1] like ONNX. */
export interface GlobalAvgPoolNode extends NodeBase {
  readonly op: 'GlobalAvgPool';
}

/** [d0, …, dk, …] → [d0·…·d(axis−1), d(axis)·…] (ONNX Flatten). */
export interface FlattenNode extends NodeBase {
  readonly op: 'Flatten';
  readonly axis: number;
}

/** ONNX Reshape semantics: 0 copies the input dimension, −1 is inferred. */
export interface ReshapeNode extends NodeBase {
  readonly op: 'Reshape';
  readonly shape: readonly number[];
}

/** y = x0 + x1 (same shape; no broadcasting beyond equal shapes). */
export interface AddNode extends NodeBase {
  readonly op: 'Add';
}

export interface ConcatNode extends NodeBase {
  readonly op: 'Concat';
  readonly axis: number;
}

/** y = max(x, 0) */
export interface ReluNode extends NodeBase {
  readonly op: 'Relu';
}

/** y = min(max(x, min), max): with min = 0 this is the threshold ReLU clip(x, 0, θ), θ = max. */
export interface ClipNode extends NodeBase {
  readonly op: 'Clip';
  readonly min: number;
  readonly max: number;
}

/**
 * The QCFS activation (Bu et al., ICLR 2022; docs/method.md §9), λ = max, L = levels:
 *   y = λ · clip(⌊x·L/λ + 1/2⌋ / L, 0, 1)
 * evaluated in f32 in this order: u = x / λ; u·L; + 1/2; floor; / L; clip to [0, 1]; · λ (the ONNX
 * form writes the same chain, so both backends agree to the bit). Its values are the L + 1 levels
 * λ·k/L; an IF neuron with θ = λ and v(0) = θ/2 spikes L·y/λ times in L steps for a constant input x.
 */
export interface QuantClipNode extends NodeBase {
  readonly op: 'QuantClip';
  /** λ > 0: the ceiling (and the SNN threshold). */
  readonly max: number;
  /** L ≥ 1: quantization levels above 0. */
  readonly levels: number;
}

/** y = x (Dropout at inference is the identity). */
export interface IdentityNode extends NodeBase {
  readonly op: 'Identity' | 'Dropout';
}

/** y = exp(x) / Σ exp(x) along `axis`; readout only (argmax is unchanged by it). */
export interface SoftmaxNode extends NodeBase {
  readonly op: 'Softmax';
  readonly axis: number;
}

/** Constant padding of H and W by `pads` = [top, left, bottom, right] with `value`. */
export interface PadNode extends NodeBase {
  readonly op: 'Pad';
  readonly pads: Pads2d;
  readonly value: number;
}

/**
 * A layer of spiking neurons (SNN graphs only). Per step t, for every unit, for IF neurons:
 *   v ← v + I(t);  s = [v ≥ θ];  v ← v − θ·s (soft) or v·(1 − s) (hard);  output x(t) = θ·s
 * Other kinds (`neuron`) update differently (src/neurons/: the signed neuron's s is −1, 0 or 1); the output is θ·s for all.
 * The output carries amplitude θ (docs/method.md §1); the engines keep s as a count and fold θ into a
 * following Conv/Dense, which is the same thing (the oracle applies θ·s as written). Backends do not run this node; simulate/ does.
 */
export interface SpikeNode extends NodeBase {
  readonly op: 'Spike';
  /** Key into the neuron table (src/neurons/index.ts): 'if', 'signed'. */
  readonly neuron: string;
  readonly reset: 'soft' | 'hard';
  /** θ: one value (layer-wise) or one per channel (axis 1). */
  readonly threshold: Tensor;
  /**
   * v(0): one value, one per channel, or one per unit (the whole sample shape, channels first: what
   * advanced calibration writes). θ/2 for the T-independent shift, 0 otherwise, unless calibrated.
   */
  readonly initialPotential: Tensor;
  /** γ: the most spikes one neuron emits in one step (1 = IF; > 1 = burst neuron). */
  readonly maxSpikesPerStep: number;
}

/**
 * Exact max pooling of spike trains (SNN graphs only; lateral-inhibition pooling, docs/method.md §5).
 * Windows of kernel[0] × kernel[1] with stride = kernel and no padding (trailing rows and columns
 * that fill no window are dropped, as MaxPool drops them). Per window w, step t and input unit j ∈ w,
 * with accumulators A_j(0) = 0:
 *   A_j ← A_j + x_j(t);   y_w(t) = max_{j∈w} A_j;   A_j ← A_j − y_w(t)
 * so that Σ_{τ≤t} y_w(τ) = max_{j∈w} Σ_{τ≤t} x_j(τ) at every t: the cumulative output is the max
 * of the cumulative inputs. The input is a spiking layer's output x = θ·s (θ per layer or channel),
 * so y = θ·o with o ∈ {0, 1} (0..γ for burst neurons): the engines pool the spike counts and keep θ
 * folded. Stepped by the simulator, never by a backend.
 */
export interface SpikeMaxPoolNode extends NodeBase {
  readonly op: 'SpikeMaxPool';
  /** Window height and width, which are also the strides. */
  readonly kernel: Pair;
}

export type Node =
  | Conv2dNode
  | DenseNode
  | BatchNormNode
  | AvgPoolNode
  | MaxPoolNode
  | GlobalAvgPoolNode
  | FlattenNode
  | ReshapeNode
  | AddNode
  | ConcatNode
  | ReluNode
  | ClipNode
  | QuantClipNode
  | IdentityNode
  | SoftmaxNode
  | PadNode
  | SpikeNode
  | SpikeMaxPoolNode;

export type OpType = Node['op'];

export interface GraphInput {
  readonly name: string;
  /** Dimension 0 is the batch: null when symbolic. */
  readonly shape: readonly (number | null)[];
}

export interface Graph {
  readonly input: GraphInput;
  readonly output: string;
  /** Topologically sorted. */
  readonly nodes: readonly Node[];
}

/** The node that writes `value`, or undefined for the graph input. */
export function producerOf(graph: Graph, value: string): Node | undefined {
  return graph.nodes.find((n) => n.output === value);
}

/** The nodes that the given values depend on, in graph (topological) order. */
export function nodesNeededFor(graph: Graph, values: readonly string[]): Node[] {
  const producer = new Map(graph.nodes.map((n) => [n.output, n]));
  const needed = new Set<Node>();
  const stack = [...values];
  while (stack.length > 0) {
    const n = producer.get(stack.pop() as string);
    if (n === undefined || needed.has(n)) continue;
    needed.add(n);
    stack.push(...n.inputs);
  }
  return graph.nodes.filter((n) => needed.has(n));
}

/** Nodes that read `value`. */
export function consumersOf(graph: Graph, value: string): Node[] {
  return graph.nodes.filter((n) => n.inputs.includes(value));
}

/** Number of learned parameters (weights, biases, BatchNorm affine and statistics). */
export function parameterCount(node: Node): number {
  switch (node.op) {
    case 'Conv2d':
    case 'Dense':
      return node.weight.data.length + (node.bias?.data.length ?? 0);
    case 'BatchNorm':
      return node.scale.data.length * 4;
    default:
      return 0;
  }
}

export class GraphError extends Error {
  override readonly name = 'GraphError';
  constructor(
    message: string,
    /** The node at fault, when there is one. */
    readonly nodeName?: string,
  ) {
    super(nodeName === undefined ? message : `node '${nodeName}': ${message}`);
  }
}
