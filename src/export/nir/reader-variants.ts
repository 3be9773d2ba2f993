/**
 * What NIR readers will run from an exported SNN, as SnnModels the simulator runs: NIR has no reset
 * mode and no initial membrane, so every reader starts at v = 0 (v(0) = θ/2 is lost; a bias shift
 * stays in the biases) and either subtracts the threshold or resets to zero.
 */
import type { SnnModel } from '../../model/snn-model.js';
import { tensor } from '../../tensor/tensor.js';

export interface NirReaderVariant {
  readonly name: 'subtract' | 'zero';
  /** Who runs it that way, for the user. */
  readonly description: string;
  readonly model: SnnModel;
}

export function nirReaderVariants(model: SnnModel): readonly NirReaderVariant[] {
  return [
    { name: 'subtract', description: 'subtractive reset from v = 0 (Sinabs, SpiNNaker2)', model: asRead(model, 'soft') },
    { name: 'zero', description: 'reset to zero from v = 0 (Norse, SpikingJelly)', model: asRead(model, 'hard') },
  ];
}

function asRead(model: SnnModel, reset: 'soft' | 'hard'): SnnModel {
  const graph = {
    ...model.graph,
    nodes: model.graph.nodes.map((n) =>
      n.op === 'Spike' ? { ...n, reset, initialPotential: tensor(n.threshold.shape, new Float32Array(n.threshold.data.length)) } : n,
    ),
  };
  const o = model.conversion.options;
  return { ...model, graph, conversion: { ...model.conversion, options: { ...o, reset, shift: o.shift === 'v0' ? 'none' : o.shift } } };
}
