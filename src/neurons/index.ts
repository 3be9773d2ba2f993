/** The neuron table: adding a neuron = one file + one line here. */
import { integrateAndFire } from './integrate-and-fire.js';
import { NeuronError, type NeuronKind, type NeuronTarget } from './neuron.js';
import { signedNeuron } from './signed.js';

export const neuronKinds: Readonly<Record<string, NeuronKind>> = {
  if: integrateAndFire,
  signed: signedNeuron(1),
};

/** The kind named `name`, or undefined. */
export function findNeuron(name: string): NeuronKind | undefined {
  return Object.hasOwn(neuronKinds, name) ? neuronKinds[name] : undefined;
}

/** The kind named `name`; a NeuronError naming it and the table's names otherwise. */
export function neuronKind(name: string): NeuronKind {
  const kind = findNeuron(name);
  if (!kind) throw new NeuronError(`unknown neuron '${name}'; known: ${Object.keys(neuronKinds).join(', ')}`);
  return kind;
}

const TARGET_NAMES: Readonly<Record<NeuronTarget, string>> = { event: 'event-engine', nir: 'NIR', onnx: 'ONNX' };

/** Why `target` cannot run neuron `name` ("neuron 'signed' has no NIR form: …"), or null when it can. */
export function neuronUnsupported(name: string, target: NeuronTarget): string | null {
  const kind = findNeuron(name);
  if (!kind) return `unknown neuron '${name}'; known: ${Object.keys(neuronKinds).join(', ')}`;
  const why = kind.unsupported[target];
  return why === undefined ? null : `neuron '${name}' has no ${TARGET_NAMES[target]} form: ${why}`;
}

export * from './neuron.js';
export { clipFloor, integrateAndFire } from './integrate-and-fire.js';
export { signedNeuron, type SignedState } from './signed.js';
