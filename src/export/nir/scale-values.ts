/**
 * Exact rescaling of values inside an IR graph, used to move NIR's and ann2snn's conventions into
 * each other (θ folded into weights, SumPool = AvgPool·k², IF r/v_threshold):
 *   scaleValue(v, g, reader):  `reader` sees g ⊙ v instead of v   (pushed back into the producer)
 *   scaleReaders(v, g):        every reader of v sees g ⊙ v        (pushed forward into the readers)
 * g is one factor per channel (rank-4 values) or per feature (rank-2 values), in float64 so that a
 * weight is rounded to float32 once per rewrite (W·θ_S/θ_L: one rounding of the exact quotient). Both push the factor
 * through channel-wise linear ops (AvgPool, GlobalAvgPool, Flatten, Add, Concat) into the rows
 * (weights and bias) or columns (weights) of a Conv2d/Dense; where none is reachable, or a value
 * has other readers, a diagonal 1×1 Conv2d / Dense is inserted (W = diag(g), no bias).
 */
import { scaleInputs } from '../../simulate/fold-threshold.js';
import type { Conv2dNode, DenseNode, Graph, GraphInput, Node } from '../../ir/graph.js';
import { sampleShapes } from '../../ir/shapes.js';
import { tensor } from '../../tensor/tensor.js';

/** A graph under rewriting: nodes stay in topological order. */
export interface Net {
  readonly input: GraphInput;
  output: string;
  nodes: Node[];
  readonly shapes: Map<string, readonly number[]>;
  /** Values whose scale is irrelevant to their readers (argmax of the readout), or null. */
  readonly free: ReadonlySet<string>;
}

export function netOf(graph: Graph, free: readonly string[] = []): Net {
  return { input: graph.input, output: graph.output, nodes: [...graph.nodes], shapes: sampleShapes(graph), free: new Set(free) };
}

export function graphOf(net: Net): Graph {
  return { input: net.input, output: net.output, nodes: net.nodes };
}

const isOne = (g: Float64Array): boolean => g.every((x) => x === 1);
const isUniform = (g: Float64Array): boolean => g.every((x) => x === g[0]);

/** Units per channel of a value: H·W for [C, H, W], 1 for [F]. */
function channelsOf(net: Net, value: string): number {
  return net.shapes.get(value)![0];
}

function readersOf(net: Net, value: string): Node[] {
  return net.nodes.filter((n) => n.inputs.includes(value));
}

function readCount(net: Net, value: string): number {
  let count = value === net.output ? 1 : 0;
  for (const n of net.nodes) for (const i of n.inputs) if (i === value) count++;
  return count;
}

/** The node's present version (earlier rewrites may have replaced the object). */
function current<N extends Node>(net: Net, node: N): N {
  return net.nodes.find((n) => n.name === node.name) as N;
}

function replaceNode(net: Net, old: Node, next: Node): void {
  net.nodes[net.nodes.findIndex((n) => n.name === old.name)] = next;
}

/** `reader` sees gain ⊙ value. */
export function scaleValue(net: Net, value: string, gain: Float64Array, reader: Node | 'output'): void {
  if (isOne(gain)) return;
  const producer = net.nodes.find((n) => n.output === value);
  if (producer && readCount(net, value) === 1) {
    switch (producer.op) {
      case 'Conv2d':
      case 'Dense':
        replaceNode(net, producer, scaleRows(current(net, producer), gain));
        return;
      case 'AvgPool':
      case 'GlobalAvgPool':
        scaleValue(net, producer.inputs[0], gain, producer);
        return;
      case 'Flatten': {
        const inner = net.shapes.get(producer.inputs[0])!;
        const perChannel = perChannelOf(gain, inner);
        if (perChannel) {
          scaleValue(net, producer.inputs[0], perChannel, producer);
          return;
        }
        break;
      }
      case 'Add':
        for (const input of new Set(producer.inputs)) scaleValue(net, input, gain, producer);
        return;
      case 'Concat': {
        let offset = 0;
        for (const input of producer.inputs) {
          const c = channelsOf(net, input);
          scaleValue(net, input, gain.slice(offset, offset + c), producer);
          offset += c;
        }
        return;
      }
      default:
        break;
    }
  }
  insertDiagonal(net, value, gain, reader === 'output' ? [] : [reader], reader === 'output');
}

