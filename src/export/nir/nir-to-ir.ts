/**
 * A NIR graph (plain data, hdf5-codec.ts) as an IR graph the simulator runs, exactly:
 *   Conv2d → Conv2d, Affine/Linear → Dense, Flatten(0, −1) → Flatten(axis 1), Input → graph input,
 *   several edges into a node → Add nodes (NIR sums a node's inputs), Output → graph output;
 *   SumPool2d → AvgPool counting padding, with its k² multiplied into the readers (AvgPool2d: as is);
 *   IF(r, v_threshold) → Spike(θ = 1, v(0) = 0) with its incoming current times r/v_threshold
 *     (v ← v + r·I, fire at v_threshold ⇔ u = v/v_threshold: u ← u + (r/v_threshold)·I, fire at 1).
 * Everything is validated first (unknown edge ends, cycles, dead ends, shapes, sizes) with errors
 * naming the NIR node.
 */
import type { ResetMode } from '../../model/snn-model.js';
import { GraphError, type Graph, type Node, type SpikeNode } from '../../ir/graph.js';
import { inferShapes } from '../../ir/shapes.js';
import { sizeOf, tensor, type Tensor } from '../../tensor/tensor.js';
import { NirReadError, type NirGraph, type NirNode } from './nir-graph.js';
import { graphOf, netOf, scaleReaders, scaleValue } from './scale-values.js';

/** Largest value (per sample) a read graph may compute: 2^26 floats (256 MiB). */
const MAX_VALUE_ELEMENTS = 1 << 26;

