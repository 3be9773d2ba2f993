/**
 * Integrate-and-fire, one fused loop per chunk:
 *   v ← v + I(t);  n = min(⌊v/θ⌋, γ) if v ≥ θ else 0;  v ← v − θ·n (soft) or v ← 0 if n > 0 (hard)
 * With γ = 1 this is the plain IF neuron of docs/method.md §1 (fire at v ≥ θ); γ > 1 is the burst neuron.
 * Ideal quantizer: the clip-floor q_T(z) = θ/T · clip(⌊(v0 + T·(z + δ))/θ⌋, 0, γT).
 */
import { repeatPerSample, type NeuronKind, type NeuronParams, type NeuronState, type StepArgs } from './neuron.js';

/** The clip-floor θ/T · clip(⌊(v0 + T·(z + δ))/θ⌋, 0, γT): soft-reset IF under a constant current (method §2–3). */
export function clipFloor(z: number, theta: number, T: number, v0: number, delta: number, gamma: number): number {
  const n = Math.floor((v0 + T * (z + delta)) / theta);
  return (theta / T) * Math.min(Math.max(n, 0), gamma * T);
}

export const integrateAndFire: NeuronKind = {
  name: 'if',
  description: 'integrate-and-fire (γ > 1: burst), spikes 0..γ per step',
  unsupported: {},
  checkSettings: () => null,
  spikeRange: (gamma) => [0, gamma],
  initialState: (initialPotential, batch) => ({ v: repeatPerSample(initialPotential, batch) }),
  idealOutput: clipFloor,
  step(params: NeuronParams, state: NeuronState, args: StepArgs): number {
    if (params.maxSpikesPerStep === 1 && params.reset === 'soft') return stepSoftIf(params, state.v, args);
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

/**
 * The common case (γ = 1, soft reset): s = [v ≥ θ]; v ← v − θ·s. With one θ for the whole layer the
 * loop runs flat over [batch × units] (measured ~25% faster than indexing θ per unit).
 */
function stepSoftIf(params: NeuronParams, v: Float32Array, args: StepArgs): number {
  const { current, spikes, steps, constantCurrent } = args;
  const size = v.length;
  const theta = params.uniformThreshold;
  let total = 0;
  for (let t = 0; t < steps; t++) {
    const outBase = t * size;
    const inBase = constantCurrent ? 0 : outBase;
    if (theta !== undefined) {
      for (let i = 0; i < size; i++) {
        let u = v[i] + current[inBase + i];
        if (u >= theta) {
          u -= theta;
          spikes[outBase + i] = 1;
          total++;
        } else spikes[outBase + i] = 0;
        v[i] = u;
      }
    } else {
      total += softIfPerUnit(params.threshold, v, current, inBase, spikes, outBase);
    }
  }
  return total;
}

function softIfPerUnit(
  threshold: Float32Array,
  v: Float32Array,
  current: Float32Array,
  inBase: number,
  spikes: Float32Array,
  outBase: number,
): number {
  const units = threshold.length;
  let total = 0;
  for (let row = 0; row < v.length; row += units) {
    for (let j = 0; j < units; j++) {
      const i = row + j;
      let u = v[i] + current[inBase + i];
      if (u >= threshold[j]) {
        u -= threshold[j];
        spikes[outBase + i] = 1;
        total++;
      } else spikes[outBase + i] = 0;
      v[i] = u;
    }
  }
  return total;
}
