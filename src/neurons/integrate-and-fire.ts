/**
 * Integrate-and-fire, one fused loop per chunk:
 *   v ← v + I(t);  n = min(⌊v/θ⌋, γ) if v ≥ θ else 0;  v ← v − θ·n (soft) or v ← 0 if n > 0 (hard)
 * With γ = 1 this is the plain IF neuron of METHOD.md §1 (fire at v ≥ θ); γ > 1 is the burst neuron.
 */
import type { NeuronKind, NeuronParams, NeuronState, StepArgs } from './neuron.js';

export const integrateAndFire: NeuronKind = {
  name: 'if',
  step(params: NeuronParams, state: NeuronState, args: StepArgs): number {
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
