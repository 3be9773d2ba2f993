/**
 * Reading a node's attributes with a fallback, checking each one's type (and the 2-D window
 * attributes: `kernel_shape`-like pairs and `auto_pad`/`pads`). Every refusal is `ctx.error`, naming
 * the node.
 */
import type { Pads2d, Pair } from '../ir/graph.js';
import { formatShape } from '../tensor/tensor.js';
import type { Attribute, ImportContext } from './import-context.js';

export function attr(ctx: ImportContext, name: string, type: Attribute['type']): Attribute | undefined {
  const a = ctx.node.attributes.get(name);
  if (a === undefined) return undefined;
  // ONNX writers sometimes store a whole-number float as INT or a single value as a list.
  if (type === 'float' && a.type === 'int') return { type: 'float', value: a.value };
  if (type === 'floats' && a.type === 'ints') return { type: 'floats', value: a.value };
  if (a.type !== type) throw ctx.error(`attribute '${name}' should be ${type}, got ${a.type}`);
  return a;
}

export function intAttr(ctx: ImportContext, name: string, fallback: number): number {
  const a = attr(ctx, name, 'int');
  return a === undefined ? fallback : (a.value as number);
}

export function floatAttr(ctx: ImportContext, name: string, fallback: number): number {
  const a = attr(ctx, name, 'float');
  return a === undefined ? fallback : (a.value as number);
}

export function intsAttr(ctx: ImportContext, name: string): readonly number[] | undefined {
  return attr(ctx, name, 'ints')?.value as readonly number[] | undefined;
}

export function stringAttr(ctx: ImportContext, name: string, fallback: string): string {
  const a = attr(ctx, name, 'string');
  return a === undefined ? fallback : (a.value as string);
}

export function pairAttr(ctx: ImportContext, name: string, fallback: Pair): Pair {
  const v = intsAttr(ctx, name);
  if (v === undefined) return fallback;
  if (v.length !== 2) throw ctx.error(`only 2-D windows are supported; '${name}' is [${v.join(', ')}]`);
  if (v.some((d) => d < 1)) throw ctx.error(`'${name}' must be positive, got [${v.join(', ')}]`);
  return [v[0], v[1]];
}

/**
 * Window padding for Conv and pooling: explicit `pads` (auto_pad NOTSET), VALID, or SAME_UPPER /
 * SAME_LOWER computed from the input shape (output = ⌈in / stride⌉; the odd pixel goes after the
 * input for UPPER, before it for LOWER).
 */
export function windowPads(ctx: ImportContext, x: string, kernel: Pair, strides: Pair, dilations: Pair): Pads2d {
  const autoPad = stringAttr(ctx, 'auto_pad', 'NOTSET');
  if (autoPad === 'NOTSET' || autoPad === '') {
    const pads = intsAttr(ctx, 'pads') ?? [0, 0, 0, 0];
    if (pads.length !== 4) throw ctx.error(`only 2-D windows are supported; 'pads' is [${pads.join(', ')}]`);
    if (pads.some((p) => p < 0)) throw ctx.error(`negative pads [${pads.join(', ')}] are not supported`);
    return [pads[0], pads[1], pads[2], pads[3]];
  }
  if (autoPad === 'VALID') return [0, 0, 0, 0];
  if (autoPad !== 'SAME_UPPER' && autoPad !== 'SAME_LOWER') throw ctx.error(`auto_pad '${autoPad}' is not supported`);
  const shape = ctx.shapeOf(x);
  if (shape.length !== 4) throw ctx.error(`auto_pad ${autoPad} needs a rank-4 input, got ${formatShape(shape)}`);
  const before: number[] = [];
  const after: number[] = [];
  for (let axis = 0; axis < 2; axis++) {
    const size = shape[2 + axis];
    const out = Math.ceil(size / strides[axis]);
    const total = Math.max(0, (out - 1) * strides[axis] + (kernel[axis] - 1) * dilations[axis] + 1 - size);
    const small = Math.floor(total / 2);
    before.push(autoPad === 'SAME_UPPER' ? small : total - small);
    after.push(autoPad === 'SAME_UPPER' ? total - small : small);
  }
  return [before[0], before[1], after[0], after[1]];
}
