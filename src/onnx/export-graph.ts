/**
 * IR → ONNX bytes: `graphToOnnx(g)` writes the graph as a standard ONNX model (opset 17 by default)
 * whose outputs are the requested values, for ONNX Runtime sessions and for export.
 *
 * The batch dimension is symbolic ('N') in the input and in every output whose shape scales with
 * the batch only along dimension 0; an output whose other dimensions depend on the batch (e.g.
 * Flatten with axis 0) is declared without a shape. Spike nodes have no ONNX form: they are
 * refused up front, naming the node.
 */
import type { onnx as O } from 'onnx-proto';
import { GraphError, type Graph, type Node } from '../ir/graph.js';
import { inferShapes, type ShapeMap } from '../ir/shapes.js';
import { tensor } from '../tensor/tensor.js';
import { encodeModel, floatInitializer, int64Initializer, node as onnxNode, valueInfo } from './builder.js';

export interface GraphToOnnxOptions {
  /** Values to expose as model outputs (any node output); defaults to [graph.output]. */
  readonly outputs?: readonly string[];
  /** ONNX opset, ≥ 13 (Softmax-per-axis, Clip and Pad with tensor inputs); default 17. */
  readonly opset?: number;
}

/** The lowest opset whose operator semantics match the IR (Softmax on one axis, Clip/Pad inputs). */
const MIN_OPSET = 13;

export function graphToOnnx(graph: Graph, options: GraphToOnnxOptions = {}): Uint8Array {
  const opset = options.opset ?? 17;
  if (!Number.isInteger(opset) || opset < MIN_OPSET) {
    throw new GraphError(`opset ${opset} is not supported: graphToOnnx writes opset ${MIN_OPSET} or later`);
  }
  const spike = graph.nodes.find((n) => n.op === 'Spike');
  if (spike) throw new GraphError('Spike nodes have no ONNX form (the simulator runs them); split the graph around them', spike.name);

  const shapes1 = inferShapes(graph, 1);
  const shapes2 = tryInferShapes(graph, 2);
  const outputs = dedupe(options.outputs ?? [graph.output]);
  for (const name of outputs) {
    if (!shapes1.has(name)) throw new GraphError(`requested output '${name}' is not a value of the graph`);
    if (name === graph.input.name) throw new GraphError(`requested output '${name}' is the graph input itself`);
  }

  const names = new NameTable(graph);
  const nodes: O.INodeProto[] = [];
  const initializers: O.ITensorProto[] = [];
  for (const n of neededNodes(graph, outputs)) {
    const { node, inits } = writeNode(n, names);
    nodes.push(node);
    initializers.push(...inits);
  }

  const inputShape = graph.input.shape.map((d, i) => (i === 0 ? null : d));
  return encodeModel({
    nodes,
    initializers,
    inputs: [valueInfo(graph.input.name, inputShape)],
    outputs: outputs.map((name) => outputInfo(name, shapes1, shapes2)),
    opset,
    name: 'ann2snn',
  });
}

/** The nodes that the requested values depend on, in graph (topological) order. */
function neededNodes(graph: Graph, outputs: readonly string[]): Node[] {
  const producer = new Map(graph.nodes.map((n) => [n.output, n]));
  const needed = new Set<Node>();
  const stack = [...outputs];
  while (stack.length > 0) {
    const n = producer.get(stack.pop() as string);
    if (n === undefined || needed.has(n)) continue;
    needed.add(n);
    stack.push(...n.inputs);
  }
  return graph.nodes.filter((n) => needed.has(n));
}

