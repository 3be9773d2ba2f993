/**
 * The ONNX target: real and built models (onnx/seeds.ts) under structured mutations through the
 * protobuf schema and byte mutations (onnx/mutations.ts), pushed as far as a user would
 * (onnx/pipeline.ts): import, inspect, the ANN on one input, conversion calibrated on two images,
 * a few simulated steps.
 */
import fc from 'fast-check';
import { onnx } from '../../src/onnx/proto.js';
import type { FuzzCase, FuzzTarget } from '../target.js';
import { mutateBytes, structuredMutations } from './onnx/mutations.js';
import { Picker } from './onnx/picker.js';
import { runModelFile } from './onnx/pipeline.js';
import { seeds } from './onnx/seeds.js';

interface Plan {
  readonly seed: number;
  /** Structured mutations: index into the table and the numbers its choices come from. */
  readonly steps: readonly { readonly kind: number; readonly draws: readonly number[] }[];
  /** 0–5: structured only; 6–7: structured then bytes; 8–9: bytes only. */
  readonly mode: number;
  readonly byteDraws: readonly number[];
}

const plan: fc.Arbitrary<Plan> = fc.record({
  seed: fc.nat(),
  steps: fc.array(fc.record({ kind: fc.nat(), draws: fc.array(fc.nat(), { minLength: 8, maxLength: 8 }) }), { minLength: 1, maxLength: 3 }),
  mode: fc.nat({ max: 9 }),
  byteDraws: fc.array(fc.nat(), { minLength: 8, maxLength: 8 }),
});

function makeCase(p: Plan): FuzzCase {
  // Six cases in ten mutate a tiny built graph (fast: ~20–90 ms when it runs through), four a real model (~0.3–0.8 s).
  const { tiny, real } = seeds();
  const pool = p.seed % 10 < 6 || real.length === 0 ? tiny : real;
  const seed = pool[Math.floor(p.seed / 10) % pool.length];
  const done: string[] = [];
  let bytes = seed.bytes;
  if (p.mode < 8) {
    // Decoded bytes fields are views into the buffer decoded: decode a copy, so the seed stays intact
    // (a copy with `new Uint8Array`: protobufjs encodes to a Buffer, whose `slice` is a view).
    const model = onnx.ModelProto.decode(new Uint8Array(seed.bytes));
    for (const step of p.steps) {
      const what = structuredMutations[step.kind % structuredMutations.length](model, new Picker(step.draws));
      if (what !== null) done.push(what);
    }
    bytes = onnx.ModelProto.encode(model).finish();
  }
  if (p.mode >= 6 || done.length === 0) {
    const m = mutateBytes(bytes, new Picker(p.byteDraws));
    bytes = m.bytes;
    done.push(m.what);
  }
  return { bytes, mutation: `${seed.name}: ${done.join('; ')}` };
}

export const onnxTarget: FuzzTarget = {
  name: 'onnx',
  extension: 'onnx',
  cases: plan.map(makeCase),
  run: runModelFile,
};
