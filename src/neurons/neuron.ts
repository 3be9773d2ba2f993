/**
 * The neuron seam. A neuron kind is one file: a pure step function over typed arrays (it reads the
 * input current of `steps` time steps, updates its state in place, and writes the spike count of
 * every unit and step: 0/1 for IF, 0..γ for burst, −1/0/1 for signed), the state it starts from, the
 * ideal quantizer the layer-error analysis compares its rate against, and what it cannot run on.
 * Conversion, both engines, the oracle, the analysis, the .snn codec and the exporters read kinds
 * only through the table (index.ts). Params are readonly; State is mutable.
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

/** What every kind's state holds; a kind may carry more (the signed neuron: its net count per unit). */
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

/** Where a kind may be unable to run: the event engine's kernels, the NIR export, the ONNX step export. */
export type NeuronTarget = 'event' | 'nir' | 'onnx';

/** The settings of a Spike node that a kind may refuse (ConversionOptions / SpikeNode). */
export interface NeuronSettings {
  readonly reset: 'soft' | 'hard';
  readonly maxSpikesPerStep: number;
}

export interface NeuronKind<S extends NeuronState = NeuronState> {
  readonly name: string;
  /** One line for the CLI's help and the docs. */
  readonly description: string;
  /** Why each target cannot run this kind (absent: it can). */
  readonly unsupported: Readonly<Partial<Record<NeuronTarget, string>>>;
  /** Why these settings are not this neuron (e.g. hard reset for a signed neuron); null when they are. */
  checkSettings(settings: NeuronSettings): string | null;
  /** [least, most] spike count one step may write with γ = maxSpikesPerStep (IF: [0, γ]). */
  spikeRange(maxSpikesPerStep: number): readonly [number, number];
  /** The state at t = 0 for a batch: v(0) = the per-unit initial potential, repeated for every sample. */
  initialState(initialPotential: Float32Array, batch: number): S;
  /** Advances the state by `steps` steps; returns the number of spikes emitted (Σ|s|: a −1 counts as one). */
  step(params: NeuronParams, state: S, args: StepArgs): number;
  /**
   * The ideal quantizer q_T(z): the rate-coded output θ·N/T this neuron would reach after T steps of
   * the constant current z + δ from v(0) = v0 (docs/method.md §2–3); the analysis measures the
   * flooring error against it and the SNN's deviation from it.
   */
  idealOutput(z: number, theta: number, T: number, v0: number, delta: number, gamma: number): number;
}

/** v(0) for a batch: the per-unit initial potential repeated for every sample. */
export function repeatPerSample(initialPotential: Float32Array, batch: number): Float32Array {
  const v = new Float32Array(batch * initialPotential.length);
  for (let b = 0; b < batch; b++) v.set(initialPotential, b * initialPotential.length);
  return v;
}

export class NeuronError extends Error {
  override readonly name = 'NeuronError';
}