function writeNode(n: Node, names: NameTable): { node: O.INodeProto; inits: O.ITensorProto[] } {
  const inits: O.ITensorProto[] = [];
  /** Adds a float initializer named after the node and returns its (unique) name. */
  const float = (suffix: string, values: Float32Array, dims: readonly number[]): string => {
    const name = names.fresh(`${n.name}.${suffix}`);
    inits.push(floatInitializer(name, tensor(dims, values)));
    return name;
  };
  const scalar = (suffix: string, value: number): string => float(suffix, Float32Array.of(value), []);
  const int64 = (suffix: string, values: readonly number[]): string => {
    const name = names.fresh(`${n.name}.${suffix}`);
    inits.push(int64Initializer(name, values));
    return name;
  };
  const make = (opType: string, inputs: readonly string[], attrs: Parameters<typeof onnxNode>[3] = {}): O.INodeProto =>
    onnxNode(opType, inputs, [n.output], attrs, n.name);

  switch (n.op) {
    case 'Conv2d': {
      const inputs = [n.inputs[0], float('weight', n.weight.data, n.weight.shape)];
      if (n.bias) inputs.push(float('bias', n.bias.data, [n.bias.data.length]));
      const [, , kh, kw] = n.weight.shape;
      const attrs = { kernel_shape: [kh, kw], strides: [...n.strides], pads: [...n.pads], dilations: [...n.dilations], group: n.groups };
      return { node: make('Conv', inputs, attrs), inits };
    }
    case 'Dense': {
      const inputs = [n.inputs[0], float('weight', n.weight.data, n.weight.shape)];
      if (n.bias) inputs.push(float('bias', n.bias.data, [n.bias.data.length]));
      return { node: make('Gemm', inputs, { transB: 1 }), inits };
    }
    case 'BatchNorm': {
      const c = [n.scale.data.length];
      const inputs = [
        n.inputs[0],
        float('scale', n.scale.data, c),
        float('bias', n.bias.data, c),
        float('mean', n.mean.data, c),
        float('variance', n.variance.data, c),
      ];
      return { node: make('BatchNormalization', inputs, { epsilon: { float: n.epsilon } }), inits };
    }
    case 'AvgPool':
    case 'MaxPool': {
      const attrs: Parameters<typeof onnxNode>[3] = {
        kernel_shape: [...n.kernel],
        strides: [...n.strides],
        pads: [...n.pads],
        ceil_mode: n.ceilMode ? 1 : 0,
      };
      if (n.op === 'AvgPool') attrs.count_include_pad = n.countIncludePad ? 1 : 0;
      return { node: make(n.op === 'AvgPool' ? 'AveragePool' : 'MaxPool', n.inputs, attrs), inits };
    }
    case 'GlobalAvgPool':
      return { node: make('GlobalAveragePool', n.inputs), inits };
    case 'Flatten':
      return { node: make('Flatten', n.inputs, { axis: n.axis }), inits };
    case 'Reshape':
      return { node: make('Reshape', [n.inputs[0], int64('shape', n.shape)]), inits };
    case 'Add':
      return { node: make('Add', n.inputs), inits };
    case 'Concat':
      return { node: make('Concat', n.inputs, { axis: n.axis }), inits };
    case 'Relu':
      return { node: make('Relu', n.inputs), inits };
    case 'Clip':
      return { node: make('Clip', [n.inputs[0], scalar('min', n.min), scalar('max', n.max)]), inits };
    case 'Identity':
    case 'Dropout':
      return { node: make('Identity', n.inputs), inits };
    case 'Softmax':
      return { node: make('Softmax', n.inputs, { axis: n.axis }), inits };
    case 'Pad': {
      const [top, left, bottom, right] = n.pads;
      const pads = int64('pads', [0, 0, top, left, 0, 0, bottom, right]);
      return { node: make('Pad', [n.inputs[0], pads, scalar('value', n.value)], { mode: 'constant' }), inits };
    }
    case 'Spike':
      throw new GraphError('Spike nodes have no ONNX form', n.name);
  }
}

/**
 * An output's value_info: dimension 0 symbolic when the shape is [N, fixed…]; no shape at all when
 * the batch leaks into other dimensions (or the shape cannot be inferred for a batch of 2).
 */
function outputInfo(name: string, shapes1: ShapeMap, shapes2: ShapeMap | null): O.IValueInfoProto {
  const s1 = shapes1.get(name) as readonly number[];
  const s2 = shapes2?.get(name);
  const batchOnly = s2 !== undefined && s1.length === s2.length && s1.every((d, i) => (i === 0 ? d === 1 && s2[0] === 2 : d === s2[i]));
  if (batchOnly)
    return valueInfo(
      name,
      s1.map((d, i) => (i === 0 ? null : d)),
    );
  const { type } = valueInfo(name, []);
  return { name, type: { tensorType: { elemType: type?.tensorType?.elemType } } };
}

function tryInferShapes(graph: Graph, batch: number): ShapeMap | null {
  try {
    return inferShapes(graph, batch);
  } catch {
    return null; // e.g. a Reshape to a fixed batch of 1: valid for one sample only
  }
}

function dedupe(names: readonly string[]): string[] {
  return [...new Set(names)];
}

/** Hands out initializer names derived from node names, never clashing with graph values or each other. */
class NameTable {
  private readonly used = new Set<string>();
  constructor(graph: Graph) {
    this.used.add(graph.input.name);
    for (const n of graph.nodes) this.used.add(n.output);
  }
  fresh(base: string): string {
    let name = base;
    for (let i = 1; this.used.has(name); i++) name = `${base}_${i}`;
    this.used.add(name);
    return name;
  }
}
