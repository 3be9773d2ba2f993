/**
 * The values of the dense time loop and the arithmetic on them outside the backend: θ·s of spike
 * counts, Add and channel Concat (the readout's running argmax: batch-exit.ts).
 */
import { sizeOf } from '../../tensor/tensor.js';
import type { DensePlan } from './dense-plan.js';

export interface Value {
  readonly data: Float32Array;
  readonly isStatic: boolean;
  /** Spike counts (0..γ per unit and step) whose amplitude θ is not yet applied. */
  readonly spikeCounts: boolean;
}

/** θ·s for spike counts s; the data itself otherwise. */
export function materialize(plan: DensePlan, name: string, value: Value): Float32Array {
  if (!value.spikeCounts) return value.data;
  const amplitude = plan.spikeAmplitude.get(name)!;
  const units = amplitude.length;
  const out = new Float32Array(value.data.length);
  for (let row = 0; row < out.length; row += units) {
    for (let j = 0; j < units; j++) out[row + j] = value.data[row + j] * amplitude[j];
  }
  return out;
}

/** Add or channel Concat of [rows, …] values; a static operand is broadcast over the chunk's steps. */
export function runMerge(
  plan: DensePlan,
  kind: 'add' | 'concat',
  inputs: readonly string[],
  output: string,
  values: Map<string, Value>,
  rows: number,
): Value {
  const operands = inputs.map((name) => ({
    data: materialize(plan, name, values.get(name)!),
    isStatic: values.get(name)!.isStatic,
    units: sizeOf(plan.shapes.get(name)!),
  }));
  const outUnits = sizeOf(plan.shapes.get(output)!);
  const out = new Float32Array(rows * outUnits);
  if (kind === 'add') {
    for (const op of operands) {
      const period = op.isStatic ? op.data.length : out.length;
      for (let row = 0; row < out.length; row += period) {
        for (let j = 0; j < period; j++) out[row + j] += op.data[j];
      }
    }
  } else {
    let offset = 0;
    for (const op of operands) {
      const sampleRows = op.isStatic ? op.data.length / op.units : rows;
      for (let r = 0; r < rows; r++)
        out.set(op.data.subarray((r % sampleRows) * op.units, ((r % sampleRows) + 1) * op.units), r * outUnits + offset);
      offset += op.units;
    }
  }
  return { data: out, isStatic: false, spikeCounts: false };
}
