/**
 * Integrate-and-fire, one fused loop per chunk:
 *   v ← v + I(t);  n = min(⌊v/θ⌋, γ) if v ≥ θ else 0;  v ← v − θ·n (soft) or v ← 0 if n > 0 (hard)
 * With γ = 1 this is the plain IF neuron of METHOD.md §1 (fire at v ≥ θ); γ > 1 is the burst neuron.
 */
import type { NeuronKind, NeuronParams, NeuronState, StepArgs } from './neuron.js';

export const integrateAndFire: NeuronKind = {
  name: 'if',
  step(params: NeuronParams, state: NeuronState, args: StepArgs): number {
    if (params.maxSpikesPerStep === 1 && params.reset === 'soft') return stepSoftIf(params.threshold, state.v, args);
    const { threshold, maxSpikesPerStep } = params;
    const hard = params.reset === 'hard';
    const { v } = state;
    const { current, spikes, steps, constantCurrent } = args;
    const units = threshold.length;
    const size = v.length;
    const batch = size / units;
    let total = 0;
    for (let t = 0; t < steps; t++) {
      const outBase = t * size;
      const inBase = constantCurrent ? 0 : outBase;
      for (let b = 0; b < batch; b++) {
        const row = b * units;
        for (let j = 0; j < units; j++) {
          const i = row + j;
          const theta = threshold[j];
          let u = v[i] + current[inBase + i];
          let n = 0;
          if (u >= theta) {
            n = maxSpikesPerStep === 1 ? 1 : Math.min(Math.floor(u / theta), maxSpikesPerStep);
            u = hard ? 0 : u - theta * n;
            total += n;
          }
          v[i] = u;
          spikes[outBase + i] = n;
        }
      }
    }
    return total;
  },
};

/** The common case (γ = 1, soft reset) without branches in the inner loop: s = [v ≥ θ]; v ← v − θ·s. */
function stepSoftIf(threshold: Float32Array, v: Float32Array, args: StepArgs): number {
  const { current, spikes, steps, constantCurrent } = args;
  const units = threshold.length;
  const size = v.length;
  let total = 0;
  for (let t = 0; t < steps; t++) {
    const outBase = t * size;
    const inBase = constantCurrent ? 0 : outBase;
    for (let row = 0; row < size; row += units) {
      for (let j = 0; j < units; j++) {
        const i = row + j;
        const theta = threshold[j];
        const u = v[i] + current[inBase + i];
        const s = u >= theta ? 1 : 0;
        v[i] = u - theta * s;
        spikes[outBase + i] = s;
        total += s;
      }
    }
  }
  return total;
}
