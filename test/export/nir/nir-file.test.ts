import { test } from 'node:test';
import assert from 'node:assert/strict';
import h5wasm, { Dataset, Group } from 'h5wasm';
import { createOrtBackend } from '../../../src/backend/ort/ort-backend.js';
import { convertToSnn, defaultConversionOptions } from '../../../src/convert/index.js';
import type { SnnModel } from '../../../src/model/snn-model.js';
import { NIR_VERSION, NirExportError, snnToNir, writeNir } from '../../../src/export/nir/index.js';
import { maxPoolCnn, smallCnn, smallResidual } from '../../helpers/nets.js';
import { concatNet, converted } from './nets.js';

const ort = createOrtBackend({ threads: 1 });

/**
 * The datasets each node type has, from the `nir` package (neuromorphs/NIR at 7232ada, v1.0.7):
 * nir/serialization.py (read_node) and nir/ir/{graph,conv,linear,pooling,flatten,neuron}.py
 * (the dataclass fields, through NIRNode.to_dict: input_type/output_type dropped except
 * Flatten.input_type; Input/Output write `shape`). Optional ones: Conv2d.input_shape,
 * Flatten.input_type, IF.v_reset (which ann2snn never writes: nir ≤ 1.0.5 refuses it).
 */
const SPEC_FIELDS: Readonly<Record<string, readonly string[]>> = {
  Input: ['type', 'shape'],
  Output: ['type', 'shape'],
  Conv2d: ['type', 'weight', 'bias', 'stride', 'padding', 'dilation', 'groups', 'input_shape'],
  Affine: ['type', 'weight', 'bias'],
  SumPool2d: ['type', 'kernel_size', 'stride', 'padding'],
  Flatten: ['type', 'start_dim', 'end_dim', 'input_type'],
  IF: ['type', 'r', 'v_threshold'],
};
const FLOAT_FIELDS = new Set(['weight', 'bias', 'r', 'v_threshold']);

async function open(bytes: Uint8Array): Promise<InstanceType<typeof h5wasm.File>> {
  const { FS } = await h5wasm.ready;
  const path = `/nir-file-test-${Math.random().toString(36).slice(2)}.h5`;
  (FS as unknown as { writeFile(p: string, d: Uint8Array): void }).writeFile(path, bytes);
  return new h5wasm.File(path, 'r');
}

function dataset(g: Group, key: string): Dataset {
  const d = g.get(key);
  assert.ok(d instanceof Dataset, `${g.path}/${key} is a dataset`);
  return d;
}

/** A variable-length UTF-8 string scalar. */
function stringScalar(g: Group, key: string): string {
  const d = dataset(g, key);
  assert.equal(d.metadata.type, 3, `${key}: string class`);
  assert.equal(d.metadata.vlen, true, `${key}: variable length`);
  assert.equal(d.metadata.cset, 1, `${key}: UTF-8`);
  assert.deepEqual(d.shape, []);
  return d.value as string;
}

async function checkLayout(model: SnnModel): Promise<Map<string, string>> {
  const file = await open((await writeNir(model, { sourceSha256: 'ab'.repeat(32) })).bytes);
  const types = new Map<string, string>();
  try {
    assert.deepEqual(file.keys().sort(), ['node', 'version']);
    assert.equal(stringScalar(file, 'version'), NIR_VERSION);
    const root = file.get('node') as Group;
    assert.deepEqual(root.keys().sort(), ['edges', 'metadata', 'nodes', 'type']);
    assert.equal(stringScalar(root, 'type'), 'NIRGraph');
    const edges = dataset(root, 'edges');
    assert.equal(edges.metadata.type, 3);
    assert.equal(edges.shape!.length, 2);
    assert.equal(edges.shape![1], 2);
    const nodes = root.get('nodes') as Group;
    const names = new Set(nodes.keys());
    for (const end of edges.value as string[]) assert.ok(names.has(end), `edge end '${end}' is a node`);
    for (const name of names) {
      const g = nodes.get(name) as Group;
      const type = stringScalar(g, 'type');
      types.set(name, type);
      const spec = SPEC_FIELDS[type];
      assert.ok(spec, `node '${name}': type ${type} is one of the spec's`);
      assert.deepEqual(g.keys().sort(), [...spec].sort(), `node '${name}' (${type}) has exactly the spec's datasets`);
      for (const key of spec.filter((k) => k !== 'type')) {
        const d = dataset(g, key);
        if (FLOAT_FIELDS.has(key)) assert.equal(d.dtype, '<f', `${name}/${key} is float32`);
        else assert.equal(d.dtype, '<q', `${name}/${key} is int64`);
      }
      if (type === 'IF') {
        const r = dataset(g, 'r');
        assert.deepEqual(r.shape, dataset(g, 'v_threshold').shape);
        assert.ok((r.value as Float32Array).every((v) => v === 1));
        assert.ok((dataset(g, 'v_threshold').value as Float32Array).every((v) => v === 1));
      }
      if (type === 'Flatten') assert.deepEqual([dataset(g, 'start_dim').value, dataset(g, 'end_dim').value], [0n, -1n]);
    }
    const meta = root.get('metadata') as Group;
    for (const key of ['reset', 'v_init', 'shift', 'readout', 'source_sha256', 'conversion']) stringScalar(meta, key);
    assert.equal(dataset(meta, 'T_shift').value, BigInt(model.conversion.options.tShift));
    assert.equal(stringScalar(meta, 'source_sha256'), 'ab'.repeat(32));
  } finally {
    file.close();
  }
  return types;
}

