import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  integrateAndFire,
  neuronKind,
  neuronKinds,
  neuronUnsupported,
  NeuronError,
  signedNeuron,
  type NeuronParams,
  type SignedState,
} from '../../src/neurons/index.js';
import { mulberry32 } from '../../src/tensor/random.js';

const signed = signedNeuron(1);
const soft = (theta: number): NeuronParams => ({ threshold: Float32Array.of(theta), reset: 'soft', maxSpikesPerStep: 1 });

function run(
  kind: typeof signed,
  theta: number,
  currents: readonly number[],
  v0 = 0,
): { spikes: number[]; state: SignedState; total: number } {
  const state = kind.initialState(Float32Array.of(v0), 1);
  const spikes = new Float32Array(currents.length);
  const total = kind.step(soft(theta), state, {
    current: Float32Array.from(currents),
    constantCurrent: false,
    spikes,
    steps: currents.length,
  });
  return { spikes: [...spikes], state, total };
}

test('golden trace: an excess early spike is taken back, and never more than were emitted', () => {
  // θ = 1, v(0) = 0: v 1.25 ≥ 1 → +1, v .25, n 1; −.25; −.75; −1.25 ≤ −1 and n > 0 → −1, v −.25, n 0;
  // 0; −2: v ≤ −1 but n = 0 → no spike (the net count never goes negative).
  const { spikes, state, total } = run(signed, 1, [1.25, -0.5, -0.5, -0.5, 0.25, -2]);
  assert.deepEqual(spikes, [1, 0, 0, -1, 0, 0]);
  assert.equal(state.v[0], -2);
  assert.equal(state.net[0], 0);
  assert.equal(total, 2, 'a −1 is a spike emitted like a +1');
  // IF on the same currents keeps its early spike: the rate overshoots the mean input (0 here).
  const ifSpikes = new Float32Array(6);
  integrateAndFire.step(soft(1), integrateAndFire.initialState(Float32Array.of(0), 1), {
    current: Float32Array.of(1.25, -0.5, -0.5, -0.5, 0.25, -2),
    constantCurrent: false,
    spikes: ifSpikes,
    steps: 6,
  });
  assert.deepEqual([...ifSpikes], [1, 0, 0, 0, 0, 0]);
});

test('ε < 1 takes a spike back earlier: at v ≤ −ε·θ', () => {
  const half = signedNeuron(0.5);
  // v 1.5 → +1, .5; −.25; −.75 ≤ −.5 → −1, .25
  assert.deepEqual(run(half, 1, [1.5, -0.75, -0.5]).spikes, [1, 0, -1]);
  assert.deepEqual(run(signed, 1, [1.5, -0.75, -0.5]).spikes, [1, 0, 0]);
  assert.throws(() => signedNeuron(0), NeuronError);
  assert.throws(() => signedNeuron(1.5), /ε must be in \(0, 1\]/);
});

test('property: the net count never goes negative and is the running sum of the spikes', () => {
  const r = mulberry32(17);
  for (const epsilon of [1, 0.5, 0.1]) {
    const kind = signedNeuron(epsilon);
    const units = 7;
    const batch = 3;
    const steps = 40;
    const threshold = Float32Array.from({ length: units }, () => 0.2 + 2 * r());
    const state = kind.initialState(
      Float32Array.from(threshold, (t) => t * r()),
      batch,
    );
    const size = units * batch;
    const current = Float32Array.from({ length: steps * size }, () => 3 * (r() - 0.5));
    const spikes = new Float32Array(steps * size);
    const running = new Int32Array(size);
    // One step at a time, so the net count is checked after every update.
    for (let t = 0; t < steps; t++) {
      const out = spikes.subarray(t * size, (t + 1) * size);
      const emitted = kind.step({ threshold, reset: 'soft', maxSpikesPerStep: 1 }, state, {
        current: current.subarray(t * size, (t + 1) * size),
        constantCurrent: false,
        spikes: out,
        steps: 1,
      });
      assert.equal(
        emitted,
        out.reduce((s, x) => s + Math.abs(x), 0),
      );
      for (let i = 0; i < size; i++) {
        assert.ok([-1, 0, 1].includes(out[i]));
        running[i] += out[i];
        assert.equal(state.net[i], running[i]);
        assert.ok(state.net[i] >= 0, `ε ${epsilon}, step ${t}, unit ${i}: net ${state.net[i]}`);
      }
    }
    assert.ok(
      spikes.some((s) => s < 0),
      'some spike was taken back',
    );
  }
});

test('under a constant current the signed neuron is IF: the same counts, the same ideal quantizer', () => {
  const r = mulberry32(3);
  for (let k = 0; k < 200; k++) {
    const theta = 0.3 + r();
    const z = (r() - 0.3) * theta;
    const v0 = r() < 0.5 ? theta / 2 : 0;
    const T = 1 + Math.floor(r() * 40);
    const spikes = new Float32Array(T);
    const ifState = integrateAndFire.initialState(Float32Array.of(v0), 1);
    const ifCount = integrateAndFire.step(soft(theta), ifState, { current: Float32Array.of(z), constantCurrent: true, spikes, steps: T });
    const state = signed.initialState(Float32Array.of(v0), 1);
    signed.step(soft(theta), state, { current: Float32Array.of(z), constantCurrent: true, spikes, steps: T });
    assert.equal(state.net[0], ifCount, `z ${z} θ ${theta} T ${T}`);
    assert.equal(signed.idealOutput(z, theta, T, v0, 0, 1), integrateAndFire.idealOutput(z, theta, T, v0, 0, 1));
  }
});

test('the table: names, settings each kind refuses, where it cannot run', () => {
  assert.deepEqual(Object.keys(neuronKinds), ['if', 'signed']);
  assert.equal(neuronKind('signed').name, 'signed');
  assert.throws(
    () => neuronKind('lif'),
    (e: Error) => e instanceof NeuronError && /unknown neuron 'lif'; known: if, signed/.test(e.message),
  );
  assert.equal(integrateAndFire.checkSettings({ reset: 'hard', maxSpikesPerStep: 3 }), null);
  assert.match(signed.checkSettings({ reset: 'hard', maxSpikesPerStep: 1 }) ?? '', /resets softly/);
  assert.match(signed.checkSettings({ reset: 'soft', maxSpikesPerStep: 2 }) ?? '', /at most one spike/);
  assert.deepEqual(integrateAndFire.spikeRange(3), [0, 3]);
  assert.deepEqual(signed.spikeRange(1), [-1, 1]);
  for (const target of ['event', 'nir', 'onnx'] as const) assert.equal(neuronUnsupported('if', target), null);
  assert.match(neuronUnsupported('signed', 'nir') ?? '', /^neuron 'signed' has no NIR form: /);
  assert.match(neuronUnsupported('signed', 'event') ?? '', /^neuron 'signed' has no event-engine form: /);
  assert.match(neuronUnsupported('lif', 'onnx') ?? '', /unknown neuron 'lif'/);
});
