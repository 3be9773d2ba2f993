/**
 * QCFS training: the forward values of y = λ·clip(⌊x·L/λ + ½⌋/L, 0, 1) (training graph = IR
 * reference kernel, to the bit) and the straight-through gradients, exactly, on
 * input → flatten → dense (identity, zero bias) → qcfs → dense:
 *   ∂L/∂b₁ᵢ = gᵢ · mᵢ and ∂L/∂λ = Σᵢ gᵢ · (yᵢ/λ − uᵢ·mᵢ), u = x/λ, m = [0 ≤ u ≤ 1], g = ∂L/∂y
 * with g computed here from the logits: g = W₂ᵀ (softmax(z) − t).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { quantClip } from '../../src/backend/reference/ops/quant-clip.js';
import { tensor } from '../../src/tensor/tensor.js';
import { TrainEngine } from '../../src/train/engine.js';
import { graphToOnnx } from '../../src/onnx/export-graph.js';
import { importOnnx } from '../../src/onnx/import.js';
import { networkToGraph } from '../../src/train/export.js';
import { modelFromGraph } from '../../src/train/from-graph.js';
import { compileNetwork } from '../../src/train/network.js';
import { initParams } from '../../src/train/params.js';
import type { ActivationSpec, ModelSpec } from '../../src/train/spec.js';

const xs = [-0.5, 0, 0.05, 0.3, 0.37, 0.9, 1.2, 1.25, 2, 0.6];
const lambda = 1.2;
const levels = 4;
const act: ActivationSpec = { kind: 'qcfs', theta: lambda, levels };
const spec: ModelSpec = {
  name: 'qcfs',
  input: [1, 1, xs.length],
  classes: 2,
  layers: [{ type: 'flatten' }, { type: 'dense', out: xs.length }, { type: 'act' }, { type: 'dense', out: 2 }],
};

test('qcfs: λ is a trainable [1] parameter per activation, initialised to θ', () => {
  const net = compileNetwork(spec, act);
  const p = net.params.find((q) => q.name === 'act1.lambda');
  assert.deepEqual(p, { name: 'act1.lambda', shape: [1], trainable: true, init: { kind: 'const', value: lambda } });
});

test('qcfs forward (training engine) = the IR reference kernel, bit for bit, and the levels λk/L', async () => {
  const probe: ModelSpec = { ...spec, classes: xs.length, layers: [{ type: 'flatten' }, { type: 'act' }] };
  const net = compileNetwork(probe, act);
  const engine = await TrainEngine.create(net, { threads: 1 });
  const out = await engine.logits(tensor([1, 1, 1, xs.length], xs), initParams(net, 0));
  await engine.dispose();
  const reference = quantClip(tensor([1, xs.length], xs), lambda, levels).data;
  assert.deepEqual([...out], [...reference]);
  // λ = 1.2, L = 4: steps of 0.3, rounding half up.
  const expected = [0, 0, 0, 1, 1, 3, 4, 4, 4, 2].map((k) => Math.fround(Math.fround(k / levels) * Math.fround(lambda)));
  assert.deepEqual([...out], expected);
});

test('qcfs gradients: straight-through floor, mask 0 ≤ x ≤ λ, and ∂L/∂λ from the formula', async () => {
  const net = compileNetwork(spec, act);
  const params = initParams(net, 3);
  const n = xs.length;
  const w = params.get('dense1.weight')!;
  w.fill(0);
  for (let i = 0; i < n; i++) w[i * n + i] = 1;
  params.get('dense1.bias')!.fill(0);
  const w2 = params.get('dense2.weight')!;
  for (let i = 0; i < n; i++) {
    w2[i] = 0.5 + 0.1 * i;
    w2[n + i] = -0.3;
  }
  const engine = await TrainEngine.create(net, { threads: 1 });
  let r;
  try {
    r = await engine.step(tensor([1, 1, 1, n], xs), Int32Array.of(1), params);
  } finally {
    await engine.dispose();
  }
  const z = r.logits;
  const e = [Math.exp(z[0]), Math.exp(z[1])];
  const dz = [e[0] / (e[0] + e[1]), e[1] / (e[0] + e[1]) - 1];
  const g = xs.map((_, i) => dz[0] * w2[i] + dz[1] * w2[n + i]);
  const y = quantClip(tensor([1, n], xs), lambda, levels).data;
  const u = xs.map((x) => x / lambda);
  const m = u.map((v) => (v >= 0 && v <= 1 ? 1 : 0));
  const db = r.grads.get('dense1.bias')!;
  xs.forEach((_, i) => assert.ok(Math.abs(db[i] - g[i] * m[i]) < 1e-6, `bias ${i}: ${db[i]} vs ${g[i] * m[i]}`));
  assert.deepEqual(
    [...db].map((v) => v !== 0),
    m.map((v) => v === 1),
  );
  const dLambda = xs.reduce((s, _, i) => s + g[i] * (y[i] / lambda - u[i] * m[i]), 0);
  const got = r.grads.get('act1.lambda')!;
  assert.equal(got.length, 1);
  assert.ok(Math.abs(got[0] - dLambda) < 1e-5, `λ: ${got[0]} vs ${dLambda}`);
  assert.ok(Math.abs(dLambda) > 1e-2, 'the λ gradient must not vanish here');
});

test('qcfs export: QuantClip nodes carry the learned λ and L', () => {
  const net = compileNetwork(spec, act);
  const params = initParams(net, 1);
  params.get('act1.lambda')![0] = 0.75;
  const graph = networkToGraph(net, params);
  const q = graph.nodes.find((node) => node.op === 'QuantClip');
  assert.ok(q && q.op === 'QuantClip');
  assert.equal(q.max, 0.75);
  assert.equal(q.levels, levels);
});

test('qcfs round trip: export → ONNX (Div…Floor…Mul) → import → --init-from keeps every λ and weight', () => {
  const chain: ModelSpec = {
    name: 'chain',
    input: [1, 6, 6],
    classes: 3,
    layers: [
      { type: 'conv', out: 2 },
      { type: 'act' },
      { type: 'flatten' },
      { type: 'dense', out: 5 },
      { type: 'act' },
      { type: 'dense', out: 3 },
    ],
  };
  const net = compileNetwork(chain, act);
  const params = initParams(net, 4);
  params.get('act1.lambda')![0] = 0.9;
  params.get('act2.lambda')![0] = 1.7;
  const graph = importOnnx(graphToOnnx(networkToGraph(net, params)));
  assert.deepEqual(
    graph.nodes.filter((n) => n.op === 'QuantClip').map((n) => n.op === 'QuantClip' && [n.max, n.levels]),
    [
      [Math.fround(0.9), levels],
      [Math.fround(1.7), levels],
    ],
  );
  const imported = modelFromGraph(graph, 'chain', act);
  for (const [name, data] of params) assert.deepEqual(imported.params.get(name), data, name);
});
