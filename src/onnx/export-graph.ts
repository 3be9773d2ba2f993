/**
 * IR → ONNX bytes: `graphToOnnx(g)` writes the graph as a standard ONNX model (opset 17 by default)
 * whose outputs are the requested values, for ONNX Runtime sessions and for export.
 *
 * The batch dimension is symbolic ('N') in the input and in every output whose shape scales with
 * the batch only along dimension 0; an output whose other dimensions depend on the batch (e.g.
 * Flatten with axis 0) is declared without a shape. Only the nodes the outputs depend on are
 * written. Spike nodes have no ONNX form: they are refused up front, naming the node.
 *
 * Two ONNX Runtime quirks are handled here so that sessions agree with the reference backend: pools
 * with pads ≥ kernel (refused by ORT) read an explicit Pad (`poolInput`), and zero Pads before pools
 * are written as −0 so ORT's PadFusion leaves them alone (`UNFUSABLE_ZERO`).
 */
import type { onnx as O } from 'onnx-proto';
import {
  GraphError,
  nodesNeededFor,
  type AvgPoolNode,
  type Graph,
  type MaxPoolNode,
  type Node,
  type Pads2d,
  type QuantClipNode,
} from '../ir/graph.js';
import { inferShapes, windowOut, type ShapeMap } from '../ir/shapes.js';
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
  const poolInputs = new Set(graph.nodes.filter((n) => n.op === 'AvgPool' || n.op === 'MaxPool').map((n) => n.inputs[0]));
  const context: WriteContext = { shapes: shapes1, poolInputs };
  const nodes: O.INodeProto[] = [];
  const initializers: O.ITensorProto[] = [];
  for (const n of nodesNeededFor(graph, outputs)) {
    const { node, inits } = writeNode(n, names, context);
    nodes.push(...(Array.isArray(node) ? node : [node]));
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

/**
 * −0 for the value of a zero Pad that feeds a pool. ONNX Runtime's PadFusion folds a Pad whose value
 * has all-zero bytes into the next pool's pads, which is wrong for MaxPool (its pads are −∞: measured
 * on 1.30, a zero Pad before MaxPool came out as if it were −∞), can shift ceil-mode windows, and
 * writes pads ≥ kernel that the pool then refuses. −0 has a sign byte, so the Pad stays; it is 0 in
 * every sum and comparison.
 */
const UNFUSABLE_ZERO = -0;

interface WriteContext {
  /** Shapes for a batch of 1 (the spatial sizes pools need). */
  readonly shapes: ShapeMap;
  /** Values read by AvgPool or MaxPool nodes. */
  readonly poolInputs: ReadonlySet<string>;
}

function writeNode(n: Node, names: NameTable, context: WriteContext): { node: O.INodeProto | O.INodeProto[]; inits: O.ITensorProto[] } {
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
      const [input, pads, padNode] = poolInput(n, names, context.shapes, inits);
      const attrs: Parameters<typeof onnxNode>[3] = {
        kernel_shape: [...n.kernel],
        strides: [...n.strides],
        pads: [...pads],
        ceil_mode: n.ceilMode ? 1 : 0,
      };
      if (n.op === 'AvgPool') attrs.count_include_pad = n.countIncludePad ? 1 : 0;
      const pool = make(n.op === 'AvgPool' ? 'AveragePool' : 'MaxPool', [input], attrs);
      return { node: padNode ? [padNode, pool] : pool, inits };
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
    case 'QuantClip':
      return { node: quantClipChain(n, names, scalar), inits };
    case 'Identity':
    case 'Dropout':
      return { node: make('Identity', n.inputs), inits };
    case 'Softmax':
      return { node: make('Softmax', n.inputs, { axis: n.axis }), inits };
    case 'Pad': {
      const [top, left, bottom, right] = n.pads;
      const pads = int64('pads', [0, 0, top, left, 0, 0, bottom, right]);
      const value = n.value === 0 && context.poolInputs.has(n.output) ? UNFUSABLE_ZERO : n.value;
      return { node: make('Pad', [n.inputs[0], pads, scalar('value', value)], { mode: 'constant' }), inits };
    }
    case 'Spike':
    case 'SpikeMaxPool':
      throw new GraphError(`${n.op} nodes have no ONNX form`, n.name);
  }
}

/**
 * QCFS as the ONNX chain PyTorch exports of Bu et al.'s code have (and the importer fuses back):
 * Div(x, λ), Mul(·, L), Add(·, 0.5), Floor, Div(·, L), Clip(·, 0, 1), Mul(·, λ), in the IR's order.
 */
