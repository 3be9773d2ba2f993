/**
 * A normalized SNN graph (normalize-snn.ts: θ = 1, pools as sums) as NIR nodes and edges. NIR has no
 * Add and no Concat, so a value is kept as pieces of channels, each the sum of the outputs of some
 * NIR nodes (its terms):
 *   Add(a, b)       the terms of a and b together (edges into one node are summed);
 *   Concat(a, b)    a's pieces, then b's pieces shifted by a's channels;
 *   Conv2d / Dense  one NIR node per piece and term, with the weights' input channels (features)
 *                   of that piece; the bias on the first only; all feed the next node;
 *   SumPool2d / Flatten  one per piece and term; Spike: one IF fed by every term.
 * A value of several pieces that reaches a spiking layer or the output (a Concat of currents) is
 * placed into its channels: a Conv2d/Affine made for that piece alone gets zero rows for the other
 * channels; any other term goes through a 0/1 placement Conv2d 1×1 (Affine when flat).
 */
import type { Conv2dNode, DenseNode, Graph, Node } from '../../ir/graph.js';
import { sampleShapes } from '../../ir/shapes.js';
import { tensor, type Tensor } from '../../tensor/tensor.js';
import { NirExportError, type NirNode } from './nir-graph.js';

interface Piece {
  readonly offset: number;
  readonly size: number;
  readonly terms: readonly string[];
}

export interface EmittedNir {
  readonly nodes: Map<string, NirNode>;
  readonly edges: (readonly [string, string])[];
}

export function emitNir(graph: Graph, sumPools: ReadonlySet<string>): EmittedNir {
  const shapes = sampleShapes(graph);
  const nodes = new Map<string, NirNode>();
  const edges: (readonly [string, string])[] = [];
  const taken = new Set<string>(['input', 'output']);
  const allocate = (base: string): string => {
    const clean = base.replace(/[^A-Za-z0-9_-]/g, '_').replace(/^_+/, '') || 'node';
    let name = clean;
    for (let k = 2; taken.has(name); k++) name = `${clean}_${k}`;
    taken.add(name);
    return name;
  };
  const add = (name: string, node: NirNode, from: readonly string[]): void => {
    nodes.set(name, node);
    for (const f of from) edges.push([f, name]);
  };
  const inputShape = graph.input.shape.slice(1) as number[];
  nodes.set('input', { type: 'Input', shape: inputShape });
  const reps = new Map<string, readonly Piece[]>([[graph.input.name, [{ offset: 0, size: inputShape[0], terms: ['input'] }]]]);
  const readers = new Map<string, Node[]>();
  for (const n of graph.nodes) for (const i of n.inputs) readers.set(i, [...(readers.get(i) ?? []), n]);
  /** IR value of each NIR Conv2d/Affine. */
  const owner = new Map<string, string>();
  /** Whether `value` reaches only `target`, and only through Add/Concat (its NIR nodes may then be widened). */
  const exclusive = (value: string, target: string): boolean => {
    for (let v = value; ;) {
      const r = readers.get(v) ?? [];
      const count = r.length + (v === graph.output ? 1 : 0);
      if (count !== 1) return false;
      if (v === target) return true;
      if (r[0].op !== 'Add' && r[0].op !== 'Concat') return false;
      v = r[0].output;
    }
  };
  /** The terms of `value`, its pieces placed into its `channels` channels. */
  const place = (value: string, channels: number, spatial: readonly number[]): readonly string[] => {
    const pieces = reps.get(value)!;
    if (pieces.length === 1 && pieces[0].size === channels) return pieces[0].terms;
    return pieces.flatMap((piece) =>
      piece.terms.map((term) => {
        const node = nodes.get(term)!;
        const from = owner.get(term);
        if ((node.type === 'Conv2d' || node.type === 'Affine') && from !== undefined && exclusive(from, value)) {
          nodes.set(term, { ...node, weight: widen(node.weight, piece.offset, channels), bias: widen(node.bias, piece.offset, channels) });
          return term;
        }
        const name = allocate(`${term}_place`);
        const w = new Float32Array(channels * piece.size);
        for (let i = 0; i < piece.size; i++) w[(piece.offset + i) * piece.size + i] = 1;
        const placement: NirNode =
          spatial.length === 2
            ? {
                type: 'Conv2d',
                weight: tensor([channels, piece.size, 1, 1], w),
                bias: tensor([channels]),
                stride: [1, 1],
                padding: [0, 0],
                dilation: [1, 1],
                groups: 1,
                inputShape: [spatial[0], spatial[1]],
              }
            : { type: 'Affine', weight: tensor([channels, piece.size], w), bias: tensor([channels]) };
        add(name, placement, [term]);
        return name;
      }),
    );
  };

  for (const node of graph.nodes) {
    const input = reps.get(node.inputs[0])!;
    const inShape = shapes.get(node.inputs[0])!;
    const copies = input.reduce((n, p) => n + p.terms.length, 0);
    const nameOf = (k: number): string => allocate(copies === 1 ? node.name : `${node.name}_${k}`);
    switch (node.op) {
      case 'Conv2d':
      case 'Dense': {
        if (node.op === 'Conv2d' && node.groups !== 1 && input.length > 1) {
          throw new NirExportError('a grouped convolution of concatenated channels cannot be split per input', node.name);
        }
        const terms: string[] = [];
        let k = 0;
        for (const piece of input) {
          for (const term of piece.terms) {
            const name = nameOf(++k);
            const bias = k === 1 && node.bias ? node.bias : tensor([node.weight.shape[0]]);
            add(name, weightedNode(node, piece, bias, inShape), [term]);
            owner.set(name, node.output);
            terms.push(name);
          }
        }
        reps.set(node.output, [{ offset: 0, size: node.weight.shape[0], terms }]);
        break;
      }
      case 'AvgPool':
      case 'Flatten': {
        if (node.op === 'AvgPool' && !sumPools.has(node.name)) throw new NirExportError('AvgPool was not turned into a sum', node.name);
        const inner = node.op === 'Flatten' && inShape.length === 3 ? inShape[1] * inShape[2] : 1;
        let k = 0;
        const pieces = input.map((piece) => ({
          offset: piece.offset * inner,
          size: piece.size * inner,
          terms: piece.terms.map((term) => {
            const name = nameOf(++k);
            const nir: NirNode =
              node.op === 'AvgPool'
                ? { type: 'SumPool2d', kernelSize: node.kernel, stride: node.strides, padding: [node.pads[0], node.pads[1]] }
                : { type: 'Flatten', startDim: 0, endDim: -1, inputType: [piece.size, ...inShape.slice(1)] };
            add(name, nir, [term]);
            return name;
          }),
        }));
        reps.set(node.output, pieces);
        break;
      }
      case 'Add': {
        const other = reps.get(node.inputs[1])!;
        if (input.length !== other.length || input.some((p, i) => p.offset !== other[i].offset || p.size !== other[i].size)) {
          throw new NirExportError('adds concatenations of different channel layouts; NIR cannot express it', node.name);
        }
        reps.set(
          node.output,
          input.map((p, i) => ({ ...p, terms: [...p.terms, ...other[i].terms] })),
        );
        break;
      }
      case 'Concat': {
        const pieces: Piece[] = [];
        let offset = 0;
        for (const value of node.inputs) {
          for (const p of reps.get(value)!) pieces.push({ ...p, offset: offset + p.offset });
          offset += shapes.get(value)![0];
        }
        reps.set(node.output, pieces);
        break;
      }
      case 'Spike': {
        const shape = shapes.get(node.output)!;
        const terms = place(node.inputs[0], shape[0], shape.slice(1));
        const name = allocate(node.name);
        const ones = tensor(shape, new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(1));
        add(name, { type: 'IF', r: ones, vThreshold: ones, vReset: null }, terms);
        reps.set(node.output, [{ offset: 0, size: shape[0], terms: [name] }]);
        break;
      }
      default:
        throw new NirExportError(`${node.op} has no NIR node`, node.name);
    }
  }
  const outputShape = shapes.get(graph.output)!;
  add('output', { type: 'Output', shape: [...outputShape] }, place(graph.output, outputShape[0], outputShape.slice(1)));
  return { nodes, edges };
}