/** Every reader of `value` sees gain ⊙ value (the graph output too, unless `value` is free and g uniform). */
export function scaleReaders(net: Net, value: string, gain: Float64Array): void {
  if (isOne(gain)) return;
  const direct: Node[] = [];
  for (const reader of readersOf(net, value)) {
    switch (reader.op) {
      case 'Conv2d':
      case 'Dense':
        replaceNode(net, reader, scaleColumns(current(net, reader), gain, net.shapes.get(value)!));
        break;
      case 'AvgPool':
      case 'GlobalAvgPool':
        scaleReaders(net, reader.output, gain);
        break;
      case 'Flatten':
        scaleReaders(net, reader.output, perFeatureOf(gain, net.shapes.get(value)!));
        break;
      case 'Concat': {
        const widened = new Float64Array(channelsOf(net, reader.output)).fill(1);
        let offset = 0;
        for (const input of reader.inputs) {
          const c = channelsOf(net, input);
          if (input === value) widened.set(gain, offset);
          offset += c;
        }
        scaleReaders(net, reader.output, widened);
        break;
      }
      default:
        direct.push(reader);
    }
  }
  const output = value === net.output && !(net.free.has(value) && isUniform(gain) && gain[0] > 0);
  if (direct.length > 0 || output) insertDiagonal(net, value, gain, direct, output);
}

/** Inserts D = diag(gain)·value right after its producer and makes `readers` (and the output) read D. */
function insertDiagonal(net: Net, value: string, gain: Float64Array, readers: readonly Node[], output: boolean): void {
  const shape = net.shapes.get(value)!;
  const name = uniqueName(net, `${value}_scale`);
  const c = gain.length;
  const w = new Float32Array(c * c);
  for (let i = 0; i < c; i++) w[i * c + i] = gain[i];
  const node: Conv2dNode | DenseNode =
    shape.length === 3
      ? {
          op: 'Conv2d',
          name,
          inputs: [value],
          output: name,
          weight: tensor([c, c, 1, 1], w),
          bias: null,
          strides: [1, 1],
          pads: [0, 0, 0, 0],
          dilations: [1, 1],
          groups: 1,
        }
      : { op: 'Dense', name, inputs: [value], output: name, weight: tensor([c, c], w), bias: null };
  for (const reader of readers) {
    const now = current(net, reader);
    replaceNode(net, now, { ...now, inputs: now.inputs.map((i) => (i === value ? name : i)) } as Node);
  }
  if (output) net.output = name;
  const at = net.nodes.findIndex((n) => n.output === value) + 1;
  net.nodes.splice(at, 0, node);
  net.shapes.set(name, shape);
}

function uniqueName(net: Net, base: string): string {
  const taken = new Set<string>([net.input.name, ...net.nodes.flatMap((n) => [n.name, n.output])]);
  let name = base;
  for (let k = 2; taken.has(name); k++) name = `${base}_${k}`;
  return name;
}

/** Output channel o of a Conv2d/Dense (weights and bias) times gain[o]. */
function scaleRows<N extends Conv2dNode | DenseNode>(node: N, gain: Float64Array): N {
  const rows = node.weight.shape[0];
  const per = node.weight.data.length / rows;
  const w = node.weight.data.slice();
  for (let o = 0; o < rows; o++) for (let k = 0; k < per; k++) w[o * per + k] *= gain[o];
  const bias = node.bias
    ? tensor(
        node.bias.shape,
        node.bias.data.map((b, o) => b * gain[o]),
      )
    : null;
  return { ...node, weight: tensor(node.weight.shape, w), bias };
}

/** Input channel (Conv2d) or feature (Dense) i of the weights times gain[i]: θ folding's one home (scaleInputs). */
function scaleColumns<N extends Conv2dNode | DenseNode>(node: N, gain: Float64Array, inputShape: readonly number[]): N {
  const g = node.op === 'Dense' ? perFeatureOf(gain, inputShape) : gain;
  return scaleInputs(node, (i) => g[i]);
}

/** Per-channel factors of [C, H, W] spread over the C·H·W features of its flattening. */
function perFeatureOf(gain: Float64Array, shape: readonly number[]): Float64Array {
  if (shape.length !== 3) return gain;
  const inner = shape[1] * shape[2];
  const out = new Float64Array(gain.length * inner);
  for (let c = 0; c < gain.length; c++) out.fill(gain[c], c * inner, (c + 1) * inner);
  return out;
}

/** The per-channel factors of per-feature ones over [C, H, W], or null when a channel's differ. */
function perChannelOf(gain: Float64Array, shape: readonly number[]): Float64Array | null {
  if (shape.length !== 3) return gain;
  const inner = shape[1] * shape[2];
  const out = new Float64Array(shape[0]);
  for (let c = 0; c < shape[0]; c++) {
    out[c] = gain[c * inner];
    for (let k = 1; k < inner; k++) if (gain[c * inner + k] !== out[c]) return null;
  }
  return out;
}

/** θ (one value or one per channel) as one factor per channel of a value of `shape`. */
export function perChannel(theta: ArrayLike<number>, shape: readonly number[], map: (t: number) => number): Float64Array {
  const c = shape[0];
  return Float64Array.from({ length: c }, (_, i) => map(theta.length === 1 ? theta[0] : theta[i]));
}
