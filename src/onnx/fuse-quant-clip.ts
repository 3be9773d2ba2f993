/**
 * Import-time fusion of the QCFS activation that PyTorch exports of Bu et al.'s code contain
 * (x / λ; ⌊x·L + ½⌋ / L with a straight-through floor; clamp to [0, 1]; · λ) into ONE node, so the
 * importer sees a single activation with its λ and L:
 *
 *   Div(x, λ) | Mul(x, 1/λ)  →  [clamp]  →  Mul(·, L)  →  Add(·, ½)  →  Floor  →  Div(·, L) | Mul(·, 1/L)
 *     →  [clamp]  →  Mul(·, λ)                       (clamp = Clip(0, 1) | Max(0)·Min(1) | Min(1)·Max(0))
 *
 * with every constant an initializer or a Constant (through Cast), scalar or of shape [1], either
 * operand order for Mul and Add, the clamp before the floor (Bu et al.'s code) or after it (the
 * IR's order; both give the same values), and every intermediate value read by the next step only.
 * The chain becomes one node of op type `QUANT_CLIP_OP` (attributes `lambda`, `levels`) that the op
 * table imports as a QuantClip. λ is the final Mul's; with Mul(x, 1/λ) the fused node divides by λ,
 * which can differ from the file in the last bit of x/λ.
 *
 * Every Floor must start such a chain: one that does not is refused here, naming the Floor and the
 * step that does not fit (a Floor has no other meaning the converter could give it).
 */
import type { onnx as O } from 'onnx-proto';
import { decodeTensor, toNumber } from './decode-tensor.js';
import { OnnxError } from './errors.js';
import { onnx } from './proto.js';

/** The op type of a fused chain (a name no ONNX operator has). */
export const QUANT_CLIP_OP = 'ann2snn.QuantClip';

const CHAIN = 'Div(x, λ) → Mul(L) → Add(0.5) → Floor → Div(L) → Clip(0, 1) → Mul(λ)';

interface Graph {
  readonly nodes: readonly O.INodeProto[];
  readonly initializers: ReadonlyMap<string, O.ITensorProto>;
  readonly output: string;
  readonly source: string;
}

/** Returns the node list with every QCFS chain replaced by one `QUANT_CLIP_OP` node (in the Floor's place). */
export function fuseQuantClip(
  nodes: readonly O.INodeProto[],
  initializers: readonly O.ITensorProto[],
  output: string,
  nodeName: (n: O.INodeProto) => string,
  source: string,
): O.INodeProto[] {
  if (!nodes.some((n) => n.opType === 'Floor')) return [...nodes];
  const g: Graph = { nodes, initializers: new Map(initializers.map((t) => [t.name ?? '', t])), output, source };
  const removed = new Set<O.INodeProto>();
  const fused = new Map<O.INodeProto, O.INodeProto>();
  for (const floor of nodes) {
    if (floor.opType !== 'Floor') continue;
    const chain = matchChain(g, floor, nodeName);
    for (const n of chain.nodes) removed.add(n);
    fused.set(floor, {
      name: nodeName(chain.last),
      opType: QUANT_CLIP_OP,
      domain: '',
      input: [chain.input],
      output: [chain.last.output![0]],
      attribute: [
        { name: 'lambda', type: onnx.AttributeProto.AttributeType.FLOAT, f: chain.lambda },
        { name: 'levels', type: onnx.AttributeProto.AttributeType.INT, i: chain.levels },
      ],
    });
  }
  return nodes.flatMap((n) => (fused.has(n) ? [fused.get(n)!] : removed.has(n) ? [] : [n]));
}

interface Chain {
  readonly input: string;
  readonly nodes: readonly O.INodeProto[];
  readonly last: O.INodeProto;
  readonly lambda: number;
  readonly levels: number;
}