function quantClipChain(n: QuantClipNode, names: NameTable, scalar: (suffix: string, value: number) => string): O.INodeProto[] {
  const lambda = scalar('lambda', n.max);
  const levels = scalar('levels', n.levels);
  const steps: [string, (x: string) => string[]][] = [
    ['Div', (x) => [x, lambda]],
    ['Mul', (x) => [x, levels]],
    ['Add', (x) => [x, scalar('half', 0.5)]],
    ['Floor', (x) => [x]],
    ['Div', (x) => [x, levels]],
    ['Clip', (x) => [x, scalar('zero', 0), scalar('one', 1)]],
    ['Mul', (x) => [x, lambda]],
  ];
  const nodes: O.INodeProto[] = [];
  let value = n.inputs[0];
  steps.forEach(([op, inputs], i) => {
    const out = i === steps.length - 1 ? n.output : names.fresh(`${n.name}.${op.toLowerCase()}${i}`);
    nodes.push(onnxNode(op, inputs(value), [out], {}, i === steps.length - 1 ? n.name : `${n.name}/${op}${i}`));
    value = out;
  });
  return nodes;
}

/**
 * ONNX Runtime refuses pooling pads ≥ the kernel, which the IR allows (fold-pad writes them). Such
 * a pool reads an explicit Pad instead (zero, written as −0, for AvgPool with count_include_pad; −∞
 * for MaxPool: the same values either way): top/left pads always move (the window count and positions stay), and
 * bottom/right pads move when the window count stays (in ceil mode it may not: the last window may
 * start in the right padding only once that padding is image). Returns the pool's input, the pads
 * left on the pool, and the Pad node, if any.
 */
function poolInput(
  n: AvgPoolNode | MaxPoolNode,
  names: NameTable,
  shapes: ShapeMap,
  inits: O.ITensorProto[],
): [string, Pads2d, O.INodeProto | null] {
  const [kh, kw] = n.kernel;
  const [top, left, bottom, right] = n.pads;
  if (top < kh && bottom < kh && left < kw && right < kw) return [n.inputs[0], n.pads, null];
  if (n.op === 'AvgPool' && !n.countIncludePad) {
    throw new GraphError(
      `pads [${n.pads.join(', ')}] reach the kernel ${kh}×${kw}: ONNX Runtime refuses that, and with count_include_pad = 0 no explicit Pad is equivalent`,
      n.name,
    );
  }
  const [, , height, width] = shapes.get(n.inputs[0]) as readonly number[];
  const [, , outH, outW] = shapes.get(n.output) as readonly number[];
  const paddingOnly = top >= kh || left >= kw || (outH - 1) * n.strides[0] - top >= height || (outW - 1) * n.strides[1] - left >= width;
  if (n.op === 'MaxPool' && paddingOnly) {
    throw new GraphError(
      `pads [${n.pads.join(', ')}] with kernel ${kh}×${kw} leave a window of padding alone (−∞), which ONNX Runtime cannot express`,
      n.name,
    );
  }
  const movable = (size: number, k: number, s: number, before: number, after: number): boolean =>
    windowOut(size + before + after, k, s, 0, 0, 1, n.ceilMode) === windowOut(size, k, s, before, after, 1, n.ceilMode);
  const moveBottom = movable(height, kh, n.strides[0], top, bottom);
  const moveRight = movable(width, kw, n.strides[1], left, right);
  const kept: Pads2d = [0, 0, moveBottom ? 0 : bottom, moveRight ? 0 : right];
  if (kept[2] >= kh || kept[3] >= kw) {
    throw new GraphError(
      `pads [${n.pads.join(', ')}] reach the kernel ${kh}×${kw}: ONNX Runtime refuses that, and in ceil mode an explicit Pad would add a window`,
      n.name,
    );
  }
  const padsName = names.fresh(`${n.name}.pads`);
  const valueName = names.fresh(`${n.name}.pad_value`);
  const padded = names.fresh(`${n.name}.padded`);
  inits.push(int64Initializer(padsName, [0, 0, top, left, 0, 0, moveBottom ? bottom : 0, moveRight ? right : 0]));
  inits.push(floatInitializer(valueName, tensor([], Float32Array.of(n.op === 'MaxPool' ? -Infinity : UNFUSABLE_ZERO))));
  const padNode = onnxNode('Pad', [n.inputs[0], padsName, valueName], [padded], { mode: 'constant' }, `${n.name}.pad`);
  return [padded, kept, padNode];
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