test('NIR file layout: /version, NIRGraph, (N, 2) string edges, exactly the spec datasets, float32 / int64', async () => {
  const cnn = await checkLayout(convertToSnn(smallCnn(41), null, { ...defaultConversionOptions, shift: 'bias' }));
  assert.deepEqual([...new Set(cnn.values())].sort(), ['Affine', 'Conv2d', 'Flatten', 'IF', 'Input', 'Output', 'SumPool2d']);
  const residual = await converted(ort, smallResidual(42), [2, 6, 6], { strategy: 'max-norm', thresholdScope: 'channel' });
  const types = await checkLayout(residual.model);
  // The identity shortcut becomes a diagonal 1×1 convolution θ_src/θ_dst.
  assert.equal(types.get('stem_act_scale'), 'Conv2d');
  await checkLayout((await converted(ort, concatNet(43), [1, 6, 6], { readout: 'spikes' })).model);
});

test('writeNir records what NIR cannot say: v(0) = θ/2 warns, reset and readout are noted', async () => {
  const model = convertToSnn(smallCnn(44), null, { ...defaultConversionOptions, shift: 'v0' });
  const file = await writeNir(model);
  assert.equal(file.warnings.length, 1);
  assert.match(file.warnings[0], /v\(0\) = θ\/2 is not expressible in NIR.*--shift bias/);
  assert.match(file.notes.join('\n'), /Sinabs and SpiNNaker2 subtract.*Norse and SpikingJelly reset to zero/);
  assert.match(file.notes.join('\n'), /sum the Output over the T steps/);
  const handle = await open(file.bytes);
  try {
    const meta = (handle.get('node') as Group).get('metadata') as Group;
    assert.match(dataset(meta, 'v_init').value as string, /theta\/2/);
    assert.match(dataset(meta, 'warnings').value as string, /not expressible/);
    assert.match(dataset(meta, 'source_sha256').value as string, /^[0-9a-f]{64}$/);
  } finally {
    handle.close();
  }
});

function withNode(
  model: SnnModel,
  name: string,
  change: (n: SnnModel['graph']['nodes'][number]) => SnnModel['graph']['nodes'][number],
): SnnModel {
  return { ...model, graph: { ...model.graph, nodes: model.graph.nodes.map((n) => (n.name === name ? change(n) : n)) } };
}

test('writeNir refuses what NIR cannot express, naming the node, before writing', async () => {
  const model = convertToSnn(smallCnn(45), null, defaultConversionOptions);
  const refusals: [SnnModel, RegExp][] = [
    [convertToSnn(smallCnn(45), null, { ...defaultConversionOptions, maxSpikesPerStep: 2 }), /node 'act1': burst neuron \(γ = 2\)/],
    [
      withNode(model, 'conv2', (n) => (n.op === 'Conv2d' ? { ...n, pads: [2, 2, 0, 0] } : n)),
      /node 'conv2': asymmetric padding \[2, 2, 0, 0\]/,
    ],
    [
      withNode(model, 'conv2', (n) =>
        n.op === 'Conv2d' ? { ...n, weight: { shape: [6, 4, 3, 1], data: n.weight.data.slice(0, 72) }, pads: [1, 0, 1, 0] } : n,
      ),
      /node 'conv2': 3×1 kernel/,
    ],
    [withNode(model, 'pool1', (n) => (n.op === 'AvgPool' ? { ...n, op: 'MaxPool' } : n)), /node 'pool1': MaxPool/],
    [convertToSnn(maxPoolCnn(45), null, defaultConversionOptions), /node 'pool1': exact spiking max pooling \(SpikeMaxPool/],
    [
      withNode(model, 'pool1', (n) => (n.op === 'AvgPool' ? { ...n, pads: [1, 1, 1, 1], countIncludePad: false } : n)),
      /node 'pool1': padded average pooling/,
    ],
    [
      withNode(model, 'flatten', (n) => ({ op: 'Reshape', name: n.name, inputs: n.inputs, output: n.output, shape: [0, 6, 16] })),
      /node 'flatten': Reshape to \[0, 6, 16\]/,
    ],
  ];
  for (const [bad, message] of refusals)
    await assert.rejects(writeNir(bad), (e: Error) => e instanceof NirExportError && message.test(e.message));
});

test('a Reshape that flattens each sample is written as a NIR Flatten', () => {
  const model = convertToSnn(smallCnn(46), null, defaultConversionOptions);
  const reshaped = withNode(model, 'flatten', (n) => ({ op: 'Reshape', name: n.name, inputs: n.inputs, output: n.output, shape: [0, -1] }));
  const flatten = snnToNir(reshaped).graph.nodes.get('flatten');
  assert.deepEqual(flatten, { type: 'Flatten', startDim: 0, endDim: -1, inputType: [6, 4, 4] });
});