function matchChain(g: Graph, floor: O.INodeProto, nodeName: (n: O.INodeProto) => string): Chain {
  const fail = (why: string): OnnxError =>
    new OnnxError(`Floor is supported only inside a QCFS activation (${CHAIN}): ${why}`, { source: g.source, nodeName: nodeName(floor) });
  const producer = (value: string): O.INodeProto | undefined => g.nodes.find((n) => n.output?.includes(value));
  const readers = (value: string): O.INodeProto[] => g.nodes.filter((n) => n.input?.includes(value));
  /** The one node that reads `value` (an intermediate of the chain), or a failure. */
  const onlyReader = (value: string, after: string): O.INodeProto => {
    const r = readers(value);
    if (r.length !== 1 || value === g.output) throw fail(`the output of ${after} must feed exactly one node, the next step`);
    return r[0];
  };
  const constantOf = (value: string): number | undefined => constantScalar(g, value);
  /** For a binary node: [the other (activation) input, the constant], the constant on either side (only the right for Div). */
  const split = (n: O.INodeProto, from: string | null, commutative: boolean): [string, number] | undefined => {
    const [a, b] = n.input ?? [];
    if (a === undefined || b === undefined) return undefined;
    const cb = constantOf(b);
    if (cb !== undefined && (from === null || a === from)) return [a, cb];
    const ca = commutative ? constantOf(a) : undefined;
    if (ca !== undefined && (from === null || b === from)) return [b, ca];
    return undefined;
  };
  const nodes: O.INodeProto[] = [floor];
  const takeProducer = (value: string, what: string): O.INodeProto => {
    const p = producer(value);
    if (p === undefined) throw fail(`${what} is missing (the graph input comes first)`);
    if (readers(value).length !== 1) throw fail(`the output of ${nodeName(p)} must feed exactly one node, the next step`);
    nodes.push(p);
    return p;
  };

  // Backward: Add(½) ← Mul(L) ← [clamp] ← Div(λ) | Mul(1/λ).
  const add = takeProducer(floor.input![0], 'Add(·, 0.5) before it');
  const addIn = add.opType === 'Add' ? split(add, null, true) : undefined;
  if (!addIn || addIn[1] !== 0.5) throw fail(`expected Add(·, 0.5) before it, found ${add.opType} '${nodeName(add)}'`);
  const mulL = takeProducer(addIn[0], 'Mul(·, L) before the Add');
  const mulLIn = mulL.opType === 'Mul' ? split(mulL, null, true) : undefined;
  if (!mulLIn) throw fail(`expected Mul(·, L) before the Add, found ${mulL.opType} '${nodeName(mulL)}'`);
  const levels = mulLIn[1];
  if (!(Number.isInteger(levels) && levels >= 1)) throw fail(`L = ${levels} (from '${nodeName(mulL)}') is not a positive integer`);
  let value = mulLIn[0];
  let scale = takeProducer(value, 'Div(x, λ) at the start');
  const clampBefore = matchClampBackward(scale, constantOf, (v) => takeProducer(v, 'Div(x, λ) before the clamp'));
  if (clampBefore) scale = clampBefore;
  let lambdaIn: number;
  if (scale.opType === 'Div' && split(scale, null, false)) lambdaIn = split(scale, null, false)![1];
  else if (scale.opType === 'Mul' && split(scale, null, true)) lambdaIn = 1 / split(scale, null, true)![1];
  else throw fail(`expected Div(x, λ) or Mul(x, 1/λ) at the start, found ${scale.opType} '${nodeName(scale)}'`);
  const input = (scale.opType === 'Div' ? split(scale, null, false) : split(scale, null, true))![0];

  // Forward: Div(L) | Mul(1/L) → [clamp] → Mul(λ).
  value = floor.output![0];
  const divL = onlyReader(value, 'the Floor');
  nodes.push(divL);
  const divLIn = divL.opType === 'Div' ? split(divL, value, false) : divL.opType === 'Mul' ? split(divL, value, true) : undefined;
  const levelsOut = divLIn === undefined ? undefined : divL.opType === 'Div' ? divLIn[1] : 1 / divLIn[1];
  if (levelsOut === undefined || !close(levelsOut, levels)) {
    throw fail(`expected Div(·, ${levels}) or Mul(·, 1/${levels}) after it, found ${divL.opType} '${nodeName(divL)}'`);
  }
  value = divL.output![0];
  let next = onlyReader(value, `'${nodeName(divL)}'`);
  const clampAfter = matchClampForward(next, value, constantOf, (v, after) => onlyReader(v, after), nodeName);
  if (clampAfter) {
    nodes.push(...clampAfter.nodes);
    value = clampAfter.output;
    next = onlyReader(value, `the clamp`);
  }
  if (!clampBefore && !clampAfter) throw fail('no clamp to [0, 1] (Clip(0, 1), or Max(0) and Min(1)) before or after it');
  const mulOut = next.opType === 'Mul' ? split(next, value, true) : undefined;
  if (!mulOut) throw fail(`expected Mul(·, λ) at the end, found ${next.opType} '${nodeName(next)}'`);
  nodes.push(next);
  const lambda = mulOut[1];
  if (!(lambda > 0) || !close(lambdaIn, lambda))
    throw fail(`λ differs between the start (${lambdaIn}) and the end (${lambda}), or is not positive`);
  return { input, nodes, last: next, lambda, levels };
}

