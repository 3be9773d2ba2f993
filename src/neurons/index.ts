/** The neuron table: adding a neuron = one file + one line here. */
import { integrateAndFire } from './integrate-and-fire.js';
import type { NeuronKind } from './neuron.js';

export const neuronKinds: Readonly<Record<string, NeuronKind>> = {
  if: integrateAndFire,
};

export function neuronKind(name: string): NeuronKind {
  const kind = neuronKinds[name];
  if (!kind) throw new Error(`unknown neuron '${name}'; known: ${Object.keys(neuronKinds).join(', ')}`);
  return kind;
}

export * from './neuron.js';
export { integrateAndFire } from './integrate-and-fire.js';
