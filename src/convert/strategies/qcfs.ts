/**
 * QCFS (Bu et al., ICLR 2022; docs/method.md §9): the ANN was trained with
 * q(z) = λ·clip(⌊z·L/λ + ½⌋/L, 0, 1) (QuantClip nodes), so θ_l = λ_l, with v(0) = θ/2, soft reset and
 * no bias shift. Then an IF neuron with constant input z spikes exactly L·q(z)/λ times in L steps.
 * No calibration data is needed. Every activation site must be a QuantClip: a Relu or Clip site has
 * no λ, and guessing one would not be QCFS.
 */
import { ConversionError, type ConversionStrategy } from '../strategy.js';

export const qcfs: ConversionStrategy = {
  name: 'qcfs',
  description: 'θ = λ of each QCFS activation (QuantClip, trained with --act qcfs); v(0) = θ/2, soft reset, no bias shift',
  requires: { shift: 'v0', reset: 'soft' },
  threshold(site) {
    if (site.op !== 'QuantClip') {
      throw new ConversionError(
        `strategy 'qcfs' needs QCFS activations (QuantClip: train with --act qcfs, or import a QCFS export); node '${site.name}' is ${site.op}`,
      );
    }
    return { theta: Float32Array.of(site.max), source: `QCFS λ (L = ${site.levels})` };
  },
};
