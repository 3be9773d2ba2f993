/** Presets, checkpoint format, augmentation, seeded initialisation. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tensor } from '../../src/tensor/tensor.js';
import { augmentBatch } from '../../src/train/augment.js';
import { decodeCheckpoint, encodeCheckpoint } from '../../src/train/checkpoint.js';
import { TrainEngine } from '../../src/train/engine.js';
import { compileNetwork, TrainError } from '../../src/train/network.js';
import { newOptimizerState } from '../../src/train/optim.js';
import { initParams } from '../../src/train/params.js';
import { preset, presetNames } from '../../src/train/spec.js';
import { buildEvalModel, buildTrainModel } from '../../src/train/tape.js';
import { randomBatch, randomLabels } from './helpers.js';

const trainable = (name: (typeof presetNames)[number]): number =>
  compileNetwork(preset(name), { kind: 'relu' })
    .params.filter((p) => p.trainable)
    .reduce((a, p) => a + p.shape.reduce((x, y) => x * y, 1), 0);

test('cnn4: conv 1→32→32, pool, 32→64→64, pool, dense 3136→256→10, activation after all but the last', () => {
  const net = compileNetwork(preset('cnn4'), { kind: 'clip', theta: 1 });
  assert.deepEqual(
    net.params.map((p) => `${p.name}[${p.shape.join(',')}]`),
    [
      'conv1.weight[32,1,3,3]',
      'conv1.bias[32]',
      'conv2.weight[32,32,3,3]',
      'conv2.bias[32]',
      'conv3.weight[64,32,3,3]',
      'conv3.bias[64]',
      'conv4.weight[64,64,3,3]',
      'conv4.bias[64]',
      'dense1.weight[256,3136]',
      'dense1.bias[256]',
      'dense2.weight[10,256]',
      'dense2.bias[10]',
    ],
  );
  assert.equal(net.layers.filter((l) => l.kind === 'act').length, 5);
  assert.equal(net.layers.at(-1)!.kind, 'dense');
});

test('preset sizes: demo < 1 MB; vgg-small and resnet20 (≈0.27 M) compile with BatchNorm', () => {
  assert.ok(trainable('demo') * 4 < 1e6, `demo has ${trainable('demo')} parameters`);
  const resnet = compileNetwork(preset('resnet20'), { kind: 'clip', theta: 1 });
  assert.equal(resnet.layers.filter((l) => l.kind === 'add').length, 9);
  assert.equal(resnet.layers.filter((l) => l.kind === 'conv').length, 21); // 19 + 2 projection shortcuts
  assert.ok(Math.abs(trainable('resnet20') - 272_000) < 5_000, `resnet20 has ${trainable('resnet20')}`);
  const vgg = compileNetwork(preset('vgg-small'), { kind: 'clip', theta: 1 });
  assert.deepEqual(vgg.params.find((p) => p.name === 'dense1.weight')!.shape, [512, 4096]);
  // A spec whose last layer does not produce `classes` logits is refused.
  assert.throws(() => compileNetwork({ ...preset('cnn4'), classes: 5 }, { kind: 'relu' }), TrainError);
});

test('every preset builds graphs that ONNX Runtime runs (one batch of 2)', async () => {
  for (const name of presetNames) {
    const net = compileNetwork(preset(name), { kind: 'clip', theta: 1 });
    assert.ok(buildTrainModel(net).length > 0 && buildEvalModel(net).length > 0);
    if (name === 'cnn4' || name === 'vgg-small') continue; // same layer kinds as the others, slower
    const engine = await TrainEngine.create(net, { threads: 1 });
    const x = randomBatch([2, ...net.spec.input], 1);
    const r = await engine.step(x, randomLabels(2, 10, 1), initParams(net, 0));
    assert.ok(Number.isFinite(r.loss) && r.loss > 0, `${name}: loss ${r.loss}`);
    await engine.dispose();
  }
});

test('initialisation: PyTorch bounds 1/√fan_in, seeded and bit-identical, independent per parameter', () => {
  const net = compileNetwork(preset('demo'), { kind: 'relu' });
  const a = initParams(net, 1);
  const b = initParams(net, 1);
  const c = initParams(net, 2);
  for (const [k, v] of a) assert.deepEqual(v, b.get(k));
  assert.notDeepEqual(a.get('conv1.weight'), c.get('conv1.weight'));
  const w = a.get('conv2.weight')!; // fan_in 16·9
  const bound = 1 / Math.sqrt(16 * 9);
  assert.ok(w.every((v) => Math.abs(v) <= bound));
  assert.ok(Math.max(...w.map(Math.abs)) > 0.95 * bound);
});

test('checkpoint: encode/decode round trip; refuses other files', () => {
  const params = new Map([
    ['a', Float32Array.of(1, 2, 3)],
    ['b', Float32Array.of(-1)],
  ]);
  const state = newOptimizerState();
  state.step = 7;
  state.slots.set('a/m', Float32Array.of(0.5, 0.25, 0.125));
  const header = {
    spec: preset('demo'),
    act: { kind: 'clip', theta: 1 } as const,
    config: { lr: 0.1 },
    epoch: 2,
    rng: { seed: 3, nextEpoch: 2 },
    history: [],
  };
  const bytes = encodeCheckpoint(header, params, state);
  // At an odd offset inside a larger buffer, as Buffers from readFile can be.
  const shifted = new Uint8Array(bytes.length + 3);
  shifted.set(bytes, 3);
  const back = decodeCheckpoint(shifted.subarray(3));
  assert.equal(back.header.epoch, 2);
  assert.equal(back.optimizer.step, 7);
  assert.deepEqual(back.params, params);
  assert.deepEqual(back.optimizer.slots.get('a/m'), Float32Array.of(0.5, 0.25, 0.125));
  assert.throws(() => decodeCheckpoint(new Uint8Array(20), 'x.ckpt'), /x\.ckpt: not a training checkpoint/);
  assert.throws(() => decodeCheckpoint(bytes.subarray(0, bytes.length - 4), 'y.ckpt'), /truncated/);
});

test('augmentation: seeded; pad 0 + flip mirrors or keeps each image; crops shift with zero fill', () => {
  const x = tensor(
    [4, 1, 2, 3],
    [...Array(24).keys()].map((v) => v + 1),
  );
  assert.deepEqual(augmentBatch(x, 5), augmentBatch(x, 5));
  const flipped = augmentBatch(x, 9, { pad: 0 });
  for (let n = 0; n < 4; n++) {
    const img = [...x.data.subarray(n * 6, n * 6 + 6)];
    const mirror = [img[2], img[1], img[0], img[5], img[4], img[3]];
    const got = [...flipped.data.subarray(n * 6, n * 6 + 6)];
    assert.ok(JSON.stringify(got) === JSON.stringify(img) || JSON.stringify(got) === JSON.stringify(mirror));
  }
  const shifted = augmentBatch(x, 3, { pad: 1, flip: false });
  for (let n = 0; n < 4; n++) {
    const got = [...shifted.data.subarray(n * 6, n * 6 + 6)];
    const kept = got.filter((v) => v !== 0);
    assert.ok(
      kept.every((v) => v > n * 6 && v <= n * 6 + 6),
      'pixels stay within their own image',
    );
  }
});
