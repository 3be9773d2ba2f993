/**
 * A small plain-loop evaluator for the tests of the graph passes (the reference backend is the
 * project's real oracle; this one covers only the ops these tests build). Pool semantics follow
 * PyTorch: windows are clipped at the padded border; with countIncludePad the divisor counts the
 * padding (up to that border), without it only the input cells.
 */
import { sizeOf, tensor, type Tensor } from '../../../src/tensor/tensor.js';
import type {
  AvgPoolNode,
  BatchNormNode,
  Conv2dNode,
  DenseNode,
  Graph,
  MaxPoolNode,
  Node,
  PadNode,
  Pads2d,
  Pair,
} from '../../../src/ir/graph.js';
import { inferShapes, validateGraph } from '../../../src/ir/shapes.js';
import { referenceBackend } from '../../../src/backend/reference/reference-backend.js';

export function evaluate(graph: Graph, input: Tensor): Tensor {
  const shapes = inferShapes(graph, input.shape[0]);
  const values = new Map<string, Tensor>([[graph.input.name, input]]);
  for (const node of graph.nodes) {
    const xs = node.inputs.map((name) => {
      const v = values.get(name);
      if (v === undefined) throw new Error(`${node.name}: missing ${name}`);
      return v;
    });
    const outShape = shapes.get(node.output);
    if (outShape === undefined) throw new Error(`${node.name}: no shape`);
    values.set(node.output, run(node, xs, outShape));
  }
  const out = values.get(graph.output);
  if (out === undefined) throw new Error('no output');
  return out;
}

function run(node: Node, xs: Tensor[], outShape: readonly number[]): Tensor {
  const x = xs[0];
  const out = new Float32Array(sizeOf(outShape));
  switch (node.op) {
    case 'Conv2d': {
      const [n, c, h, w] = x.shape;
      const [o, cg, kh, kw] = node.weight.shape;
      const [, , oh, ow] = outShape;
      const og = o / node.groups;
      for (let b = 0; b < n; b++)
        for (let oc = 0; oc < o; oc++) {
          const g = Math.floor(oc / og);
          for (let i = 0; i < oh; i++)
            for (let j = 0; j < ow; j++) {
              let acc = node.bias ? node.bias.data[oc] : 0;
              for (let ci = 0; ci < cg; ci++)
                for (let p = 0; p < kh; p++)
                  for (let q = 0; q < kw; q++) {
                    const y = i * node.strides[0] + p * node.dilations[0] - node.pads[0];
                    const z = j * node.strides[1] + q * node.dilations[1] - node.pads[1];
                    if (y < 0 || y >= h || z < 0 || z >= w) continue;
                    acc += node.weight.data[((oc * cg + ci) * kh + p) * kw + q] * x.data[((b * c + g * cg + ci) * h + y) * w + z];
                  }
              out[((b * o + oc) * oh + i) * ow + j] = acc;
            }
        }
      break;
    }
    case 'Dense': {
      const [n, f] = x.shape;
      const o = node.weight.shape[0];
      for (let b = 0; b < n; b++)
        for (let k = 0; k < o; k++) {
          let acc = node.bias ? node.bias.data[k] : 0;
          for (let i = 0; i < f; i++) acc += node.weight.data[k * f + i] * x.data[b * f + i];
          out[b * o + k] = acc;
        }
      break;
    }
    case 'BatchNorm': {
      const c = x.shape[1];
      const inner = sizeOf(x.shape.slice(2));
      for (let i = 0; i < out.length; i++) {
        const ch = Math.floor(i / inner) % c;
        const k = node.scale.data[ch] / Math.sqrt(node.variance.data[ch] + node.epsilon);
        out[i] = (x.data[i] - node.mean.data[ch]) * k + node.bias.data[ch];
      }
      break;
    }
    case 'AvgPool':
    case 'MaxPool': {
      const [n, c, h, w] = x.shape;
      const [, , oh, ow] = outShape;
      const [kh, kw] = node.kernel;
      for (let b = 0; b < n * c; b++)
        for (let i = 0; i < oh; i++)
          for (let j = 0; j < ow; j++) {
            const y0 = i * node.strides[0] - node.pads[0];
            const z0 = j * node.strides[1] - node.pads[1];
            const y1 = Math.min(y0 + kh, h + node.pads[2]);
            const z1 = Math.min(z0 + kw, w + node.pads[3]);
            const padded = (y1 - y0) * (z1 - z0);
            let acc = node.op === 'MaxPool' ? -Infinity : 0;
            let count = 0;
            for (let y = Math.max(y0, 0); y < Math.min(y1, h); y++)
              for (let z = Math.max(z0, 0); z < Math.min(z1, w); z++) {
                const v = x.data[(b * h + y) * w + z];
                acc = node.op === 'MaxPool' ? Math.max(acc, v) : acc + v;
                count++;
              }
            out[(b * oh + i) * ow + j] = node.op === 'MaxPool' ? acc : acc / (node.countIncludePad ? padded : count);
          }
      break;
    }
    case 'Pad': {
      const [n, c, h, w] = x.shape;
      const [, , oh, ow] = outShape;
      out.fill(node.value);
      for (let b = 0; b < n * c; b++)
        for (let y = 0; y < h; y++)
          for (let z = 0; z < w; z++) out[(b * oh + y + node.pads[0]) * ow + z + node.pads[1]] = x.data[(b * h + y) * w + z];
      break;
    }
    case 'Relu':
      for (let i = 0; i < out.length; i++) out[i] = Math.max(x.data[i], 0);
      break;
    case 'Identity':
    case 'Dropout':
    case 'Flatten':
    case 'Reshape':
      out.set(x.data);
      break;
    case 'Add':
      for (let i = 0; i < out.length; i++) out[i] = x.data[i] + xs[1].data[i];
      break;
    default:
      throw new Error(`eval-graph: op ${node.op} not supported in this test evaluator`);
  }
  return tensor(outShape, out);
}

