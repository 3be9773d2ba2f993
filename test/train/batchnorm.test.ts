/** BatchNorm: batch statistics in training, running statistics (PyTorch momentum 0.1) at evaluation. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TrainEngine, updateRunningStats } from '../../src/train/engine.js';
import { compileNetwork, type BnLayer } from '../../src/train/network.js';
import { initParams } from '../../src/train/params.js';
import type { ModelSpec } from '../../src/train/spec.js';
import { randomBatch } from './helpers.js';

// x: [N=4, C=2, H=1, W=3] → bn → flatten: the "logits" are the normalized values themselves.
const spec: ModelSpec = { name: 'bn', input: [2, 1, 3], classes: 6, layers: [{ type: 'bn' }, { type: 'flatten' }] };

function channelStats(x: Float32Array, n: number, c: number, per: number): { mean: number[]; biased: number[] } {
  const mean: number[] = [];
  const biased: number[] = [];
  for (let ch = 0; ch < c; ch++) {
    const values: number[] = [];
    for (let i = 0; i < n; i++) for (let j = 0; j < per; j++) values.push(x[(i * c + ch) * per + j]);
    const m = values.reduce((a, b) => a + b, 0) / values.length;
    mean.push(m);
    biased.push(values.reduce((a, b) => a + (b - m) ** 2, 0) / values.length);
  }
  return { mean, biased };
}

test('training normalizes with the batch statistics; evaluation with the running ones; running stats follow PyTorch', async () => {
  const net = compileNetwork(spec, { kind: 'relu' });
  const params = initParams(net, 0);
  params.set('bn1.weight', Float32Array.of(2, 0.5));
  params.set('bn1.bias', Float32Array.of(0.1, -1));
  const x = randomBatch([4, 2, 1, 3], 5, 3);
  const { mean, biased } = channelStats(x.data, 4, 2, 3);
  const engine = await TrainEngine.create(net, { threads: 1 });
  try {
    const r = await engine.step(x, Int32Array.of(0, 1, 2, 3), params);
    const eps = 1e-5;
    const gamma = [2, 0.5];
    const beta = [0.1, -1];
    for (let i = 0; i < 4; i++) {
      for (let ch = 0; ch < 2; ch++) {
        for (let j = 0; j < 3; j++) {
          const at = (i * 2 + ch) * 3 + j;
          const expected = (gamma[ch] * (x.data[at] - mean[ch])) / Math.sqrt(biased[ch] + eps) + beta[ch];
          assert.ok(Math.abs(r.logits[at] - expected) < 1e-5, `train value ${at}: ${r.logits[at]} vs ${expected}`);
        }
      }
    }
    const stats = r.batchStats.get('bn1')!;
    for (let ch = 0; ch < 2; ch++) {
      assert.ok(Math.abs(stats.mean[ch] - mean[ch]) < 1e-6);
      assert.ok(Math.abs(stats.variance[ch] - biased[ch]) < 1e-5);
    }

    // Evaluation before any update: running mean 0, running variance 1.
    const before = await engine.logits(x, params);
    for (let at = 0; at < before.length; at++) {
      const ch = Math.floor(at / 3) % 2;
      const expected = (gamma[ch] * x.data[at]) / Math.sqrt(1 + eps) + beta[ch];
      assert.ok(Math.abs(before[at] - expected) < 1e-5, `eval value ${at}`);
    }

    // One update: running = 0.9·running + 0.1·batch, with the unbiased variance (12 values per channel).
    const layer = net.layers.find((l): l is BnLayer => l.kind === 'bn')!;
    updateRunningStats(layer, params, stats.mean, stats.variance, 12);
    const rm = params.get('bn1.running_mean')!;
    const rv = params.get('bn1.running_var')!;
    for (let ch = 0; ch < 2; ch++) {
      assert.ok(Math.abs(rm[ch] - 0.1 * mean[ch]) < 1e-6);
      assert.ok(Math.abs(rv[ch] - (0.9 + (0.1 * biased[ch] * 12) / 11)) < 1e-5);
    }
    const after = await engine.logits(x, params);
    for (let at = 0; at < after.length; at++) {
      const ch = Math.floor(at / 3) % 2;
      const expected = (gamma[ch] * (x.data[at] - rm[ch])) / Math.sqrt(rv[ch] + eps) + beta[ch];
      assert.ok(Math.abs(after[at] - expected) < 1e-5, `eval value after update ${at}`);
    }
  } finally {
    await engine.dispose();
  }
});
