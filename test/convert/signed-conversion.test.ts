/** `neuron: 'signed'` end to end on small nets: conversion, the .snn format, simulation, analysis, exports. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { calibrate } from '../../src/ann/calibrate.js';
import { referenceBackend } from '../../src/backend/reference/reference-backend.js';
import { ConversionError, convertToSnn, defaultConversionOptions } from '../../src/convert/index.js';
import { layerErrors } from '../../src/analysis/layer-error.js';
import { exportSnn } from '../../src/export/exporters.js';
import { ExportError } from '../../src/export/export-error.js';
import type { SpikeNode } from '../../src/ir/graph.js';
import { decodeSnn, encodeSnn, SnnFileError, type SnnModel } from '../../src/model/index.js';
import { simulate, simulateOracle } from '../../src/simulate/index.js';
import { labelledByAnn } from '../helpers/labelled.js';
import { smallCnn, smallResidual } from '../helpers/nets.js';

const spikeNodes = (model: SnnModel) => model.graph.nodes.filter((n): n is SpikeNode => n.op === 'Spike');

async function signedResidual() {
  const ann = smallResidual(23);
  const data = await labelledByAnn(referenceBackend, ann, 24, [2, 6, 6]);
  const stats = await calibrate(referenceBackend, ann, data);
  return { ann, data, stats, snn: convertToSnn(ann, stats, { ...defaultConversionOptions, neuron: 'signed' }) };
}

test('conversion writes the neuron of ConversionOptions into every Spike node; IF stays the default', async () => {
  const { ann, stats, snn } = await signedResidual();
  assert.equal(defaultConversionOptions.neuron, 'if');
  assert.deepEqual(
    spikeNodes(snn).map((n) => n.neuron),
    ['signed', 'signed', 'signed'],
  );
  assert.equal(snn.conversion.options.neuron, 'signed');
  const plain = convertToSnn(ann, stats, defaultConversionOptions);
  assert.ok(spikeNodes(plain).every((n) => n.neuron === 'if'));
  // Apart from the neuron, the same SNN.
  assert.deepEqual(
    spikeNodes(plain).map((n) => ({ ...n, neuron: 'signed' })),
    spikeNodes(snn),
  );
});

test('conversion refuses an unknown neuron and settings the neuron does not take, naming them', () => {
  const ann = smallCnn(3);
  assert.throws(
    () => convertToSnn(ann, null, { ...defaultConversionOptions, neuron: 'lif' }),
    (e: Error) => e instanceof ConversionError && /unknown neuron 'lif'; known: if, signed/.test(e.message),
  );
  assert.throws(
    () => convertToSnn(ann, null, { ...defaultConversionOptions, neuron: 'signed', reset: 'hard' }),
    (e: Error) => e instanceof ConversionError && /neuron 'signed': reset 'hard'/.test(e.message),
  );
  assert.throws(
    () => convertToSnn(ann, null, { ...defaultConversionOptions, neuron: 'signed', maxSpikesPerStep: 2 }),
    (e: Error) => e instanceof ConversionError && /neuron 'signed': γ = 2/.test(e.message),
  );
});

test('a signed SNN: the dense engine equals the oracle, takes spikes back, and counts |s| as spikes', async () => {
  const { data, snn } = await signedResidual();
  const result = await simulate(referenceBackend, snn.graph, data, { T: 16, unitCounts: true });
  assert.equal(result.engine, 'dense', 'auto picks dense: the event engine refuses signed neurons');
  const oracle = simulateOracle(snn.graph, data, { T: 16 });
  result.layers.forEach((l, i) => {
    assert.equal(l.spikes, oracle.layers[i].spikes);
    assert.deepEqual([...l.unitCounts!], [...oracle.layers[i].unitCounts]);
    assert.ok(
      l.unitCounts!.every((n) => n >= 0),
      'net counts are never negative',
    );
  });
  const emitted = result.layers.reduce((s, l) => s + l.spikes, 0);
  const net = result.layers.reduce((s, l) => s + l.unitCounts!.reduce((a, b) => a + b, 0), 0);
  assert.ok(emitted > net, `some spikes were taken back (${emitted} emitted, net ${net})`);
  assert.equal(result.accuracyAt.length, 16);
});

test('layer error compares a signed SNN with its kind’s ideal quantizer', async () => {
  const { data, snn } = await signedResidual();
  const analysis = await layerErrors(referenceBackend, snn, data, { T: [4, 16], limit: 12 });
  assert.equal(analysis.layers.length, 3);
  for (const layer of analysis.layers) {
    for (const at of layer.atT) {
      assert.ok(Number.isFinite(at.accumulated.total) && at.accumulated.total >= 0);
      // The layer alone under a constant current never takes a spike back: the clip-floor exactly.
      assert.ok(at.local.deviation < 1e-5, `${layer.node} T ${at.T}: local deviation ${at.local.deviation}`);
    }
  }
});

test('.snn round-trips the neuron; an unknown neuron is a clear error naming it', async () => {
  const { snn } = await signedResidual();
  const back = decodeSnn(encodeSnn(snn)).model;
  assert.deepEqual(
    spikeNodes(back).map((n) => n.neuron),
    ['signed', 'signed', 'signed'],
  );
  assert.equal(back.conversion.options.neuron, 'signed');
  const renamed: SnnModel = {
    ...snn,
    graph: { ...snn.graph, nodes: snn.graph.nodes.map((n) => (n.op === 'Spike' ? { ...n, neuron: 'lif' } : n)) },
  };
  assert.throws(
    () => decodeSnn(encodeSnn(renamed), 'm.snn'),
    (e: Error) =>
      e instanceof SnnFileError && /^m\.snn: node 'stem_act': unknown neuron 'lif' \(this ann2snn knows if, signed\)/.test(e.message),
  );
  // A file written before ConversionOptions.neuron existed reads as IF.
  const old = convertToSnn(smallCnn(3), null, defaultConversionOptions);
  const { neuron: _, ...older } = old.conversion.options;
  const oldBytes = encodeSnn({ ...old, conversion: { ...old.conversion, options: older as typeof old.conversion.options } });
  assert.equal(decodeSnn(oldBytes).model.conversion.options.neuron, 'if');
});

test('the exporters refuse signed neurons with the kind’s reason, naming the node', async () => {
  const { snn } = await signedResidual();
  for (const [format, form] of [
    ['nir', 'NIR'],
    ['onnx', 'ONNX'],
    ['onnx-step', 'ONNX'],
  ] as const) {
    await assert.rejects(
      exportSnn(snn, format, { T: 8 }),
      (e: Error) => e instanceof ExportError && e.message.includes(`neuron 'signed' has no ${form} form`) && e.message.includes('stem_act'),
      format,
    );
  }
});