/** Seeded uniform values in [lo, hi). */
export function random(shape: readonly number[], seed: number, lo = -1, hi = 1): Tensor {
  let s = seed >>> 0;
  const data = new Float32Array(sizeOf(shape));
  for (let i = 0; i < data.length; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    data[i] = lo + (hi - lo) * (((t ^ (t >>> 14)) >>> 0) / 4294967296);
  }
  return tensor(shape, data);
}

export function assertClose(actual: Tensor, expected: Tensor, tolerance = 1e-5): void {
  if (actual.shape.join() !== expected.shape.join()) {
    throw new Error(`shape [${actual.shape.join(', ')}] ≠ [${expected.shape.join(', ')}]`);
  }
  for (let i = 0; i < actual.data.length; i++) {
    const a = actual.data[i];
    const e = expected.data[i];
    if (a !== e && !(Math.abs(a - e) <= tolerance * Math.max(1, Math.abs(e)))) throw new Error(`element ${i}: ${a} ≠ ${e}`);
  }
}

/** Node builders with test defaults. */
export function conv(
  name: string,
  input: string,
  output: string,
  [o, c, kh, kw]: [number, number, number, number],
  seed: number,
  extra: Partial<Pick<Conv2dNode, 'strides' | 'pads' | 'dilations' | 'groups' | 'bias'>> = {},
): Conv2dNode {
  const groups = extra.groups ?? 1;
  return {
    op: 'Conv2d',
    name,
    inputs: [input],
    output,
    weight: random([o, c / groups, kh, kw], seed),
    bias: extra.bias === undefined ? random([o], seed + 1) : extra.bias,
    strides: extra.strides ?? [1, 1],
    pads: extra.pads ?? [0, 0, 0, 0],
    dilations: extra.dilations ?? [1, 1],
    groups,
  };
}

export function dense(name: string, input: string, output: string, [o, i]: [number, number], seed: number, bias = true): DenseNode {
  return { op: 'Dense', name, inputs: [input], output, weight: random([o, i], seed), bias: bias ? random([o], seed + 1) : null };
}

export function batchNorm(name: string, input: string, output: string, channels: number, seed: number): BatchNormNode {
  return {
    op: 'BatchNorm',
    name,
    inputs: [input],
    output,
    scale: random([channels], seed, 0.5, 2),
    bias: random([channels], seed + 1),
    mean: random([channels], seed + 2),
    variance: random([channels], seed + 3, 0.1, 3),
    epsilon: 1e-5,
  };
}

export function simple(op: 'Relu' | 'Identity' | 'Dropout' | 'Add', name: string, inputs: string[], output: string): Node {
  return { op, name, inputs, output };
}

export function pad(name: string, input: string, output: string, pads: Pads2d, value: number): PadNode {
  return { op: 'Pad', name, inputs: [input], output, pads, value };
}

export function pool(
  op: 'AvgPool' | 'MaxPool',
  name: string,
  input: string,
  output: string,
  kernel: Pair,
  strides: Pair,
  pads: Pads2d = [0, 0, 0, 0],
  options: { ceilMode?: boolean; countIncludePad?: boolean } = {},
): AvgPoolNode | MaxPoolNode {
  const base = { name, inputs: [input], output, kernel, strides, pads, ceilMode: options.ceilMode ?? false };
  return op === 'MaxPool' ? { op, ...base } : { op, ...base, countIncludePad: options.countIncludePad ?? false };
}

export function graph(inputShape: (number | null)[], nodes: Node[], output?: string): Graph {
  return { input: { name: 'x', shape: inputShape }, output: output ?? nodes[nodes.length - 1].output, nodes };
}

/**
 * Asserts that `after` computes what `before` computes (to 1e-5) on a seeded random input, with
 * this file's evaluator and with the project's reference backend (which also checks the evaluator).
 */
export async function assertEquivalent(before: Graph, after: Graph, inputShape: readonly number[], seed = 11): Promise<void> {
  validateGraph(after);
  const x = random(inputShape, seed);
  const expected = evaluate(before, x);
  assertClose(evaluate(after, x), expected);
  for (const g of [before, after]) {
    const compiled = await referenceBackend.compile(g);
    const result = (await compiled.run(x)).get(g.output);
    await compiled.dispose();
    if (result === undefined) throw new Error('reference backend returned no output');
    assertClose(result, expected);
  }
}
