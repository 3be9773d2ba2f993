/**
 * Reading the values an importer is given: constants as float32, one scalar or integers; integer
 * vectors known at import time (constants or shapes) and back; axes; outputs that must stay unread.
 */
import { formatShape } from '../tensor/tensor.js';
import type { ConstTensor, ImportContext, ShapeEntry, Value } from './import-context.js';

/** True when the output is present and some node (or the graph output) reads it. */
function outputUsed(ctx: ImportContext, i: number): boolean {
  const name = ctx.node.outputs[i];
  return name !== undefined && name !== '' && ctx.uses(name) > 0;
}

export function refuseExtraOutputs(ctx: ImportContext, what: string): void {
  for (let i = 1; i < ctx.node.outputs.length; i++) {
    if (outputUsed(ctx, i)) throw ctx.error(`its output ${i} ('${ctx.node.outputs[i]}', ${what}) is used, which is not supported`);
  }
}

export function floats(c: ConstTensor): Float32Array {
  return c.data instanceof Float32Array ? c.data : Float32Array.from(c.data);
}

export function scalar(ctx: ImportContext, c: ConstTensor, role: string): number {
  if (c.data.length !== 1) throw ctx.error(`${role} must be a single value, got shape ${formatShape(c.dims)}`);
  return c.data[0];
}

export function integers(ctx: ImportContext, c: ConstTensor, role: string): number[] {
  if (c.isFloat) throw ctx.error(`${role} must be an integer tensor`);
  return Array.from(c.data);
}

/** Entries of an integer vector known at import time (constant or shape value). */
export function shapeEntries(ctx: ImportContext, v: Value, role: string): { dims: readonly number[]; entries: readonly ShapeEntry[] } {
  if (v.kind === 'shape') return v;
  if (v.kind === 'constant') return { dims: v.tensor.dims, entries: integers(ctx, v.tensor, role) };
  throw ctx.error(
    `${role} is computed from activations; only shape computations (Shape, Gather, Unsqueeze, Concat on shapes) are supported`,
  );
}

export function shapeValue(dims: readonly number[], entries: readonly ShapeEntry[], name: string): Value {
  if (entries.includes('batch')) return { kind: 'shape', dims, entries };
  return { kind: 'constant', tensor: { name, dims, isFloat: false, data: Float64Array.from(entries as number[]) } };
}

export function normalizeAxis(ctx: ImportContext, axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) throw ctx.error(`axis ${axis} is out of range for rank ${rank}`);
  return a;
}
