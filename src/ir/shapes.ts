/**
 * Shape inference and validation. `inferShapes(g, N)` returns the full shape of every value for a
 * batch of N; every inconsistency throws a GraphError naming the node.
 */
import { formatShape, sizeOf } from '../tensor/tensor.js';
import { GraphError, type Graph, type Node, type Pads2d, type Pair } from './graph.js';

export type ShapeMap = ReadonlyMap<string, readonly number[]>;

/**
 * The most elements one value may hold per sample (2^28 float32 = 1 GiB): a larger declared or
 * inferred shape (a hostile dimension, huge pads) is refused before any kernel allocates it.
 */
export const MAX_SAMPLE_ELEMENTS = 2 ** 28;

function checkSize(shape: readonly number[], what: string, nodeName?: string): void {
  const perSample = sizeOf(shape.slice(1));
  if (!shape.every((d) => Number.isSafeInteger(d) && d >= 0) || !(perSample <= MAX_SAMPLE_ELEMENTS)) {
    throw new GraphError(
      `${what} has shape ${formatShape(shape)}: ${perSample.toLocaleString('en-US')} values per sample (at most ${MAX_SAMPLE_ELEMENTS.toLocaleString('en-US')} are supported)`,
      nodeName,
    );
  }
}

export function inferShapes(graph: Graph, batch = 1): ShapeMap {
  const shapes = new Map<string, readonly number[]>();
  const inputShape = graph.input.shape.map((d, i) => (i === 0 ? batch : d));
  if (inputShape.some((d) => d === null || d < 1)) {
    throw new GraphError(`input '${graph.input.name}' has an unknown non-batch dimension ${formatShape(graph.input.shape)}`);
  }
  checkSize(inputShape as number[], `input '${graph.input.name}'`);
  shapes.set(graph.input.name, inputShape as number[]);
  for (const node of graph.nodes) {
    const inputs = node.inputs.map((name) => {
      const s = shapes.get(name);
      if (s === undefined) throw new GraphError(`reads '${name}', which no earlier node produces`, node.name);
      return s;
    });
    if (shapes.has(node.output)) throw new GraphError(`writes '${node.output}', which is already defined`, node.name);
    const shape = outputShape(node, inputs);
    checkSize(shape, `output '${node.output}'`, node.name);
    shapes.set(node.output, shape);
  }
  if (!shapes.has(graph.output)) throw new GraphError(`graph output '${graph.output}' is not produced by any node`);
  return shapes;
}

/** Per-sample shape (without the batch dimension) of every value. */
export function sampleShapes(graph: Graph): Map<string, readonly number[]> {
  const out = new Map<string, readonly number[]>();
  for (const [k, v] of inferShapes(graph, 1)) out.set(k, v.slice(1));
  return out;
}

function expectRank(node: Node, shape: readonly number[], rank: number): void {
  if (shape.length !== rank) {
    throw new GraphError(`expects a rank-${rank} input, got ${formatShape(shape)}`, node.name);
  }
}

function expectInputs(node: Node, inputs: readonly (readonly number[])[], count: number): void {
  if (inputs.length !== count) throw new GraphError(`expects ${count} input(s), got ${inputs.length}`, node.name);
}

/** Number of windows along one axis (Conv and pooling): ⌊(size + pads − span) / stride⌋ + 1, or ⌈·⌉ with ceil mode. */
export function windowOut(
  size: number,
  kernel: number,
  stride: number,
  padBefore: number,
  padAfter: number,
  dilation: number,
  ceil: boolean,
): number {
  const span = dilation * (kernel - 1) + 1;
  const free = size + padBefore + padAfter - span;
  let out = (ceil ? Math.ceil(free / stride) : Math.floor(free / stride)) + 1;
  // ONNX/PyTorch: with ceil_mode the last window must start inside the input or left padding.
  if (ceil && (out - 1) * stride >= size + padBefore) out -= 1;
  return out;
}

/** The largest window field (kernel side, stride, pad, dilation) a graph may hold; the .snn reader uses the same bound. */
export const MAX_WINDOW_FIELD = 2 ** 20;

