import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Graph } from '../../src/ir/graph.js';
import { GraphError } from '../../src/ir/graph.js';
import { dequantizedGraph } from '../../src/quantize/dequantized-graph.js';
import { dequantizeWeight, LO_DIVISOR, quantizeChannelsLast, quantizeWeight } from '../../src/quantize/quantize-weights.js';
import { tensor } from '../../src/tensor/tensor.js';
import { smallCnn } from '../helpers/nets.js';
import { mulberry32, randomTensor, seedOf } from '../helpers/random.js';

test('per-channel int8: |W − q·scale| ≤ scale/2, q in [−127, 127], each channel reaches ±127', () => {
  const r = mulberry32(seedOf('quantize'));
  const w = randomTensor(r, [6, 3, 3, 3]);
  // channels of very different magnitudes: per-channel scales keep the small ones precise
  for (let i = 0; i < 27; i++) w.data[27 + i] *= 1e-3;
  const q = quantizeWeight(w);
  const back = dequantizeWeight(q);
  assert.deepEqual(q.shape, [6, 3, 3, 3]);
  assert.equal(q.lo, null);
  for (let o = 0; o < 6; o++) {
    let max = 0;
    for (let i = o * 27; i < (o + 1) * 27; i++) {
      assert.ok(Math.abs(q.q[i]) <= 127);
      assert.ok(Math.abs(w.data[i] - back.data[i]) <= q.scale[o] / 2 + 1e-7 * Math.abs(w.data[i]), `channel ${o} element ${i}`);
      max = Math.max(max, Math.abs(q.q[i]));
    }
    assert.equal(max, 127);
    assert.ok(Math.abs(q.scale[o] - Math.max(...w.data.subarray(o * 27, (o + 1) * 27).map(Math.abs)) / 127) <= 1e-7 * q.scale[o] * 127);
  }
  assert.ok(q.scale[1] < q.scale[0] / 100);
});

test('int8x2: |W − (q + lo/254)·scale| ≤ scale/508', () => {
  const r = mulberry32(seedOf('quantize x2'));
  const w = randomTensor(r, [5, 40]);
  const q = quantizeWeight(w, 'int8x2');
  assert.ok(q.lo !== null);
  const back = dequantizeWeight(q);
  for (let o = 0; o < 5; o++) {
    for (let i = o * 40; i < (o + 1) * 40; i++) {
      assert.ok(Math.abs(q.lo[i]) <= 127);
      assert.ok(Math.abs(w.data[i] - back.data[i]) <= q.scale[o] / (2 * LO_DIVISOR) + 1e-7 * Math.abs(w.data[i]));
    }
  }
});

test('an all-zero channel quantizes to zeros with scale 1; non-finite weights are refused', () => {
  const q = quantizeWeight(tensor([2, 2], [0, 0, 0.5, -1]));
  assert.deepEqual([...q.q], [0, 0, 64, -127]);
  assert.equal(q.scale[0], 1);
  assert.throws(() => quantizeWeight(tensor([1, 2], [1, NaN])), GraphError);
  assert.throws(() => quantizeWeight(tensor([3], [1, 2, 3])), GraphError);
});

test('dequantizedGraph replaces the selected Conv2d/Dense weights and nothing else', () => {
  const g: Graph = smallCnn(3);
  const all = dequantizedGraph(g);
  const one = dequantizedGraph(g, { nodes: ['conv2'] });
  const weightOf = (graph: Graph, name: string) => {
    const n = graph.nodes.find((m) => m.name === name)!;
    assert.ok(n.op === 'Conv2d' || n.op === 'Dense');
    return n.weight.data;
  };
  for (const name of ['conv1', 'conv2', 'fc']) assert.notDeepEqual(weightOf(all, name), weightOf(g, name));
  assert.deepEqual(weightOf(one, 'conv1'), weightOf(g, 'conv1'));
  assert.deepEqual(weightOf(one, 'conv2'), dequantizeWeight(quantizeWeight(tensor([6, 4, 3, 3], weightOf(g, 'conv2')))).data);
  assert.throws(() => dequantizedGraph(g, { nodes: ['nope'] }), /no node named 'nope'/);
  assert.throws(() => dequantizedGraph(g, { nodes: ['act1'] }), /not a Conv2d or Dense/);
});

test('channels-last quantization is the per-output-channel one on the transposed layout', () => {
  const r = mulberry32(seedOf('quantize channels last'));
  const w = randomTensor(r, [5, 12]);
  for (let i = 0; i < 12; i++) w.data[24 + i] = 0;
  const byChannel = quantizeWeight(w);
  const last = new Float32Array(60);
  for (let o = 0; o < 5; o++) for (let i = 0; i < 12; i++) last[i * 5 + o] = w.data[o * 12 + i];
  const q = quantizeChannelsLast(last, 5);
  assert.deepEqual([...q.scale], [...byChannel.scale]);
  for (let o = 0; o < 5; o++) for (let i = 0; i < 12; i++) assert.equal(q.q[i * 5 + o], byChannel.q[o * 12 + i]);
});
