/**
 * The activations' forward values and gradient masks, exactly: input → flatten → dense (identity
 * weights, zero bias) → act → dense. ∂L/∂bias₁ᵢ = ∂L/∂aᵢ · mask(xᵢ), so the first bias gradient is
 * zero exactly where the mask is.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tensor } from '../../src/tensor/tensor.js';
import { TrainEngine } from '../../src/train/engine.js';
import { compileNetwork } from '../../src/train/network.js';
import { initParams } from '../../src/train/params.js';
import type { ActivationSpec, ModelSpec } from '../../src/train/spec.js';

const xs = [-0.5, 0, 0.2, 0.3, 0.9, 1, 1.7, 0.25];
const spec: ModelSpec = {
  name: 'mask',
  input: [1, 1, xs.length],
  classes: 2,
  layers: [{ type: 'flatten' }, { type: 'dense', out: xs.length }, { type: 'act' }, { type: 'dense', out: 2 }],
};

async function firstBiasGrad(act: ActivationSpec): Promise<Float32Array> {
  const net = compileNetwork(spec, act);
  const params = initParams(net, 3);
  const w = params.get('dense1.weight')!;
  w.fill(0);
  for (let i = 0; i < xs.length; i++) w[i * xs.length + i] = 1;
  params.get('dense1.bias')!.fill(0);
  // Second layer: every unit pushes the logits apart, so ∂L/∂a is nonzero everywhere.
  const w2 = params.get('dense2.weight')!;
  for (let i = 0; i < xs.length; i++) {
    w2[i] = 0.5 + 0.1 * i;
    w2[xs.length + i] = -0.3;
  }
  const engine = await TrainEngine.create(net, { threads: 1 });
  try {
    const r = await engine.step(tensor([1, 1, 1, xs.length], xs), Int32Array.of(1), params);
    return r.grads.get('dense1.bias')!;
  } finally {
    await engine.dispose();
  }
}

const passes = (g: Float32Array): boolean[] => [...g].map((v) => v !== 0);

test('clip(x, 0, θ): gradient passes exactly where 0 ≤ x ≤ θ (both ends included, as PyTorch clamp)', async () => {
  assert.deepEqual(passes(await firstBiasGrad({ kind: 'clip', theta: 1 })), [false, true, true, true, true, true, false, true]);
});

test('relu: gradient passes where x > 0 (not at 0, as PyTorch)', async () => {
  assert.deepEqual(passes(await firstBiasGrad({ kind: 'relu' })), [false, false, true, true, true, true, true, true]);
});

test('clip-shift: the mask is taken of x − θ/(2T)', async () => {
  // θ = 1, T = 2: δ = 0.25; x − δ = [−.75, −.25, −.05, .05, .65, .75, 1.45, 0]
  assert.deepEqual(passes(await firstBiasGrad({ kind: 'clip-shift', theta: 1, tShift: 2 })), [
    false,
    false,
    false,
    true,
    true,
    true,
    false,
    true,
  ]);
});

test('forward values: clip, relu, shifted clip (eval graph)', async () => {
  const cases: [ActivationSpec, (x: number) => number][] = [
    [{ kind: 'clip', theta: 0.8 }, (x) => Math.min(Math.max(x, 0), 0.8)],
    [{ kind: 'relu' }, (x) => Math.max(x, 0)],
    [{ kind: 'clip-shift', theta: 1, tShift: 2 }, (x) => Math.min(Math.max(Math.fround(Math.fround(x) - 0.25), 0), 1)],
  ];
  for (const [act, f] of cases) {
    const probe: ModelSpec = { ...spec, classes: xs.length, layers: [{ type: 'flatten' }, { type: 'act' }] };
    const net = compileNetwork(probe, act);
    const engine = await TrainEngine.create(net, { threads: 1 });
    const out = await engine.logits(tensor([1, 1, 1, xs.length], xs), initParams(net, 0));
    await engine.dispose();
    assert.deepEqual(
      [...out],
      xs.map((x) => Math.fround(f(x))),
      act.kind,
    );
  }
});
