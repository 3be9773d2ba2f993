/** What a NIR reader gets exactly from an exported SNN, and what NIR cannot say (docs/method.md §9). */
import type { CalibrationRecord, ConversionOptions, SnnModel } from '../../model/snn-model.js';
import type { ExportNotes } from '../exporters.js';

/** Lines the writer also records in the file's metadata (`warnings`): what changes the reader's numbers. */
export function nirWarnings(o: ConversionOptions, calibration?: CalibrationRecord): string[] {
  const shift =
    o.shift === 'v0'
      ? ['v(0) = θ/2 is not expressible in NIR: readers start at v = 0 (convert with --shift bias to keep the shift in the biases)']
      : [];
  return perNeuronV0(calibration)
    ? [
        ...shift,
        'the per-neuron v(0) of advanced calibration is not expressible in NIR: readers start at v = 0 (--calibration light keeps its corrections in the biases)',
      ]
    : shift;
}

/** Whether advanced calibration left a per-neuron v(0) in some layer. */
export function perNeuronV0(calibration: CalibrationRecord | undefined): boolean {
  return calibration?.mode === 'advanced' && calibration.layers.some((l) => l.kept);
}

/** The metadata's `v_init`: what v(0) the converted SNN starts from. */
export function vInit(o: ConversionOptions, calibration?: CalibrationRecord): string {
  const start = o.shift === 'v0' ? 'theta/2' : '0';
  if (perNeuronV0(calibration)) return `${start} plus a per-neuron calibration (not expressible in NIR: readers start at 0)`;
  return o.shift === 'v0' ? 'theta/2 (not expressible in NIR: readers start at 0)' : '0';
}

export function resetNote(o: ConversionOptions): string {
  return o.reset === 'soft'
    ? 'NIR IF has no reset mode: Sinabs and SpiNNaker2 subtract the threshold (soft reset, as converted); Norse and SpikingJelly reset to zero'
    : 'NIR IF resets to v_reset = 0 (hard reset, as converted); Sinabs and SpiNNaker2 subtract the threshold instead';
}

export function readoutNote(readout: ConversionOptions['readout']): string {
  return readout === 'accumulate'
    ? 'accumulating readout: the graph ends at its last Affine/Conv2d (no neurons); sum the Output over the T steps and take the argmax'
    : 'spiking readout: count the Output spikes over the T steps and take the argmax';
}

export const TIME_STEP_NOTE =
  'thresholds are folded into the weights: every IF has r = 1 and v_threshold = 1; one NIR step = one SNN step (dt = 1); ann2snn fires at v ≥ 1';

export function nirNotes(model: SnnModel): ExportNotes {
  const o = model.conversion.options;
  const shift =
    o.shift === 'bias' ? `the bias shift θ/(2·T_shift), T_shift = ${o.tShift} (in the biases)` : o.shift === 'none' ? 'no shift' : null;
  return {
    exact: [
      `weights and biases${shift ? `, ${shift}` : ''}, ${o.thresholdScope}-wise θ (folded: r = 1, v_threshold = 1), pools as SumPool2d, residual Add as edges into one node, Concat as split weights`,
      readoutNote(o.readout),
    ],
    lost: [
      ...nirWarnings(o, model.conversion.calibration),
      resetNote(o),
      'NIR IF fires at v > 1; ann2snn at v ≥ 1 (a unit exactly at threshold can differ)',
      'the ANN and the conversion record are kept only as metadata',
    ],
  };
}
