/**
 * The neuron seam. A neuron kind is a pure step function over typed arrays: it reads the input
 * current of `steps` time steps, updates the membrane state in place, and writes the spike count
 * of every unit and step (0/1 for IF; 0..γ for burst). Params are readonly; State is mutable.
 */
export interface NeuronParams {
  /** θ for each unit of one sample (per-layer or per-channel thresholds expanded). */
  readonly threshold: Float32Array;
  /** Set when every unit has the same θ (layer-wise thresholds): lets the step run a flat loop. */
  readonly uniformThreshold?: number;
  readonly reset: 'soft' | 'hard';
  /** Largest spike count one unit may emit in one step (1 for plain IF). */
  readonly maxSpikesPerStep: number;
}

export interface NeuronState {
  /** Membrane potential, [batch × units]. */
  readonly v: Float32Array;
}

export interface StepArgs {
  /** Input current, [steps × batch × units], or [batch × units] when constant in time (`constantCurrent`). */
  readonly current: Float32Array;
  readonly constantCurrent: boolean;
  /** Output spike counts, [steps × batch × units]. */
  readonly spikes: Float32Array;
  readonly steps: number;
}

export interface NeuronKind {
  readonly name: string;
  /** Advances the state by `steps` steps; returns the total number of spikes emitted. */
  step(params: NeuronParams, state: NeuronState, args: StepArgs): number;
}

/** v(0) for a batch: the per-unit initial potential repeated for every sample. */
export function initialState(initialPotential: Float32Array, batch: number): NeuronState {
  const v = new Float32Array(batch * initialPotential.length);
  for (let b = 0; b < batch; b++) v.set(initialPotential, b * initialPotential.length);
  return { v };
}
