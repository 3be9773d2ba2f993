/** What a NIR reader gets exactly from an exported SNN, and what NIR cannot say (docs/method.md §9). */
import type { ConversionOptions, SnnModel } from '../../model/snn-model.js';
import type { ExportNotes } from '../exporters.js';

/** Lines the writer also records in the file's metadata (`warnings`): what changes the reader's numbers. */
export function nirWarnings(o: ConversionOptions): string[] {
  return o.shift === 'v0'
    ? ['v(0) = θ/2 is not expressible in NIR: readers start at v = 0 (convert with --shift bias to keep the shift in the biases)']
    : [];
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
      ...nirWarnings(o),
      resetNote(o),
      'NIR IF fires at v > 1; ann2snn at v ≥ 1 (a unit exactly at threshold can differ)',
      'the ANN and the conversion record are kept only as metadata',
    ],
  };
}
