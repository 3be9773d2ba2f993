import { test } from 'node:test';
import assert from 'node:assert/strict';
import { integrateAndFire, type NeuronParams } from '../../src/neurons/index.js';

function countSpikes(z: number, theta: number, T: number, reset: 'soft' | 'hard', v0 = 0, gamma = 1): number {
  const params: NeuronParams = { threshold: Float32Array.of(theta), reset, maxSpikesPerStep: gamma };
  const state = integrateAndFire.initialState(Float32Array.of(v0), 1);
  const spikes = new Float32Array(T);
  return integrateAndFire.step(params, state, { current: Float32Array.of(z), constantCurrent: true, spikes, steps: T });
}

test('golden trace: soft reset keeps the residual, hard reset discards it', () => {
  const params: NeuronParams = { threshold: Float32Array.of(1), reset: 'soft', maxSpikesPerStep: 1 };
  const state = integrateAndFire.initialState(Float32Array.of(0), 1);
  const spikes = new Float32Array(5);
  integrateAndFire.step(params, state, {
    current: Float32Array.of(0.75, 0.75, 0.75, 0.75, 0.75),
    constantCurrent: false,
    spikes,
    steps: 5,
  });
  // v: .75 → 1.5≥1 fire → .5 → 1.25 fire → .25 → 1.0 fire (≥) → 0 → .75
  assert.deepEqual([...spikes], [0, 1, 1, 1, 0]);
  assert.equal(state.v[0], 0.75);
  const hard = integrateAndFire.initialState(Float32Array.of(0), 1);
  integrateAndFire.step({ ...params, reset: 'hard' }, hard, { current: Float32Array.of(0.75), constantCurrent: true, spikes, steps: 5 });
  assert.deepEqual([...spikes], [0, 1, 0, 1, 0]);
});

test('soft reset with constant input fires clip(floor(T z / θ), 0, T) times', () => {
  for (const theta of [1, 0.5, 2.5]) {
    for (const T of [1, 7, 32, 64]) {
      for (const ratio of [-0.3, 0, 0.013, 0.26, 0.5, 0.731, 0.999, 1.7, 3.2]) {
        const z = ratio * theta;
        // 1e-6 absorbs float32 rounding when T·z/θ is an integer
        const expected = Math.min(Math.max(Math.floor((T * z) / theta + 1e-6), 0), T);
        assert.equal(countSpikes(z, theta, T, 'soft'), expected, `z=${z} θ=${theta} T=${T}`);
      }
    }
  }
});

test('with v0 = θ/2 soft reset fires round(T z / θ) times', () => {
  const theta = 1;
  for (const T of [4, 16, 64]) {
    for (const z of [0.01, 0.1, 0.26, 0.49, 0.6, 0.9]) {
      const expected = Math.min(Math.max(Math.floor((T * z) / theta + 0.5), 0), T);
      assert.equal(countSpikes(z, theta, T, 'soft', theta / 2), expected, `z=${z} T=${T}`);
    }
  }
});

test('hard reset never fires more than soft reset', () => {
  for (const z of [0.3, 0.45, 0.7, 0.95]) {
    const soft = countSpikes(z, 1, 64, 'soft');
    const hard = countSpikes(z, 1, 64, 'hard');
    assert.ok(hard <= soft, `z=${z}: hard ${hard} > soft ${soft}`);
  }
  assert.ok(countSpikes(0.7, 1, 64, 'hard') < countSpikes(0.7, 1, 64, 'soft'));
});

test('burst neuron emits up to γ spikes per step', () => {
  assert.equal(countSpikes(2.5, 1, 10, 'soft', 0, 3), 25);
  assert.equal(countSpikes(5, 1, 10, 'soft', 0, 3), 30);
});

test('the flat loop for a layer-wise θ gives the same spikes and potentials as the per-unit loop', () => {
  const units = 7;
  const batch = 3;
  const steps = 5;
  const current = Float32Array.from({ length: steps * batch * units }, (_, i) => Math.sin(i * 1.7) * 0.8 + 0.3);
  const run = (uniform: boolean) => {
    const params: NeuronParams = {
      threshold: new Float32Array(units).fill(0.7),
      uniformThreshold: uniform ? Math.fround(0.7) : undefined,
      reset: 'soft',
      maxSpikesPerStep: 1,
    };
    const state = integrateAndFire.initialState(new Float32Array(units).fill(0.35), batch);
    const spikes = new Float32Array(current.length);
    const total = integrateAndFire.step(params, state, { current, constantCurrent: false, spikes, steps });
    return { total, spikes: [...spikes], v: [...state.v] };
  };
  assert.deepEqual(run(true), run(false));
});