export function nirToIr(nir: NirGraph, reset: ResetMode): Graph {
  const order = topologicalOrder(nir);
  const incoming = new Map<string, string[]>(order.map((n) => [n, []]));
  for (const [from, to] of nir.edges) incoming.get(to)!.push(from);
  const inputName = order[0];
  const input = nir.nodes.get(inputName) as Extract<NirNode, { type: 'Input' }>;
  if (!(input.shape.length === 3 || input.shape.length === 1) || input.shape.some((d) => !(d >= 1))) {
    throw new NirReadError(`Input shape [${input.shape.join(', ')}] must be (C, H, W) or (N) with positive sizes`, inputName);
  }
  checkSize(input.shape, inputName);
  const graph: { input: Graph['input']; output: string; nodes: Node[] } = {
    input: { name: inputName, shape: [null, ...input.shape] },
    output: inputName,
    nodes: [],
  };
  const valueOf = new Map<string, string>([[inputName, inputName]]);
  const names = new Set<string>(order);
  const fresh = (base: string): string => {
    let name = base;
    for (let k = 2; names.has(name); k++) name = `${base}_${k}`;
    names.add(name);
    return name;
  };
  const shapeOf = (value: string, at: string): readonly number[] => {
    try {
      return inferShapes({ ...graph, output: value }, 1)
        .get(value)!
        .slice(1);
    } catch (e) {
      if (e instanceof GraphError) throw new NirReadError(e.message.replace(/^node '[^']*': /, ''), e.nodeName ?? at);
      throw e;
    }
  };
  const sumPools: { value: string; gain: number }[] = [];
  const spikeGains: { spike: string; gain: Float64Array }[] = [];

  for (const name of order.slice(1)) {
    const node = nir.nodes.get(name)!;
    let x = valueOf.get(incoming.get(name)![0])!;
    for (const other of incoming.get(name)!.slice(1)) {
      const sum = fresh(`${name}_sum`);
      graph.nodes.push({ op: 'Add', name: sum, inputs: [x, valueOf.get(other)!], output: sum });
      x = sum;
    }
    const inShape = shapeOf(x, name);
    const emit = (n: Node): void => {
      graph.nodes.push(n);
      valueOf.set(name, n.output);
      checkSize(shapeOf(n.output, name), name);
    };
    const fail = (why: string): never => {
      throw new NirReadError(why, name);
    };
    switch (node.type) {
      case 'Input':
        fail('a second Input node (one input only)');
        break;
      case 'Output':
        if (node.shape.length > 0 && sizeOf(node.shape) !== sizeOf(inShape)) {
          fail(`Output shape [${node.shape.join(', ')}] does not match its input [${inShape.join(', ')}]`);
        }
        graph.output = x;
        valueOf.set(name, x);
        break;
      case 'Conv2d': {
        const w = node.weight;
        if (w.shape.length !== 4 || node.bias.data.length !== w.shape[0])
          fail(`weight [${w.shape.join(', ')}] / bias [${node.bias.shape.join(', ')}] are not (O, C/g, kh, kw) / (O)`);
        if (inShape.length !== 3) fail(`Conv2d needs a (C, H, W) input, got [${inShape.join(', ')}]`);
        if (node.inputShape[0] !== 0 && (node.inputShape[0] !== inShape[1] || node.inputShape[1] !== inShape[2])) {
          fail(`input_shape (${node.inputShape.join(', ')}) does not match its input [${inShape.join(', ')}]`);
        }
        positive(node.stride, 'stride', fail);
        positive(node.dilation, 'dilation', fail);
        if (!(node.groups >= 1)) fail(`groups must be ≥ 1, got ${node.groups}`);
        const pads = convPads(node.padding, node.stride, node.dilation, [w.shape[2], w.shape[3]], fail);
        emit({
          op: 'Conv2d',
          name,
          inputs: [x],
          output: name,
          weight: w,
          bias: node.bias,
          strides: node.stride,
          pads,
          dilations: node.dilation,
          groups: node.groups,
        });
        break;
      }
      case 'Affine':
      case 'Linear': {
        const w = node.weight;
        const bias = node.type === 'Affine' ? node.bias : null;
        if (w.shape.length !== 2 || (bias && bias.data.length !== w.shape[0]))
          fail(`weight [${w.shape.join(', ')}] is not (O, I) with a bias of O`);
        if (inShape.length !== 1) fail(`${node.type} needs a flat input, got [${inShape.join(', ')}] (add a Flatten)`);
        emit({ op: 'Dense', name, inputs: [x], output: name, weight: w, bias });
        break;
      }
      case 'SumPool2d':
      case 'AvgPool2d': {
        if (inShape.length !== 3) fail(`pooling needs a (C, H, W) input, got [${inShape.join(', ')}]`);
        positive(node.kernelSize, 'kernel_size', fail);
        positive(node.stride, 'stride', fail);
        if (node.padding.some((p) => !(p >= 0))) fail(`padding must be ≥ 0, got (${node.padding.join(', ')})`);
        const [ph, pw] = node.padding;
        emit({
          op: 'AvgPool',
          name,
          inputs: [x],
          output: name,
          kernel: node.kernelSize,
          strides: node.stride,
          pads: [ph, pw, ph, pw],
          ceilMode: false,
          countIncludePad: true,
        });
        if (node.type === 'SumPool2d') sumPools.push({ value: name, gain: node.kernelSize[0] * node.kernelSize[1] });
        break;
      }
      case 'Flatten': {
        const rank = inShape.length;
        const end = node.endDim < 0 ? node.endDim + rank : node.endDim;
        if (node.startDim !== 0 || end !== rank - 1)
          fail(
            `Flatten(start_dim ${node.startDim}, end_dim ${node.endDim}) of [${inShape.join(', ')}]: only flattening everything is supported`,
          );
        if (node.inputType.length > 0 && sizeOf(node.inputType) !== sizeOf(inShape))
          fail(`input_type [${node.inputType.join(', ')}] does not match its input [${inShape.join(', ')}]`);
        if (rank === 1) valueOf.set(name, x);
        else emit({ op: 'Flatten', name, inputs: [x], output: name, axis: 1 });
        break;
      }
      case 'IF': {
        const gain = ifGain(node.r, node.vThreshold, inShape, fail);
        if (node.vReset && node.vReset.data.some((v) => v !== 0))
          fail('v_reset ≠ 0 cannot be expressed (ann2snn resets to 0 or subtracts the threshold)');
        const spike: SpikeNode = {
          op: 'Spike',
          name,
          inputs: [x],
          output: name,
          neuron: 'if',
          reset,
          threshold: tensor([1], [1]),
          initialPotential: tensor([1], [0]),
          maxSpikesPerStep: 1,
        };
        emit(spike);
        spikeGains.push({ spike: name, gain });
        break;
      }
    }
  }
  const net = netOf(graph, [graph.output]);
  for (const { value, gain } of sumPools) scaleReaders(net, value, new Float64Array(net.shapes.get(value)![0]).fill(gain));
  for (const { spike, gain } of spikeGains) {
    const node = net.nodes.find((n) => n.name === spike)!;
    scaleValue(net, node.inputs[0], gain, node);
  }
  return graphOf(net);
}

/**
 * Input first, then every node after all its inputs (Kahn). Refuses edges to unknown nodes, edges
 * into the Input or out of the Output, duplicate edges, nodes that no edge reaches or that reach no
 * Output, and cycles.
 */
function topologicalOrder(nir: NirGraph): string[] {
  const inputs = [...nir.nodes].filter(([, n]) => n.type === 'Input').map(([k]) => k);
  const outputs = [...nir.nodes].filter(([, n]) => n.type === 'Output').map(([k]) => k);
  if (inputs.length !== 1) throw new NirReadError(`the graph needs exactly one Input node, found ${inputs.length}`);
  if (outputs.length !== 1) throw new NirReadError(`the graph needs exactly one Output node, found ${outputs.length}`);
  const seen = new Set<string>();
  const indegree = new Map<string, number>([...nir.nodes.keys()].map((k) => [k, 0]));
  const outdegree = new Map<string, number>([...nir.nodes.keys()].map((k) => [k, 0]));
  for (const [from, to] of nir.edges) {
    for (const end of [from, to]) if (!nir.nodes.has(end)) throw new NirReadError(`an edge ${from} → ${to} names an unknown node`, end);
    if (seen.has(`${from}\u0000${to}`)) throw new NirReadError(`the edge ${from} → ${to} appears twice`, to);
    seen.add(`${from}\u0000${to}`);
    if (to === inputs[0]) throw new NirReadError('the Input node has an incoming edge', to);
    if (from === outputs[0]) throw new NirReadError('the Output node has an outgoing edge', from);
    indegree.set(to, indegree.get(to)! + 1);
    outdegree.set(from, outdegree.get(from)! + 1);
  }
  for (const name of nir.nodes.keys()) {
    if (name !== inputs[0] && indegree.get(name) === 0) throw new NirReadError('no edge leads into this node', name);
    if (name !== outputs[0] && outdegree.get(name) === 0)
      throw new NirReadError('no edge leads out of this node (it reaches no Output)', name);
  }
  const order: string[] = [];
  const ready = [inputs[0]];
  const remaining = new Map(indegree);
  while (ready.length > 0) {
    const name = ready.shift()!;
    order.push(name);
    for (const [from, to] of nir.edges) {
      if (from !== name) continue;
      remaining.set(to, remaining.get(to)! - 1);
      if (remaining.get(to) === 0) ready.push(to);
    }
  }
  if (order.length !== nir.nodes.size) {
    const stuck = [...nir.nodes.keys()].find((k) => !order.includes(k))!;
    throw new NirReadError('the graph has a cycle through this node', stuck);
  }
  return order;
}

function checkSize(shape: readonly number[], name: string): void {
  if (sizeOf(shape) > MAX_VALUE_ELEMENTS)
    throw new NirReadError(`computes [${shape.join(', ')}] per sample, more than ${MAX_VALUE_ELEMENTS} values`, name);
}

function positive(pair: readonly number[], field: string, fail: (why: string) => never): void {
  if (pair.some((v) => !(v >= 1))) fail(`${field} must be ≥ 1, got (${pair.join(', ')})`);
}

/** Symmetric pads [top, left, bottom, right]; NaN padding is 'same' (stride 1 and an even total only). */
function convPads(
  padding: readonly [number, number],
  stride: readonly [number, number],
  dilation: readonly [number, number],
  kernel: readonly [number, number],
  fail: (why: string) => never,
): [number, number, number, number] {
  if (Number.isNaN(padding[0])) {
    const total = [0, 1].map((a) => dilation[a] * (kernel[a] - 1));
    if (stride.some((s) => s !== 1) || total.some((t) => t % 2 !== 0)) fail("padding 'same' needs stride 1 and an odd kernel span");
    return [total[0] / 2, total[1] / 2, total[0] / 2, total[1] / 2];
  }
  if (padding.some((p) => !(p >= 0))) fail(`padding must be ≥ 0, got (${padding.join(', ')})`);
  return [padding[0], padding[1], padding[0], padding[1]];
}

/** r/v_threshold per channel ([C, H, W]) or per feature ([N]); both broadcast from one value. */
function ifGain(r: Tensor, vThreshold: Tensor, shape: readonly number[], fail: (why: string) => never): Float64Array {
  const units = sizeOf(shape);
  for (const [field, t] of [
    ['r', r],
    ['v_threshold', vThreshold],
  ] as const) {
    if (t.data.length !== units && t.data.length !== 1) fail(`${field} has ${t.data.length} values for an input of [${shape.join(', ')}]`);
    if (t.data.some((v) => !(v > 0))) fail(`${field} must be > 0`);
  }
  const at = (t: Tensor, i: number): number => (t.data.length === 1 ? t.data[0] : t.data[i]);
  const inner = shape.length === 3 ? shape[1] * shape[2] : 1;
  const gain = new Float64Array(shape[0]);
  for (let c = 0; c < shape[0]; c++) {
    gain[c] = at(r, c * inner) / at(vThreshold, c * inner);
    for (let k = 1; k < inner; k++) {
      if (at(r, c * inner + k) / at(vThreshold, c * inner + k) !== gain[c])
        fail(`r/v_threshold differs within channel ${c}: only per-channel values map to ann2snn`);
    }
  }
  return gain;
}
