/** What a bare ONNX Runtime client of an exported SNN gets exactly, and what the file does not carry. */
import type { SnnModel } from '../../model/snn-model.js';
import type { ExportNotes } from '../exporters.js';

export function onnxNotes(model: SnnModel, format: 'onnx' | 'onnx-step', T: number): ExportNotes {
  const o = model.conversion.options;
  const shift =
    o.shift === 'v0'
      ? 'the shift v(0) = θ/2 (the graph adds it at t = 0: every state starts at zero)'
      : o.shift === 'bias'
        ? `the bias shift θ/(2·T_shift), T_shift = ${o.tShift} (in the biases)`
        : 'no shift';
  const neuron = o.maxSpikesPerStep > 1 ? `burst IF neurons (γ = ${o.maxSpikesPerStep})` : 'IF neurons';
  const exact = [
    `spikes, membrane potentials and the readout as \`ann2snn simulate --engine dense\` computes them: ${neuron}, ${o.reset} reset, ${o.thresholdScope}-wise θ, ${shift}`,
    `the ${o.readout === 'accumulate' ? 'accumulated output current' : 'spike count of the spiking readout (times θ)'}, summed in f64 as the simulator sums it; spike counts per layer and image`,
  ];
  const lost = [
    format === 'onnx'
      ? `T is fixed at ${T} steps, with direct (analog) input; export onnx-step to run any number of steps or to feed input spikes`
      : 'the input encoder: `input` is what the network sees at step t (the image for direct input; feed your own Bernoulli spikes for rate coding — our Poisson stream is not in the file)',
    'the ANN and the conversion record (thresholds’ sources, calibration) that the .snn file keeps',
  ];
  return { exact, lost };
}
