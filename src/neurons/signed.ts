/**
 * The signed neuron (Fast-SNN / SNM; docs/method.md §10), soft reset, one spike per step at most:
 *   v ← v + I(t)
 *   s = +1, v ← v − θ, n ← n + 1     if v ≥ θ
 *   s = −1, v ← v + θ, n ← n − 1     else if v ≤ −ε·θ and n > 0
 *   s = 0                             otherwise
 * n is the unit's net count Σs so far; it never goes below 0, so a −1 only takes back an earlier +1
 * whose charge the inputs have since cancelled (the excess spikes of residual and deep nets). The
 * output is θ·s, so the rate θ·n/T is what downstream layers integrate. 0 < ε ≤ 1; ε = 1 (the
 * table's neuron) makes the two sides symmetric: a −1 at v ≤ −θ leaves v ≤ 0, undoing a +1's reset
 * exactly, and no spike is taken back while the residual could still be paid by later input.
 * Under a constant current n only grows (v stays ≥ 0 once it fired), so the ideal quantizer is
 * IF's clip-floor.
 */
import { clipFloor } from './integrate-and-fire.js';
import type { NeuronKind, NeuronParams, NeuronState, StepArgs } from './neuron.js';
import { NeuronError, repeatPerSample } from './neuron.js';

export interface SignedState extends NeuronState {
  /** Net spike count n = Σs of every unit, [batch × units]; never negative. */
  readonly net: Int32Array;
}

/** The signed neuron with take-back threshold −ε·θ (0 < ε ≤ 1). */
export function signedNeuron(epsilon: number): NeuronKind<SignedState> {
  if (!(epsilon > 0 && epsilon <= 1)) throw new NeuronError(`signed neuron: ε must be in (0, 1], got ${epsilon}`);
  return {
    name: 'signed',
    description: `signed IF (Fast-SNN): +1 at v ≥ θ, −1 at v ≤ −${epsilon}·θ while the net count is positive`,
    unsupported: {
      event: 'the event kernels list only positive spikes (a −1 would have to subtract its weight row)',
      nir: 'NIR has no neuron with negative spikes (its IF emits 0/1)',
      onnx: 'the ONNX step writes IF neurons only',
    },
    checkSettings: (s) =>
      s.reset !== 'soft'
        ? `reset '${s.reset}': a signed neuron takes a spike back by adding θ, so it resets softly`
        : s.maxSpikesPerStep !== 1
          ? `γ = ${s.maxSpikesPerStep}: a signed neuron emits at most one spike (+1 or −1) per step`
          : null,
    spikeRange: () => [-1, 1],
    initialState: (initialPotential, batch) => ({
      v: repeatPerSample(initialPotential, batch),
      net: new Int32Array(batch * initialPotential.length),
    }),
    idealOutput: clipFloor,
    step: (params: NeuronParams, state: SignedState, args: StepArgs): number => stepSigned(params, state, args, epsilon),
  };
}

function stepSigned(params: NeuronParams, state: SignedState, args: StepArgs, epsilon: number): number {
  const { threshold } = params;
  const { v, net } = state;
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
        let u = v[i] + current[inBase + i];
        let s = 0;
        if (u >= theta) {
          u -= theta;
          s = 1;
        } else if (u <= -epsilon * theta && net[i] > 0) {
          u += theta;
          s = -1;
        }
        if (s !== 0) {
          net[i] += s;
          total++;
        }
        v[i] = u;
        spikes[outBase + i] = s;
      }
    }
  }
  return total;
}
