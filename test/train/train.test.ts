/** The training loop: learning, seed determinism, checkpoint/resume equivalence, outputs. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importOnnx } from '../../src/onnx/import.js';
import { referenceBackend } from '../../src/backend/reference/reference-backend.js';
import { loadCheckpoint, trainModel } from '../../src/node/train-files.js';
import type { TrainOptions } from '../../src/train/train.js';
import type { ModelSpec } from '../../src/train/spec.js';
import { stripesDataset, tinySpec } from './helpers.js';

const tiny: ModelSpec = tinySpec();
const trainSet = stripesDataset(192, 1);
const testSet = stripesDataset(96, 2);
const base: TrainOptions = { spec: tiny, trainSet, testSet, epochs: 3, batch: 32, lr: 1e-2, threads: 1, seed: 7 };

function sameParams(a: ReadonlyMap<string, Float32Array>, b: ReadonlyMap<string, Float32Array>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) {
    const w = b.get(k);
    if (w === undefined || w.length !== v.length || v.some((x, i) => !Object.is(x, w[i]))) return false;
  }
  return true;
}

test('a tiny model learns the synthetic task: the loss falls and the test accuracy is high', async () => {
  const losses: number[] = [];
  const progress: number[] = [];
  const r = await trainModel(
    { ...base, epochs: 6, schedule: 'constant' },
    { onEpoch: (e) => losses.push(e.trainLoss), onProgress: (p) => progress.push(p.batch) },
  );
  assert.equal(losses.length, 6);
  assert.ok(
    losses.every((l, i) => i === 0 || l < losses[i - 1]),
    `loss ${losses.join(' → ')}`,
  );
  assert.ok(losses[5] < losses[0] * 0.6, `loss ${losses.join(' → ')}`);
  assert.ok(r.testAccuracy >= 0.9, `test accuracy ${r.testAccuracy}`);
  assert.deepEqual(progress.slice(0, 6), [0, 1, 2, 3, 4, 5]);
  assert.equal(r.recipe.act, 'clip');
  assert.equal(r.recipe.theta, 1);
  assert.equal(r.recipe.epochs, 6);
  assert.equal(r.recipe.testAccuracy, r.testAccuracy);
  assert.ok(r.recipe.secondsPerEpoch > 0);
});

test('same seed ⇒ bit-identical parameters; another seed ⇒ different ones', async () => {
  const a = await trainModel({ ...base, epochs: 1 });
  const b = await trainModel({ ...base, epochs: 1 });
  const c = await trainModel({ ...base, epochs: 1, seed: 8 });
  assert.ok(sameParams(a.params, b.params));
  assert.ok(!sameParams(a.params, c.params));
});

test('checkpoint after epoch 1, resume to epoch 3 ≡ three epochs straight', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ann2snn-train-'));
  try {
    const ckpt = join(dir, 'run.ckpt');
    const straight = await trainModel({ ...base, schedule: 'step' });
    await trainModel({ ...base, schedule: 'step', epochs: 1, checkpoint: ckpt });
    const saved = await loadCheckpoint(ckpt);
    assert.equal(saved.header.epoch, 1);
    // The configuration stored in the checkpoint wins; only the epoch count is taken from the options.
    const resumed = await trainModel({ resume: ckpt, epochs: 3, trainSet, testSet, threads: 1, checkpoint: ckpt });
    assert.ok(sameParams(straight.params, resumed.params));
    assert.equal(resumed.testAccuracy, straight.testAccuracy);
    assert.equal(resumed.recipe.history.length, 3);
    assert.equal((await loadCheckpoint(ckpt)).header.epoch, 3);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('-o writes an ONNX model that re-imports and computes the trained function, and a recipe', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ann2snn-train-'));
  try {
    const output = join(dir, 'model.onnx');
    const r = await trainModel({ ...base, epochs: 1, output });
    assert.ok(existsSync(`${output}.ckpt`));
    const recipe = JSON.parse(readFileSync(join(dir, 'model.recipe.json'), 'utf8')) as { testAccuracy: number; preset: string };
    assert.equal(recipe.testAccuracy, r.testAccuracy);
    assert.equal(recipe.preset, 'tiny');
    const graph = importOnnx(readFileSync(output), output);
    assert.deepEqual(
      graph.nodes.map((n) => n.op),
      ['Conv2d', 'BatchNorm', 'Clip', 'AvgPool', 'Flatten', 'Dense', 'Clip', 'Dense'],
    );
    // Accuracy of the exported graph on the reference backend = the trainer's evaluation.
    const compiled = await referenceBackend.compile(graph);
    let correct = 0;
    for (const b of testSet.batches({ batchSize: 48 })) {
      const logits = (await compiled.run(b.x)).get(graph.output)!;
      for (let i = 0; i < b.labels.length; i++) {
        const row = logits.data.subarray(i * 4, i * 4 + 4);
        if (row.indexOf(Math.max(...row)) === b.labels[i]) correct++;
      }
    }
    assert.equal(correct / testSet.size, r.testAccuracy);
    await assert.rejects(trainModel({ ...base, epochs: 0, output }), /already exists/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--init-from fine-tunes an exported ReLU model with the threshold ReLU', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ann2snn-train-'));
  try {
    const relu = join(dir, 'relu.onnx');
    const chain: ModelSpec = { ...tiny, layers: tiny.layers.filter((l) => l.type !== 'dropout') };
    const first = await trainModel({ ...base, spec: chain, act: 'relu', epochs: 3, schedule: 'constant', output: relu });
    const tuned = await trainModel({ initFrom: relu, trainSet, testSet, epochs: 1, lr: 1e-3, threads: 1, act: 'clip', theta: 2 });
    assert.equal(tuned.recipe.initFrom, relu);
    assert.ok(tuned.graph.nodes.some((n) => n.op === 'Clip' && n.max === 2));
    assert.ok(!tuned.graph.nodes.some((n) => n.op === 'Relu'));
    // Starting from trained weights, one gentle epoch keeps (or improves) the accuracy.
    assert.ok(tuned.testAccuracy >= first.testAccuracy - 0.1, `${tuned.testAccuracy} vs ${first.testAccuracy}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
