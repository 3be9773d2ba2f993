/** Optimizers (PyTorch update rules) and learning-rate schedules, against hand-computed values. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { learningRate, newOptimizerState, optimizerStep, type OptimizerConfig } from '../../src/train/optim.js';

function run(config: OptimizerConfig, grads: number[][], p0 = 1, lr = 0.1): number[] {
  const params = new Map([['w', Float32Array.of(p0)]]);
  const state = newOptimizerState();
  const trace: number[] = [];
  for (const g of grads) {
    optimizerStep(config, state, params, new Map([['w', Float32Array.from(g)]]), lr);
    trace.push(params.get('w')![0]);
  }
  return trace;
}

const close = (a: number[], b: number[]): void => a.forEach((v, i) => assert.ok(Math.abs(v - b[i]) < 1e-6, `${a} vs ${b}`));

test('SGD with momentum (b₁ = g), weight decay and nesterov', () => {
  // momentum 0.9, no decay: b = 1 → p = 0.9; b = 0.9·1 + 2 = 2.9 → p = 0.9 − 0.29 = 0.61
  close(run({ name: 'sgd', weightDecay: 0, momentum: 0.9 }, [[1], [2]]), [0.9, 0.61]);
  // decay 0.5: g = 1 + 0.5·1 = 1.5 → p = 0.85
  close(run({ name: 'sgd', weightDecay: 0.5, momentum: 0.9 }, [[1]]), [0.85]);
  // nesterov: b = 1, step g + μb = 1.9 → p = 0.81
  close(run({ name: 'sgd', weightDecay: 0, momentum: 0.9, nesterov: true }, [[1]]), [0.81]);
  // plain SGD
  close(run({ name: 'sgd', weightDecay: 0, momentum: 0 }, [[1], [1]]), [0.9, 0.8]);
});

test('Adam: bias-corrected first step is −lr·sign(g); second step by hand', () => {
  const [p1, p2] = run({ name: 'adam', weightDecay: 0 }, [[4], [-2]]);
  assert.ok(Math.abs(p1 - (1 - 0.1)) < 1e-6);
  const m = 0.9 * 0.4 + 0.1 * -2;
  const v = 0.999 * 0.016 + 0.001 * 4;
  const expected = p1 - (0.1 * (m / (1 - 0.81))) / (Math.sqrt(v / (1 - 0.999 ** 2)) + 1e-8);
  assert.ok(Math.abs(p2 - expected) < 1e-6, `${p2} vs ${expected}`);
});

test('schedules: step (×0.1 at 50% and 75%), cosine per batch to 0, constant', () => {
  assert.deepEqual(
    [0, 1, 2, 3, 4, 5, 6, 7].map((e) => learningRate('step', 1, e, 0, 8, 10)),
    [1, 1, 1, 1, 0.1, 0.1, 0.010000000000000002, 0.010000000000000002],
  );
  assert.equal(learningRate('cosine', 2, 0, 0, 4, 10), 2);
  assert.ok(Math.abs(learningRate('cosine', 2, 2, 0, 4, 10) - 1) < 1e-12);
  assert.ok(learningRate('cosine', 2, 3, 9, 4, 10) < 0.01);
  assert.equal(learningRate('constant', 0.3, 5, 5, 8, 10), 0.3);
});
