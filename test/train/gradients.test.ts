/**
 * Every layer's gradient against central differences of the loss, both from the ONNX Runtime
 * training graph: for each parameter tensor, the analytic directional derivative g·v along
 * the unit vector v = sign(g)/√n against (L(p + εv) − L(p − εv)) / 2ε. A wrong formula (transposed, flipped,
 * mis-scaled, missing a term) is off by far more than the f32 tolerance.
 *
 * The structural checks leave the activations out (`a` is dropped): a ReLU kink crossed by the
 * finite-difference step spoils the comparison; the activations' own gradients are checked exactly
 * by their masks in activations.test.ts, and in a shallow net here with small steps.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ActivationSpec, LayerSpec, ModelSpec } from '../../src/train/spec.js';
import type { ConvGradStrategy } from '../../src/train/tape.js';
import { directionalChecks, randomBatch, randomLabels, type GradCheck } from './helpers.js';

function assertClose(checks: readonly GradCheck[], rel = 0.02): void {
  for (const c of checks) {
    const scale = Math.max(Math.abs(c.analytic), Math.abs(c.numeric));
    assert.ok(
      Math.abs(c.analytic - c.numeric) <= rel * scale + 2e-4,
      `${c.param}: analytic ${c.analytic.toFixed(6)} vs numeric ${c.numeric.toFixed(6)}`,
    );
    assert.ok(scale > 1e-3, `${c.param}: gradient vanishes (${scale}); the check would be vacuous`);
  }
}

const spec = (input: readonly [number, number, number], layers: readonly LayerSpec[], classes = 3): ModelSpec => ({
  name: 'grad-check',
  input,
  classes,
  layers,
});
const relu: ActivationSpec = { kind: 'relu' };
const clip: ActivationSpec = { kind: 'clip', theta: 1 };
const a: LayerSpec = { type: 'act' };
/** The layers without activations (a smooth function of the parameters). */
const linear = (layers: readonly LayerSpec[]): LayerSpec[] =>
  layers
    .filter((l) => l.type !== 'act')
    .map((l) => (l.type === 'residual' ? { ...l, body: linear(l.body), shortcut: linear(l.shortcut) } : l));

for (const convGrad of ['patches', 'transpose-conv'] as ConvGradStrategy[]) {
  test(`conv (3×3 pad 1, stride 1 and 2; 1×1 stride 2), dense with ${convGrad} weight gradients`, async () => {
    const s = spec(
      [2, 7, 7],
      linear([
        { type: 'conv', out: 3 },
        a,
        { type: 'conv', out: 3 },
        a,
        { type: 'conv', out: 4, stride: 2 },
        a,
        { type: 'conv', out: 3, kernel: 1, stride: 2, pad: 0 },
        { type: 'flatten' },
        { type: 'dense', out: 5 },
        a,
        { type: 'dense', out: 3 },
      ]),
    );
    assertClose(await directionalChecks(s, relu, randomBatch([4, 2, 7, 7], 3, 2), randomLabels(4, 3, 5), { convGrad }));
  });
}

test('avgpool with a size that does not divide (5 → 2)', async () => {
  const s = spec(
    [1, 5, 5],
    [{ type: 'conv', out: 3 }, { type: 'avgpool', size: 2 }, { type: 'conv', out: 2 }, { type: 'flatten' }, { type: 'dense', out: 3 }],
  );
  assertClose(await directionalChecks(s, relu, randomBatch([3, 1, 5, 5], 7, 2), randomLabels(3, 3, 1)));
});

for (const act of [relu, clip, { kind: 'clip-shift', theta: 0.8, tShift: 4 }] as ActivationSpec[]) {
  test(`${act.kind} in a shallow net (small steps)`, async () => {
    const s = spec([1, 4, 4], [{ type: 'conv', out: 3 }, a, { type: 'flatten' }, { type: 'dense', out: 6 }, a, { type: 'dense', out: 3 }]);
    assertClose(await directionalChecks(s, act, randomBatch([3, 1, 4, 4], 11, 1.5), randomLabels(3, 3, 2), { eps: 5e-4 }), 0.03);
  });
}

test('BatchNorm (conv and dense) with batch statistics', async () => {
  // Two nets: a BatchNorm shift followed (through linear layers) by another BatchNorm would be
  // cancelled by it, and its β gradient would be truly zero.
  const nets = [
    spec(
      [2, 4, 4],
      [{ type: 'conv', out: 3, bias: false }, { type: 'bn' }, { type: 'conv', out: 2 }, { type: 'flatten' }, { type: 'dense', out: 3 }],
    ),
    spec([2, 3, 3], [{ type: 'flatten' }, { type: 'dense', out: 5, bias: false }, { type: 'bn' }, { type: 'dense', out: 3 }]),
  ];
  for (const s of nets) {
    const [, c, h, w] = [0, ...s.input];
    const checks = await directionalChecks(s, relu, randomBatch([5, c, h, w], 13, 2), randomLabels(5, 3, 3), {
      // Non-trivial γ and β, so that their gradients and the scale path are exercised.
      prepare: (_net, p) => {
        for (const [name, data] of p) {
          if (name === 'bn1.weight') data.forEach((_, i) => (data[i] = 0.5 + 0.3 * i));
          if (name === 'bn1.bias') data.forEach((_, i) => (data[i] = 0.1 * i - 0.1));
        }
      },
    });
    assertClose(checks);
  }
});

test('residual add with fan-out, 1×1 stride-2 shortcut, global average pooling', async () => {
  const s = spec(
    [2, 6, 6],
    linear([
      { type: 'conv', out: 4 },
      a,
      {
        type: 'residual',
        body: [{ type: 'conv', out: 4 }, a, { type: 'conv', out: 4 }],
        shortcut: [],
      },
      a,
      {
        type: 'residual',
        body: [{ type: 'conv', out: 6, stride: 2 }, a, { type: 'conv', out: 6 }],
        shortcut: [{ type: 'conv', out: 6, kernel: 1, stride: 2, pad: 0 }],
      },
      a,
      { type: 'gap' },
      { type: 'flatten' },
      { type: 'dense', out: 3 },
    ]),
  );
  assertClose(await directionalChecks(s, relu, randomBatch([3, 2, 6, 6], 17, 2), randomLabels(3, 3, 4)));
});

test('dropout with a fixed mask', async () => {
  const s = spec([1, 3, 3], [{ type: 'flatten' }, { type: 'dense', out: 6 }, { type: 'dropout', p: 0.5 }, { type: 'dense', out: 3 }]);
  const mask = Float32Array.from({ length: 4 * 6 }, (_, i) => (i % 3 === 0 ? 0 : 2));
  const checks = await directionalChecks(s, relu, randomBatch([4, 1, 3, 3], 19, 2), randomLabels(4, 3, 6), {
    masks: new Map([['dropout1', mask]]),
  });
  assertClose(checks);
});
