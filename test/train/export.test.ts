/**
 * The trained network as an IR Graph: the exported graph computes what the evaluation graph
 * computes (on the reference backend), for BatchNorm, residual blocks and the folded shift; and
 * --init-from's importer takes an exported chain back.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { referenceBackend } from '../../src/backend/reference/reference-backend.js';
import { validateGraph } from '../../src/ir/shapes.js';
import { graphToOnnx } from '../../src/onnx/export-graph.js';
import { importOnnx } from '../../src/onnx/import.js';
import { TrainEngine } from '../../src/train/engine.js';
import { networkToGraph } from '../../src/train/export.js';
import { modelFromGraph } from '../../src/train/from-graph.js';
import { compileNetwork } from '../../src/train/network.js';
import { initParams, type ParamStore } from '../../src/train/params.js';
import { Rng } from '../../src/train/rng.js';
import type { ActivationSpec, ModelSpec } from '../../src/train/spec.js';
import { randomBatch } from './helpers.js';

const resnetish: ModelSpec = {
  name: 'resnet-ish',
  input: [2, 6, 6],
  classes: 3,
  layers: [
    { type: 'conv', out: 4, bias: false },
    { type: 'bn' },
    { type: 'act' },
    { type: 'residual', body: [{ type: 'conv', out: 4 }, { type: 'bn' }, { type: 'act' }, { type: 'conv', out: 4 }], shortcut: [] },
    { type: 'act' },
    {
      type: 'residual',
      body: [{ type: 'conv', out: 6, stride: 2, bias: false }, { type: 'bn' }],
      shortcut: [{ type: 'conv', out: 6, kernel: 1, stride: 2, pad: 0, bias: false }, { type: 'bn' }],
    },
    { type: 'act' },
    { type: 'avgpool', size: 3 },
    { type: 'flatten' },
    { type: 'dropout', p: 0.5 },
    { type: 'dense', out: 3 },
  ],
};

/** Random BatchNorm statistics and affine parameters, so the export cannot pass by accident. */
function perturb(params: ParamStore): void {
  const rng = new Rng(99);
  for (const [name, data] of params) {
    if (name.endsWith('running_var')) data.forEach((_, i) => (data[i] = rng.uniform(0.5, 2)));
    else if (name.startsWith('bn')) data.forEach((_, i) => (data[i] = rng.uniform(-0.5, 0.5) + (name.endsWith('.weight') ? 1 : 0)));
  }
}

async function compare(spec: ModelSpec, act: ActivationSpec): Promise<void> {
  const net = compileNetwork(spec, act);
  const params = initParams(net, 5);
  perturb(params);
  const graph = networkToGraph(net, params);
  validateGraph(graph);
  const x = randomBatch([4, ...spec.input], 3, 2);
  const engine = await TrainEngine.create(net, { threads: 1 });
  const expected = await engine.logits(x, params);
  await engine.dispose();
  for (const g of [graph, importOnnx(graphToOnnx(graph))]) {
    const got = (await (await referenceBackend.compile(g)).run(x)).get(g.output)!;
    for (let i = 0; i < expected.length; i++) {
      assert.ok(Math.abs(got.data[i] - expected[i]) < 1e-4 * (1 + Math.abs(expected[i])), `logit ${i}: ${got.data[i]} vs ${expected[i]}`);
    }
  }
}

test('exported residual/BatchNorm graph = evaluation graph (reference backend, and after an ONNX round trip)', async () => {
  await compare(resnetish, { kind: 'clip', theta: 1 });
  await compare(resnetish, { kind: 'relu' });
});

test('clip-shift: δ = θ/(2T) folds into conv/BN biases, through residual adds and pooling', async () => {
  await compare(resnetish, { kind: 'clip-shift', theta: 1, tShift: 4 });
  const net = compileNetwork(resnetish, { kind: 'clip-shift', theta: 1, tShift: 4 });
  const graph = networkToGraph(net, initParams(net, 5));
  assert.ok(graph.nodes.filter((n) => n.op === 'Clip').every((n) => n.op === 'Clip' && n.min === 0 && n.max === 1));
  assert.ok(!graph.nodes.some((n) => n.op === 'Dropout'));
});

test('--init-from: an exported chain imports back to the same spec and parameters', () => {
  const spec: ModelSpec = {
    name: 'chain',
    input: [1, 8, 8],
    classes: 4,
    layers: [
      { type: 'conv', out: 3 },
      { type: 'bn' },
      { type: 'act' },
      { type: 'avgpool', size: 2 },
      { type: 'conv', out: 5, stride: 2, bias: false },
      { type: 'act' },
      { type: 'gap' },
      { type: 'flatten' },
      { type: 'dense', out: 4 },
    ],
  };
  const net = compileNetwork(spec, { kind: 'relu' });
  const params = initParams(net, 2);
  perturb(params);
  const imported = modelFromGraph(importOnnx(graphToOnnx(networkToGraph(net, params))), 'chain', { kind: 'clip', theta: 2 });
  assert.deepEqual(imported.spec.layers, [
    { type: 'conv', out: 3, kernel: 3, stride: 1, pad: 1, bias: true },
    { type: 'bn', eps: Math.fround(1e-5) }, // ONNX stores epsilon as float32
    { type: 'act' },
    { type: 'avgpool', size: 2 },
    { type: 'conv', out: 5, kernel: 3, stride: 2, pad: 1, bias: false },
    { type: 'act' },
    { type: 'gap' },
    { type: 'flatten' },
    { type: 'dense', out: 4, bias: true },
  ]);
  assert.deepEqual(imported.spec.input, [1, 8, 8]);
  assert.equal(imported.spec.classes, 4);
  for (const [name, data] of params) assert.deepEqual(imported.params.get(name), data, name);
});

test('--init-from refuses a non-chain graph, naming the node', () => {
  const net = compileNetwork(resnetish, { kind: 'relu' });
  const graph = networkToGraph(net, initParams(net, 1));
  assert.throws(() => modelFromGraph(graph, 'm.onnx', { kind: 'relu' }), /m\.onnx: node '.*' \(.*\) breaks the chain/);
});
