/**
 * Prediction agreement on real images: for every PyTorch-like model, the class our import path
 * (importOnnx + simplifyGraph, as loadAnn) predicts must equal the one a bare ONNX Runtime session on
 * the ORIGINAL bytes predicts, for ≥ 99.9% of the Fashion-MNIST test set on the ort backend
 * (through evaluateAnn, as `eval-ann`) and of its first 300 images on the reference backend.
 *
 * The models have random weights, so their raw argmax is nearly constant (one class for most
 * images) and agreeing on it says little. Both sides' logits are therefore also standardized per
 * class with the bare session's mean and deviation over the test set, z_c = (y_c − μ_c) / σ_c: the
 * same fixed affine map on both sides, under which the predicted class varies from image to image,
 * so argmax z agreeing ≥ 99.9% means the logits themselves agree.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { evaluateAnn } from '../../src/ann/evaluate.js';
import type { Backend } from '../../src/backend/backend.js';
import { createOrtBackend } from '../../src/backend/ort/ort-backend.js';
import { createOrtSession } from '../../src/backend/ort/session.js';
import { referenceBackend } from '../../src/backend/reference/reference-backend.js';
import { type Dataset } from '../../src/data/index.js';
import { FASHION_MNIST_DIR, openDataset } from '../../src/node/data/open-dataset.js';
import type { Graph } from '../../src/ir/graph.js';
import { simplifyGraph } from '../../src/ir/passes/index.js';
import { importOnnx } from '../../src/onnx/import.js';
import { buildPytorchLikeModels } from '../helpers/pytorch-like.js';

const skip = existsSync(FASHION_MNIST_DIR) ? false : 'dataset-fashion-mnist not installed (apt-get install dataset-fashion-mnist)';
const REFERENCE_IMAGES = 300;
const AGREEMENT = 0.999;
const BATCH = 500;

/** Logits [limit × classes] of a bare ONNX Runtime session on `bytes`. */
async function bareLogits(bytes: Uint8Array, data: Dataset, limit: number, classes: number): Promise<Float32Array> {
  const session = await createOrtSession(bytes, 2);
  const out = new Float32Array(limit * classes);
  try {
    for (const batch of data.batches({ batchSize: BATCH, limit })) {
      const feed = new ort.Tensor('float32', batch.x.data, [...batch.x.shape]);
      const result = (await session.run({ [session.inputNames[0]]: feed }))[session.outputNames[0]];
      out.set(result.data as Float32Array, batch.start * classes);
    }
  } finally {
    await session.release();
  }
  return out;
}

/** Logits of the imported graph on `backend`, over the first `limit` images. */
async function ourLogits(backend: Backend, graph: Graph, data: Dataset, limit: number, classes: number): Promise<Float32Array> {
  const compiled = await backend.compile(graph);
  const out = new Float32Array(limit * classes);
  try {
    for (const batch of data.batches({ batchSize: BATCH, limit })) {
      out.set((await compiled.run(batch.x)).get(graph.output)!.data, batch.start * classes);
    }
  } finally {
    await compiled.dispose();
  }
  return out;
}

function argmax(logits: Float32Array, classes: number, transform = (v: number, _c: number) => v): Int32Array {
  const out = new Int32Array(logits.length / classes);
  for (let i = 0; i < out.length; i++) {
    let best = 0;
    for (let c = 1; c < classes; c++) {
      if (transform(logits[i * classes + c], c) > transform(logits[i * classes + best], best)) best = c;
    }
    out[i] = best;
  }
  return out;
}

/** Per-class standardization z_c = (y_c − μ_c) / σ_c with μ, σ measured on `logits`. */
function standardizer(logits: Float32Array, classes: number): (v: number, c: number) => number {
  const n = logits.length / classes;
  const mean = new Float64Array(classes);
  const sq = new Float64Array(classes);
  for (let i = 0; i < n; i++) for (let c = 0; c < classes; c++) mean[c] += logits[i * classes + c] / n;
  for (let i = 0; i < n; i++) for (let c = 0; c < classes; c++) sq[c] += (logits[i * classes + c] - mean[c]) ** 2 / n;
  const std = Array.from(sq, (s) => Math.sqrt(s) || 1);
  return (v, c) => (v - mean[c]) / std[c];
}

function agreement(a: Int32Array, b: Int32Array): { same: number; first: number } {
  let same = 0;
  let first = -1;
  for (let i = 0; i < a.length; i++) {
    if (a[i] === b[i]) same++;
    else if (first < 0) first = i;
  }
  return { same, first };
}

describe('Fashion-MNIST: our import path predicts what ONNX Runtime predicts on the original file', () => {
  const data = skip ? null : openDataset('fashion-mnist', { split: 'test' });
  const ortBackend = createOrtBackend({ threads: 2 });
  for (const m of buildPytorchLikeModels()) {
    test(`${m.name} (${m.description})`, { skip, timeout: 120_000 }, async (t) => {
      const ds = data!;
      const classes = m.outputSize;
      const graph = simplifyGraph(importOnnx(m.bytes, m.name));
      const bare = await bareLogits(m.bytes, ds, ds.size, classes);
      const z = standardizer(bare, classes);
      const bareRaw = argmax(bare, classes);
      const bareZ = argmax(bare, classes, z);
      const used = new Set(bareZ).size;
      assert.ok(used >= classes / 2, `${m.name}: standardized predictions use only ${used} classes; the check would be weak`);

      const check = (what: string, ours: Int32Array, theirs: Int32Array): void => {
        const { same, first } = agreement(ours, theirs);
        t.diagnostic(`${what}: ${same}/${ours.length} agree`);
        assert.ok(
          same >= AGREEMENT * ours.length,
          `${m.name}, ${what}: ${same}/${ours.length} predictions agree with bare ONNX Runtime (first difference at image ${first})`,
        );
      };
      const evaluated = await evaluateAnn(ortBackend, graph, ds, { batchSize: BATCH });
      check('ort, evaluateAnn', evaluated.predictions, bareRaw);
      check('ort, standardized', argmax(await ourLogits(ortBackend, graph, ds, ds.size, classes), classes, z), bareZ);
      const reference = await ourLogits(referenceBackend, graph, ds, REFERENCE_IMAGES, classes);
      check('reference', argmax(reference, classes), bareRaw.subarray(0, REFERENCE_IMAGES));
      check('reference, standardized', argmax(reference, classes, z), bareZ.subarray(0, REFERENCE_IMAGES));
    });
  }
});