/** Rows (output channels) of a weight or bias moved to offset… of `channels` rows, zeros elsewhere. */
function widen(t: Tensor, offset: number, channels: number): Tensor {
  const per = t.data.length / t.shape[0];
  const data = new Float32Array(channels * per);
  data.set(t.data, offset * per);
  return tensor([channels, ...t.shape.slice(1)], data);
}

/** The NIR node of a Conv2d/Dense restricted to the input channels (features) of one piece. */
function weightedNode(node: Conv2dNode | DenseNode, piece: Piece, bias: Tensor, inShape: readonly number[]): NirNode {
  const [outputs, inputs] = node.weight.shape;
  const per = node.op === 'Conv2d' ? node.weight.shape[2] * node.weight.shape[3] : 1;
  let weight = node.weight;
  if (piece.offset !== 0 || piece.size !== inputs) {
    const w = new Float32Array(outputs * piece.size * per);
    for (let o = 0; o < outputs; o++) {
      w.set(
        node.weight.data.subarray((o * inputs + piece.offset) * per, (o * inputs + piece.offset + piece.size) * per),
        o * piece.size * per,
      );
    }
    weight = tensor([outputs, piece.size, ...node.weight.shape.slice(2)], w);
  }
  if (node.op === 'Dense') return { type: 'Affine', weight, bias };
  return {
    type: 'Conv2d',
    weight,
    bias,
    stride: node.strides,
    padding: [node.pads[0], node.pads[1]],
    dilation: node.dilations,
    groups: node.groups,
    inputShape: [inShape[1], inShape[2]],
  };
}
