/** Parameter storage: one Float32Array per parameter (and BatchNorm running statistic), by name. */
import type { Network } from './network.js';
import { Rng, deriveSeed } from './rng.js';

export type ParamStore = Map<string, Float32Array>;

/**
 * PyTorch-default initialisation, seeded: Conv/Dense weights and biases U(−1/√fan_in, 1/√fan_in)
 * (kaiming_uniform with a = √5), BatchNorm γ = 1, β = 0, running mean 0, running variance 1.
 * Every parameter draws from its own stream (seed, name), so adding a layer does not change the
 * initial values of the others.
 */
export function initParams(net: Network, seed: number): ParamStore {
  const store: ParamStore = new Map();
  for (const p of net.params) {
    const n = p.shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    if (p.init.kind === 'const') data.fill(p.init.value);
    else {
      const rng = new Rng(deriveSeed(seed, 'init', p.name));
      const b = p.init.bound;
      for (let i = 0; i < n; i++) data[i] = rng.uniform(-b, b);
    }
    store.set(p.name, data);
  }
  return store;
}

export function cloneParams(store: ParamStore): ParamStore {
  return new Map([...store].map(([k, v]) => [k, v.slice()]));
}
