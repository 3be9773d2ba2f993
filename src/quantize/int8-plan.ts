/**
 * Where a segment fed by spike counts (integers 0..inputMax) can run its first Conv2d/Dense on
 * integers: the prefix before it must keep integers integers up to a known factor (sum pools),
 * and the op's integer input must fit u8. Pure IR; the ORT backend builds its int8 segment from it.
 */
import type { Conv2dNode, DenseNode, Graph, Node } from '../ir/graph.js';
import { isLinear, OP_TRAITS } from '../ir/op-traits.js';
import { inferShapes, windowOut } from '../ir/shapes.js';

/** How the integer op's input relates to the segment input, and where the segment splits. */
export interface Int8Plan {
  /** f32 nodes before the integer op (they read the segment input). */
  readonly prefix: readonly Node[];
  /** The node computed as u8 × s8. */
  readonly op: Conv2dNode | DenseNode;
  /** f32 nodes after it. */
  readonly tail: readonly Node[];
  /** The integer input is round(op input · factor). */
  readonly factor: number;
  /** The largest integer the op can see (input max · factor); ≤ 255. */
  readonly maxValue: number;
  /** The prefix divides (AvgPool): round before the cast to u8. */
  readonly needsRound: boolean;
}

export interface Int8PlanOptions {
  /** Requested outputs (default [graph.output]). */
  readonly outputs?: readonly string[];
  /** The largest value the segment input holds (an integer ≥ 1); default 1 (binary spikes). */
  readonly inputMax?: number;
  /** The least value the segment input holds; default 0. Below 0 (signed spikes) there is no u8 path. */
  readonly inputMin?: number;
}

const U8_MAX = 255;

/**
 * Splits a segment for the integer path, or says why it cannot take it. The graph must be a chain
 * from its input; the first Conv2d/Dense becomes the integer op; only ops that keep integers
 * integers (up to a known factor) may come before it.
 */
export function planInt8(graph: Graph, options: Int8PlanOptions = {}): Int8Plan | { readonly reason: string } {
  const inputMax = options.inputMax ?? 1;
  if (!Number.isInteger(inputMax) || inputMax < 1 || inputMax > U8_MAX)
    return { reason: `inputMax must be an integer in 1..${U8_MAX}, got ${inputMax}` };
  const inputMin = options.inputMin ?? 0;
  if (inputMin < 0) return { reason: `the input holds negative spike counts (down to ${inputMin}: signed neurons); u8 holds none` };
  const shapes = inferShapes(graph, 1);
  let value = graph.input.name;
  let factor = 1;
  let needsRound = false;
  const prefix: Node[] = [];
  for (let i = 0; i < graph.nodes.length; i++) {
    const n = graph.nodes[i];
    if (n.inputs.length !== 1 || n.inputs[0] !== value)
      return { reason: `node '${n.name}' does not continue a single-input chain from '${graph.input.name}'` };
    const outputs = options.outputs ?? [graph.output];
    if (isLinear(n)) {
      if (outputs.some((o) => o === value || prefix.some((p) => p.output === o)))
        return { reason: 'an output before the first Conv2d/Dense is requested' };
      if (n.op === 'Conv2d' && n.groups !== 1)
        return { reason: `node '${n.name}': grouped convolution (groups = ${n.groups}) has no integer path` };
      const maxValue = inputMax * factor;
      if (maxValue > U8_MAX)
        return { reason: `node '${n.name}': its integer input reaches ${inputMax} × ${factor} = ${maxValue}, beyond u8` };
      const tail = graph.nodes.slice(i + 1);
      const known = new Set([n.output]);
      for (const t of tail) {
        const stray = t.inputs.find((v) => !known.has(v));
        if (stray !== undefined) return { reason: `node '${t.name}' reads '${stray}', a value from before the integer op` };
        known.add(t.output);
      }
      return { prefix, op: n, tail, factor, maxValue, needsRound };
    }
    switch (n.op) {
      case 'AvgPool': {
        const [, , h, w] = shapes.get(value) as readonly number[];
        const uniform =
          (n.countIncludePad || n.pads.every((p) => p === 0)) &&
          fits(h, n.kernel[0], n.strides[0], n.pads[0], n.pads[2], n.ceilMode) &&
          fits(w, n.kernel[1], n.strides[1], n.pads[1], n.pads[3], n.ceilMode);
        if (!uniform)
          return { reason: `node '${n.name}': AvgPool windows with different divisors (padding without countIncludePad, or ceil mode)` };
        factor *= n.kernel[0] * n.kernel[1];
        needsRound = true;
        break;
      }
      case 'GlobalAvgPool': {
        const [, , h, w] = shapes.get(value) as readonly number[];
        factor *= h * w;
        needsRound = true;
        break;
      }
      case 'Pad':
        if (n.value !== 0) return { reason: `node '${n.name}': Pad with value ${n.value} before the first Conv2d/Dense` };
        break;
      default: {
        // Max pools and shape-only ops move integers without changing them (ir/op-traits.ts).
        const { kind } = OP_TRAITS[n.op];
        if (kind === 'max-pool' || kind === 'shape') break;
        return { reason: `node '${n.name}': ${n.op} before the first Conv2d/Dense does not keep integer inputs integer` };
      }
    }
    prefix.push(n);
    value = n.output;
  }
  return { reason: 'the graph has no Conv2d or Dense' };
}

/** With ceil mode, every window must still end inside the padded input (else its divisor shrinks). */
function fits(size: number, kernel: number, stride: number, before: number, after: number, ceil: boolean): boolean {
  const free = size + before + after - kernel;
  return (
    !ceil ||
    free % stride === 0 ||
    windowOut(size, kernel, stride, before, after, 1, true) === windowOut(size, kernel, stride, before, after, 1, false)
  );
}