function close(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-6 * Math.max(Math.abs(a), Math.abs(b));
}

const isClipStep = (n: O.INodeProto, constantOf: (v: string) => number | undefined): 'clip' | 'max0' | 'min1' | null => {
  const [a, b, c] = n.input ?? [];
  if (n.opType === 'Clip') {
    const attr = (name: string): number | undefined => n.attribute?.find((x) => x.name === name)?.f ?? undefined;
    const lo = b ? constantOf(b) : attr('min');
    const hi = c ? constantOf(c) : attr('max');
    return lo === 0 && hi === 1 && a !== undefined ? 'clip' : null;
  }
  if ((n.opType === 'Max' || n.opType === 'Min') && n.input?.length === 2) {
    const k = constantOf(b) ?? constantOf(a);
    if (n.opType === 'Max' && k === 0) return 'max0';
    if (n.opType === 'Min' && k === 1) return 'min1';
  }
  return null;
};

/** The activation input of a clamp step. */
function clampInput(n: O.INodeProto, constantOf: (v: string) => number | undefined): string {
  const [a, b] = n.input ?? [];
  return n.opType === 'Clip' || constantOf(b) !== undefined ? a : b;
}

/** `n` (a producer) as the last step of a clamp; returns the node before the clamp, or null when `n` is no clamp. */
function matchClampBackward(
  n: O.INodeProto,
  constantOf: (v: string) => number | undefined,
  takeProducer: (v: string) => O.INodeProto,
): O.INodeProto | null {
  const step = isClipStep(n, constantOf);
  if (step === null) return null;
  const before = takeProducer(clampInput(n, constantOf));
  if (step === 'clip') return before;
  const other = isClipStep(before, constantOf);
  if (other === null || other === step || other === 'clip') return null;
  return takeProducer(clampInput(before, constantOf));
}

/** `n` (a reader of `value`) as the first step of a clamp; returns its nodes and output, or null when `n` is no clamp. */
function matchClampForward(
  n: O.INodeProto,
  value: string,
  constantOf: (v: string) => number | undefined,
  onlyReader: (v: string, after: string) => O.INodeProto,
  nodeName: (n: O.INodeProto) => string,
): { nodes: O.INodeProto[]; output: string } | null {
  const step = isClipStep(n, constantOf);
  if (step === null || clampInput(n, constantOf) !== value) return null;
  if (step === 'clip') return { nodes: [n], output: n.output![0] };
  const second = onlyReader(n.output![0], `'${nodeName(n)}'`);
  const other = isClipStep(second, constantOf);
  if (other === null || other === step || other === 'clip' || clampInput(second, constantOf) !== n.output![0]) return null;
  return { nodes: [n, second], output: second.output![0] };
}

/** The value of a one-element float or integer constant (initializer, Constant, or a Cast of one), else undefined. */
function constantScalar(g: Graph, value: string): number | undefined {
  const init = g.initializers.get(value);
  if (init !== undefined) return single(decodeTensor(init, value, g.source).data);
  const p = g.nodes.find((n) => n.output?.includes(value));
  if (p?.opType === 'Cast') return p.input?.[0] ? constantScalar(g, p.input[0]) : undefined;
  if (p?.opType !== 'Constant') return undefined;
  const attr = p.attribute?.[0];
  if (attr?.name === 'value' && attr.t) return single(decodeTensor(attr.t, value, g.source).data);
  if (attr?.name === 'value_float' && typeof attr.f === 'number') return attr.f;
  if (attr?.name === 'value_int' && attr.i !== undefined && attr.i !== null) return toNumber(attr.i);
  return undefined;
}

function single(data: Float32Array | Float64Array): number | undefined {
  return data.length === 1 ? data[0] : undefined;
}
