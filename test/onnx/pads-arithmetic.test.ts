/**
 * PyTorch's raw nn.ZeroPad2d export (models/pytorch/pools/zero-pad-raw-opset{13,17}.onnx, made by
 * scripts/pytorch/export_pool_models.py --only raw) writes the pads as ConstantOfShape → Concat →
 * Reshape → Slice → Transpose → Reshape → Cast; the importer folds that arithmetic. Each raw file
 * imports to the Pad of the folded export (zero-pad-folded.onnx, folded in Python), gives its
 * outputs exactly on the reference backend and ONNX Runtime, and converts and simulates on the
 * event engine spike for spike with it.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { calibrate } from '../../src/ann/calibrate.js';
import type { Backend } from '../../src/backend/backend.js';
import { createOrtBackend } from '../../src/backend/ort/ort-backend.js';
import { referenceBackend } from '../../src/backend/reference/reference-backend.js';
import { convertToSnn, defaultConversionOptions } from '../../src/convert/index.js';
import type { InMemoryDataset } from '../../src/data/in-memory-dataset.js';
import type { Graph } from '../../src/ir/graph.js';
import { importOnnx } from '../../src/onnx/import.js';
import { simulate } from '../../src/simulate/index.js';
import { tensor, type Tensor } from '../../src/tensor/tensor.js';
import { labelledByAnn } from '../helpers/labelled.js';
import { mulberry32 } from '../helpers/pytorch-like.js';

const SHAPE = [1, 11, 11] as const;
const RAW = ['zero-pad-raw-opset13', 'zero-pad-raw-opset17'] as const;
const ort = createOrtBackend({ threads: 1 });

function load(name: string): Graph {
  return importOnnx(readFileSync(new URL(`../../models/pytorch/pools/${name}.onnx`, import.meta.url)), name);
}

function inputs(n: number): Tensor {
  const r = mulberry32(7);
  return tensor(
    [n, ...SHAPE],
    Array.from({ length: n * 121 }, () => r()),
  );
}

async function run(backend: Backend, graph: Graph, x: Tensor): Promise<Float32Array> {
  const compiled = await backend.compile(graph);
  const out = (await compiled.run(x)).get(graph.output)!;
  await compiled.dispose();
  return Float32Array.from(out.data);
}

async function snn(graph: Graph, data: InMemoryDataset): Promise<Graph> {
  const stats = await calibrate(referenceBackend, graph, data);
  return convertToSnn(graph, stats, defaultConversionOptions).graph;
}

describe('PyTorch raw ZeroPad2d exports: the pads arithmetic folds at import', () => {
  const folded = load('zero-pad-folded');
  for (const name of RAW) {
    test(`${name} imports to the folded export's Pad and outputs`, async () => {
      const raw = load(name);
      const pads = (g: Graph) => g.nodes.flatMap((n) => (n.op === 'Pad' ? [[...n.pads, n.value]] : []));
      assert.deepEqual(pads(raw), [[0, 1, 1, 2, 0]], 'ZeroPad2d((1, 2, 0, 1)): top 0, left 1, bottom 1, right 2');
      assert.deepEqual(pads(raw), pads(folded));
      assert.deepEqual(
        raw.nodes.map((n) => n.op),
        folded.nodes.map((n) => n.op),
      );
      const x = inputs(6);
      for (const backend of [referenceBackend, ort]) {
        assert.deepEqual(await run(backend, raw, x), await run(backend, folded, x), backend.name);
      }
    });

    test(`${name} converts and simulates on the event engine spike for spike with the folded export`, async () => {
      const raw = load(name);
      const data = await labelledByAnn(referenceBackend, folded, 12, SHAPE);
      const [a, b] = [await snn(raw, data), await snn(folded, data)];
      const ra = await simulate(ort, a, data, { T: 10, unitCounts: true, threads: 1 });
      const rb = await simulate(ort, b, data, { T: 10, unitCounts: true, threads: 1 });
      assert.equal(ra.engine, 'event', ra.engineNote ?? '');
      assert.equal(rb.engine, 'event', rb.engineNote ?? '');
      assert.deepEqual([...ra.correctAt], [...rb.correctAt]);
      assert.deepEqual(
        ra.layers.map((l) => [l.spikes, [...l.unitCounts!]]),
        rb.layers.map((l) => [l.spikes, [...l.unitCounts!]]),
      );
      assert.ok(
        ra.layers.some((l) => l.spikes > 0),
        'the network spikes',
      );
    });
  }
});