function spatialOut(
  node: Node,
  x: readonly number[],
  kernel: Pair,
  strides: Pair,
  pads: Pads2d,
  dilations: Pair,
  ceil: boolean,
): [number, number] {
  const fields = [...kernel, ...strides, ...pads, ...dilations];
  if (!fields.every((v) => Number.isSafeInteger(v) && v <= MAX_WINDOW_FIELD)) {
    throw new GraphError(
      `window fields (kernel [${kernel.join(', ')}], strides [${strides.join(', ')}], pads [${pads.join(', ')}], dilations [${dilations.join(', ')}]) exceed ${MAX_WINDOW_FIELD.toLocaleString('en-US')}`,
      node.name,
    );
  }
  const h = windowOut(x[2], kernel[0], strides[0], pads[0], pads[2], dilations[0], ceil);
  const w = windowOut(x[3], kernel[1], strides[1], pads[1], pads[3], dilations[1], ceil);
  if (h < 1 || w < 1) {
    throw new GraphError(`window ${kernel[0]}×${kernel[1]} does not fit input ${formatShape(x)} with pads [${pads.join(', ')}]`, node.name);
  }
  return [h, w];
}

function outputShape(node: Node, inputs: readonly (readonly number[])[]): readonly number[] {
  const x = inputs[0];
  switch (node.op) {
    case 'Conv2d': {
      expectInputs(node, inputs, 1);
      expectRank(node, x, 4);
      const [o, cPerGroup, kh, kw] = node.weight.shape;
      if (node.weight.shape.length !== 4) throw new GraphError(`weight must be rank 4, got ${formatShape(node.weight.shape)}`, node.name);
      if (x[1] !== cPerGroup * node.groups || o % node.groups !== 0) {
        throw new GraphError(
          `input has ${x[1]} channels; weight ${formatShape(node.weight.shape)} with groups=${node.groups} needs ${cPerGroup * node.groups}`,
          node.name,
        );
      }
      if (node.bias && node.bias.data.length !== o)
        throw new GraphError(`bias has ${node.bias.data.length} values, expected ${o}`, node.name);
      return [x[0], o, ...spatialOut(node, x, [kh, kw], node.strides, node.pads, node.dilations, false)];
    }
    case 'Dense': {
      expectInputs(node, inputs, 1);
      expectRank(node, x, 2);
      const [o, i] = node.weight.shape;
      if (x[1] !== i) throw new GraphError(`input has ${x[1]} features, weight ${formatShape(node.weight.shape)} expects ${i}`, node.name);
      if (node.bias && node.bias.data.length !== o)
        throw new GraphError(`bias has ${node.bias.data.length} values, expected ${o}`, node.name);
      return [x[0], o];
    }
    case 'BatchNorm': {
      expectInputs(node, inputs, 1);
      if (x.length < 2 || x[1] !== node.scale.data.length) {
        throw new GraphError(`input ${formatShape(x)} does not have ${node.scale.data.length} channels`, node.name);
      }
      return x;
    }
    case 'AvgPool':
    case 'MaxPool':
      expectInputs(node, inputs, 1);
      expectRank(node, x, 4);
      return [x[0], x[1], ...spatialOut(node, x, node.kernel, node.strides, node.pads, [1, 1], node.ceilMode)];
    case 'SpikeMaxPool':
      expectInputs(node, inputs, 1);
      expectRank(node, x, 4);
      return [x[0], x[1], ...spatialOut(node, x, node.kernel, node.kernel, [0, 0, 0, 0], [1, 1], false)];
    case 'GlobalAvgPool':
      expectInputs(node, inputs, 1);
      expectRank(node, x, 4);
      return [x[0], x[1], 1, 1];
    case 'Flatten': {
      expectInputs(node, inputs, 1);
      const axis = node.axis < 0 ? node.axis + x.length : node.axis;
      if (axis < 0 || axis > x.length) throw new GraphError(`axis ${node.axis} out of range for ${formatShape(x)}`, node.name);
      return [sizeOf(x.slice(0, axis)), sizeOf(x.slice(axis))];
    }
    case 'Reshape':
      expectInputs(node, inputs, 1);
      return reshapeTarget(node, x, node.shape);
    case 'Add':
      expectInputs(node, inputs, 2);
      if (x.length !== inputs[1].length || x.some((d, i) => d !== inputs[1][i])) {
        throw new GraphError(`adds ${formatShape(x)} and ${formatShape(inputs[1])}: shapes must be equal`, node.name);
      }
      return x;
    case 'Concat': {
      if (inputs.length < 1) throw new GraphError('needs at least one input', node.name);
      const axis = node.axis < 0 ? node.axis + x.length : node.axis;
      if (axis < 0 || axis >= x.length) throw new GraphError(`axis ${node.axis} out of range for ${formatShape(x)}`, node.name);
      let total = 0;
      for (const s of inputs) {
        if (s.length !== x.length || s.some((d, i) => i !== axis && d !== x[i])) {
          throw new GraphError(`inputs ${inputs.map(formatShape).join(', ')} differ outside axis ${axis}`, node.name);
        }
        total += s[axis];
      }
      return x.map((d, i) => (i === axis ? total : d));
    }
    case 'Pad':
      expectInputs(node, inputs, 1);
      expectRank(node, x, 4);
      return [x[0], x[1], x[2] + node.pads[0] + node.pads[2], x[3] + node.pads[1] + node.pads[3]];
    case 'Relu':
    case 'Clip':
    case 'QuantClip':
    case 'Identity':
    case 'Dropout':
    case 'Softmax':
    case 'Spike':
      expectInputs(node, inputs, 1);
      return x;
  }
}

function reshapeTarget(node: Node, x: readonly number[], target: readonly number[]): number[] {
  const out = target.map((d, i) => (d === 0 ? x[i] : d));
  const known = out.filter((d) => d !== -1);
  const total = sizeOf(x);
  const inferred = out.filter((d) => d === -1).length;
  if (inferred > 1 || known.some((d) => d === undefined || d < 1)) {
    throw new GraphError(`invalid target shape [${target.join(', ')}] for input ${formatShape(x)}`, node.name);
  }
  const product = sizeOf(known);
  if (inferred === 1) {
    if (total % product !== 0) throw new GraphError(`cannot reshape ${formatShape(x)} to [${target.join(', ')}]`, node.name);
    return out.map((d) => (d === -1 ? total / product : d));
  }
  if (product !== total) throw new GraphError(`cannot reshape ${formatShape(x)} to [${target.join(', ')}]`, node.name);
  return out;
}

/**
 * Checks names are unique, every input is defined before use, shapes agree, and every value is
 * [N, …sample] for any batch N (shapes inferred for N = 1 and N = 2 agree but for dimension 0), so a
 * graph that folds the batch into another dimension is refused here, not by a kernel at batch 2.
 */
export function validateGraph(graph: Graph): void {
  const names = new Set<string>();
  for (const node of graph.nodes) {
    if (names.has(node.name)) throw new GraphError('duplicate node name', node.name);
    names.add(node.name);
  }
  const one = inferShapes(graph, 1);
  let two: ShapeMap;
  try {
    two = inferShapes(graph, 2);
  } catch (err) {
    if (!(err instanceof GraphError)) throw err;
    const detail = err.nodeName === undefined ? err.message : err.message.slice(`node '${err.nodeName}': `.length);
    throw new GraphError(`only works for a batch of one image: with two, ${detail}`, err.nodeName);
  }
  for (const node of graph.nodes) {
    const a = one.get(node.output)!;
    const b = two.get(node.output)!;
    if (b[0] !== 2 || b.length !== a.length || b.some((d, i) => i > 0 && d !== a[i])) {
      throw new GraphError(
        `output '${node.output}' is ${formatShape(a)} for one image but ${formatShape(b)} for two: the batch must stay dimension 0`,
        node.name,
      );
    }
  }
}
