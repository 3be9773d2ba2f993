import { test } from 'node:test';
import assert from 'node:assert/strict';
import { calibrate } from '../../src/ann/calibrate.js';
import { evaluateAnn } from '../../src/ann/evaluate.js';
import { createOrtBackend } from '../../src/backend/ort/ort-backend.js';
import { referenceBackend } from '../../src/backend/reference/reference-backend.js';
import { convertToSnn, defaultConversionOptions, type ConversionOptions } from '../../src/convert/index.js';
import { GraphError, type Graph, type Node } from '../../src/ir/graph.js';
import { sampleShapes } from '../../src/ir/shapes.js';
import { lowerToEvents } from '../../src/simulate/event/event-net.js';
import { quantizeChannelsLast } from '../../src/quantize/quantize-weights.js';
import { findStaticValues, poissonEncoder, simulate, type SimulationResult } from '../../src/simulate/index.js';
import { mulberry32 } from '../../src/tensor/random.js';
import { avgPool2x2, conv3x3, randomTensor, smallCnn, smallResidual } from '../helpers/nets.js';
import { syntheticImages } from '../helpers/synthetic-data.js';

const ort = createOrtBackend({ threads: 1 });

/**
 * Every lowering case at once, on 10×10×2: conv 2→5 (3×3, pads [2, 0, 0, 0]: asymmetric) → clip →
 * avgpool 2×2 → conv 5→40 (3×3, stride 2, pad 1: 40 channels span two 32-channel blocks) → clip →
 * global average pool → flatten → dense 40→12 → clip → dense 12→3.
 */
function eventNet(seed: number): Graph {
  const r = mulberry32(seed);
  const conv = (
    name: string,
    input: string,
    cin: number,
    cout: number,
    strides: [number, number],
    pads: [number, number, number, number],
  ): Node => conv3x3(r, name, input, cin, cout, { strides, pads });
  const clip = (name: string, input: string): Node => ({ op: 'Clip', name, inputs: [input], output: name, min: 0, max: 1 });
  const nodes: Node[] = [
    conv('c1', 'x', 2, 5, [1, 1], [2, 0, 0, 0]),
    clip('a1', 'c1'),
    avgPool2x2('p1', 'a1'),
    conv('c2', 'p1', 5, 40, [2, 2], [1, 1, 1, 1]),
    clip('a2', 'c2'),
    { op: 'GlobalAvgPool', name: 'gap', inputs: ['a2'], output: 'gap' },
    { op: 'Flatten', name: 'flat', inputs: ['gap'], output: 'flat', axis: 1 },
    {
      op: 'Dense',
      name: 'd1',
      inputs: ['flat'],
      output: 'd1',
      weight: randomTensor([12, 40], 0.6, r),
      bias: randomTensor([12], 0.1, r, 0.1),
    },
    clip('a3', 'd1'),
    { op: 'Dense', name: 'd2', inputs: ['a3'], output: 'd2', weight: randomTensor([3, 12], 0.8, r), bias: null },
  ];
  return { input: { name: 'x', shape: [null, 2, 10, 10] }, output: 'd2', nodes };
}

async function labelledByAnn(graph: Graph, count: number, shape: readonly [number, number, number]) {
  const { predictions } = await evaluateAnn(ort, graph, syntheticImages(count, shape));
  return syntheticImages(count, shape, 5, 10, Uint8Array.from(predictions));
}

async function snnOf(ann: Graph, shape: readonly [number, number, number], options: Partial<ConversionOptions> = {}) {
  const data = await labelledByAnn(ann, 24, shape);
  const stats = await calibrate(ort, ann, data);
  return { snn: convertToSnn(ann, stats, { ...defaultConversionOptions, ...options }).graph, data };
}

/**
 * The same simulation up to float summation order: the event kernels add a unit's inputs in another
 * order than a dense convolution, so a membrane that lands within rounding of θ may fire one step
 * earlier or later. Allowed: at most 1 % of units off by one spike, accuracy at every t within one image.
 */
function assertSameSimulation(a: SimulationResult, b: SimulationResult, exact = false): void {
  a.correctAt.forEach((c, t) =>
    assert.ok(Math.abs(c - b.correctAt[t]) <= (exact ? 0 : 1), `correct at t=${t + 1}: ${c} vs ${b.correctAt[t]}`),
  );
  assert.equal(a.layers.length, b.layers.length);
  for (let l = 0; l < a.layers.length; l++) {
    assert.equal(a.layers[l].node, b.layers[l].node);
    const x = a.layers[l].unitCounts!;
    const y = b.layers[l].unitCounts!;
    let off = 0;
    for (let u = 0; u < x.length; u++) {
      assert.ok(Math.abs(x[u] - y[u]) <= (exact ? 0 : 1), `${a.layers[l].node} unit ${u}: ${x[u]} vs ${y[u]} spikes`);
      if (x[u] !== y[u]) off++;
    }
    assert.ok(off <= (exact ? 0 : Math.max(1, 0.01 * x.length)), `${a.layers[l].node}: ${off} of ${x.length} units differ`);
  }
}

const variants: readonly [string, Partial<ConversionOptions>][] = [
  ['deng-gu, spiking readout', { readout: 'spikes' }],
  ['max-norm, burst neurons γ = 3, soft reset', { strategy: 'max-norm', shift: 'none', maxSpikesPerStep: 3 }],
  ['max-norm, burst neurons γ = 2, hard reset', { strategy: 'max-norm', shift: 'none', maxSpikesPerStep: 2, reset: 'hard' }],
  ['deng-gu, v0, soft reset, per-layer θ', {}],
  ['max-norm, bias shift, hard reset', { strategy: 'max-norm', shift: 'bias', tShift: 8, reset: 'hard' }],
  ['max-norm, no shift, per-channel θ', { strategy: 'max-norm', shift: 'none', thresholdScope: 'channel' }],
];

for (const [name, options] of variants) {
  test(`event engine matches the dense reference up to rounding (${name})`, async () => {
    const { snn, data } = await snnOf(eventNet(3), [2, 10, 10], options);
    const dense = await simulate(referenceBackend, snn, data, { T: 16, unitCounts: true, engine: 'dense' });
    const event = await simulate(ort, snn, data, { T: 16, unitCounts: true, engine: 'event', threads: 1 });
    assert.equal(event.engine, 'event');
    assert.equal(dense.engine, 'dense');
    assertSameSimulation(event, dense);
    assert.ok(
      event.layers.every((l) => l.spikes > 0),
      'every layer spikes',
    );
  });
}

test('event engine on worker threads = in this thread; AvgPool → Flatten → Dense lowers too', async () => {
  const { snn, data } = await snnOf(smallCnn(21), [1, 8, 8]);
  const one = await simulate(ort, snn, data, { T: 12, unitCounts: true, engine: 'event', threads: 1, batchSize: 7 });
  const two = await simulate(ort, snn, data, { T: 12, unitCounts: true, engine: 'event', threads: 2, batchSize: 7 });
  const dense = await simulate(ort, snn, data, { T: 12, unitCounts: true, engine: 'dense' });
  assertSameSimulation(one, two, true);
  assertSameSimulation(one, dense);
  assert.equal(two.images, 24);
});

test('auto picks the event engine on any backend and says why not otherwise', async () => {
  const { snn, data } = await snnOf(smallCnn(22), [1, 8, 8]);
  assert.equal((await simulate(ort, snn, data, { T: 4 })).engine, 'event');
  assert.equal((await simulate(referenceBackend, snn, data, { T: 4 })).engine, 'event');
  const int8 = await simulate(ort, snn, data, { T: 4, precision: 'int8' });
  assert.equal(int8.engine, 'event');
  const int8x2 = await simulate(ort, snn, data, { T: 4, precision: 'int8x2' });
  assert.equal(int8x2.engine, 'dense');
  assert.match(int8x2.engineNote!, /int8x2/);
  await assert.rejects(simulate(ort, snn, data, { T: 4, engine: 'event', precision: 'int8x2' }), /int8x2/);
  assert.equal((await simulate(ort, snn, data, { T: 4, encoder: poissonEncoder(1) })).engine, 'event');
  const probed = await simulate(ort, snn, data, { T: 4, probes: [{}] });
  assert.match(probed.engineNote!, /probes/);
});

/** conv 1→4 → clip → two convs 4→3 side by side → Concat → clip → flatten → dense: a branch that merges by Concat. */
function concatNet(seed: number): Graph {
  const r = mulberry32(seed);
  const conv = (name: string, input: string, cin: number, cout: number): Node => conv3x3(r, name, input, cin, cout);
  const clip = (name: string, input: string): Node => ({ op: 'Clip', name, inputs: [input], output: name, min: 0, max: 1 });
  const nodes: Node[] = [
    conv('c1', 'x', 1, 4),
    clip('a1', 'c1'),
    conv('left', 'a1', 4, 3),
    conv('right', 'a1', 4, 3),
    { op: 'Concat', name: 'cat', inputs: ['left', 'right'], output: 'cat', axis: 1 },
    clip('a2', 'cat'),
    { op: 'Flatten', name: 'flat', inputs: ['a2'], output: 'flat', axis: 1 },
    { op: 'Dense', name: 'fc', inputs: ['flat'], output: 'fc', weight: randomTensor([3, 6 * 36], 0.3, r), bias: null },
  ];
  return { input: { name: 'x', shape: [null, 1, 6, 6] }, output: 'fc', nodes };
}

test('residual networks run on the event engine (shortcuts are identity maps, currents add up)', async () => {
  const { snn, data } = await snnOf(smallResidual(23), [2, 6, 6]);
  const lowering = lowerToEvents(snn, sampleShapes(snn), findStaticValues(snn, true));
  assert.ok('net' in lowering, 'reason' in lowering ? lowering.reason : '');
  assert.deepEqual(
    lowering.net.inputs.map((list) => list.map((s) => `${s.from}:${s.kernel.join('x')}`)),
    [[], ['0:3x3'], ['1:3x3', '0:1x1']],
  );
  const dense = await simulate(referenceBackend, snn, data, { T: 16, unitCounts: true, engine: 'dense' });
  const event = await simulate(ort, snn, data, { T: 16, unitCounts: true, threads: 1 });
  assert.equal(event.engine, 'event');
  assertSameSimulation(event, dense);
  const int8 = await simulate(ort, snn, data, { T: 16, threads: 1, precision: 'int8' });
  assert.equal(int8.engine, 'event');
  assert.ok(Math.abs(int8.correctAt[15] - event.correctAt[15]) <= 1);
});

test('channel Concat runs on the event engine (each input writes its own channels)', async () => {
  const { snn, data } = await snnOf(concatNet(23), [1, 6, 6]);
  const dense = await simulate(referenceBackend, snn, data, { T: 16, unitCounts: true, engine: 'dense' });
  const event = await simulate(ort, snn, data, { T: 16, unitCounts: true, threads: 1 });
  assert.equal(event.engine, 'event', event.engineNote ?? '');
  assertSameSimulation(event, dense);
});

test('grouped and dilated convolutions run on the event engine (as zeros in W′)', async () => {
  const net = concatNet(23);
  const r = mulberry32(5);
  const nodes = net.nodes.map((n): Node => {
    if (n.name === 'left' && n.op === 'Conv2d') return { ...n, dilations: [2, 2], pads: [2, 2, 2, 2] };
    if (n.name === 'right' && n.op === 'Conv2d')
      return { ...n, weight: randomTensor([4, 2, 3, 3], 0.5, r), bias: randomTensor([4], 0.1, r, 0.05), groups: 2 };
    if (n.name === 'fc' && n.op === 'Dense') return { ...n, weight: randomTensor([3, 7 * 36], 0.3, r) };
    return n;
  });
  const { snn, data } = await snnOf({ ...net, nodes }, [1, 6, 6]);
  const dense = await simulate(referenceBackend, snn, data, { T: 16, unitCounts: true, engine: 'dense' });
  const event = await simulate(ort, snn, data, { T: 16, unitCounts: true, threads: 1 });
  assert.equal(event.engine, 'event', event.engineNote ?? '');
  assertSameSimulation(event, dense);
});

test('graphs the event engine cannot lower run dense, and engine: event names the reason', async () => {
  // smallCnn with an overlapping average pool (3×3, stride 1, padding 1) between its spiking layers.
  const net = smallCnn(23);
  const r = mulberry32(6);
  const nodes = net.nodes.map((n): Node => {
    if (n.name === 'pool1' && n.op === 'AvgPool') return { ...n, kernel: [3, 3], strides: [1, 1], pads: [1, 1, 1, 1] };
    if (n.name === 'fc' && n.op === 'Dense') return { ...n, weight: randomTensor([10, 6 * 64], 0.3, r) };
    return n;
  });
  const overlapping = await snnOf({ ...net, nodes }, [1, 8, 8]);
  const auto = await simulate(ort, overlapping.snn, overlapping.data, { T: 4 });
  assert.equal(auto.engine, 'dense');
  assert.match(auto.engineNote!, /pool1.*kernel = stride/);
  await assert.rejects(
    simulate(ort, overlapping.snn, overlapping.data, { T: 4, engine: 'event' }),
    (e: Error) => e instanceof GraphError && /event engine cannot run this simulation.*pool1/.test(e.message),
  );
});

test('lowering: padded channels never fire, pooling divides W by the window, Dense rows follow Flatten order', async () => {
  const { snn } = await snnOf(eventNet(4), [2, 10, 10]);
  const lowering = lowerToEvents(snn, sampleShapes(snn), findStaticValues(snn, true));
  assert.ok('net' in lowering);
  const { net } = lowering;
  assert.deepEqual(
    net.layers.map((l) => [l.grid.height, l.grid.width, l.grid.channels, l.grid.paddedChannels]),
    [
      [10, 8, 5, 32],
      [3, 2, 40, 64],
      [1, 1, 12, 32],
    ],
  );
  assert.ok(net.layers[1].threshold.subarray(40).every((t) => t === Infinity));
  const [c2] = net.inputs[1];
  assert.deepEqual(
    [c2.pool, c2.kernel, c2.strides, c2.pads],
    [
      [2, 2],
      [3, 3],
      [2, 2],
      [1, 1],
    ],
  );
  assert.deepEqual([c2.input.height, c2.input.width], [5, 4]);
  // W'[ky=1, kx=2, ci=3, c=7] = θ(3)/4 · W[7, 3, 1, 2]
  const w = (snn.nodes.find((n) => n.name === 'c2') as Extract<Node, { op: 'Conv2d' }>).weight.data;
  const theta = net.layers[0].threshold[3];
  assert.ok(Math.abs(c2.weights[((1 * 3 + 2) * 5 + 3) * 64 + 7] - (theta / 4) * w[((7 * 5 + 3) * 3 + 1) * 3 + 2]) < 1e-6);
  const [d1] = net.inputs[2];
  assert.deepEqual(
    [d1.pool, d1.kernel],
    [
      [3, 2],
      [1, 1],
    ],
  );
  assert.equal(net.classes, 3);
});

test('int8 event engine: s8 weights with per-channel scales, close to f32, no saturated sums', async () => {
  const { snn, data } = await snnOf(eventNet(5), [2, 10, 10]);
  const lowering = lowerToEvents(snn, sampleShapes(snn), findStaticValues(snn, true));
  assert.ok('net' in lowering);
  const [synapses] = lowering.net.inputs[1];
  const channels = synapses.output.paddedChannels;
  const q = quantizeChannelsLast(synapses.weights, channels);
  for (let i = 0; i < q.q.length; i++) {
    assert.ok(Math.abs(q.q[i]) <= 127);
    assert.ok(Math.abs(q.q[i] * q.scale[i % channels] - synapses.weights[i]) <= q.scale[i % channels] / 2 + 1e-7);
  }
  const f32 = await simulate(ort, snn, data, { T: 32, unitCounts: true, threads: 1 });
  const i8 = await simulate(ort, snn, data, { T: 32, unitCounts: true, threads: 2, precision: 'int8' });
  assert.equal(i8.engine, 'event');
  assert.equal(i8.saturatedSums, 0);
  assert.ok(Math.abs(i8.correctAt[31] - f32.correctAt[31]) <= 1, `int8 ${i8.correctAt[31]} vs f32 ${f32.correctAt[31]} correct at T=32`);
  for (let l = 0; l < f32.layers.length; l++) {
    const ratio = i8.layers[l].spikes / f32.layers[l].spikes;
    assert.ok(Math.abs(ratio - 1) < 0.02, `${f32.layers[l].node}: int8/f32 spikes ${ratio}`);
  }
});

test('int8 event engine counts i16 sums that saturate', async () => {
  // Every unit of the first layer fires at every step (I = 2θ) and all weights into the second layer
  // are equal (127 once quantized): an interior pixel sums 32·9 = 288 of them (36,576 > 32,767) and
  // saturates; edge and corner pixels (6 or 4 taps: ≤ 24,384) do not.
  const spike = (name: string, input: string): Node => ({
    op: 'Spike',
    name,
    inputs: [input],
    output: name,
    neuron: 'if',
    reset: 'soft',
    threshold: randomTensor([1], 0, mulberry32(1), 1),
    initialPotential: randomTensor([1], 0, mulberry32(1), 0),
    maxSpikesPerStep: 1,
  });
  const conv = (name: string, input: string, cin: number, weight: number, bias: number): Node => ({
    op: 'Conv2d',
    name,
    inputs: [input],
    output: name,
    weight: randomTensor([32, cin, 3, 3], 0, mulberry32(1), weight),
    bias: randomTensor([32], 0, mulberry32(1), bias),
    strides: [1, 1],
    pads: [1, 1, 1, 1],
    dilations: [1, 1],
    groups: 1,
  });
  const snn: Graph = {
    input: { name: 'x', shape: [null, 1, 6, 6] },
    output: 'fc',
    nodes: [
      conv('c1', 'x', 1, 0, 2),
      spike('s1', 'c1'),
      conv('c2', 's1', 32, 0.01, 0),
      spike('s2', 'c2'),
      { op: 'Flatten', name: 'flat', inputs: ['s2'], output: 'flat', axis: 1 },
      { op: 'Dense', name: 'fc', inputs: ['flat'], output: 'fc', weight: randomTensor([2, 1152], 0.1, mulberry32(2)), bias: null },
    ],
  };
  const data = syntheticImages(3, [1, 6, 6]);
  const result = await simulate(ort, snn, data, { T: 2, threads: 1, precision: 'int8' });
  assert.equal(result.engine, 'event');
  assert.equal(result.saturatedSums, 3 * 2 * 16, 'the 4×4 interior pixels, every step, every image');
});

test("Poisson input on the event engine draws the very spikes of the dense engine's encoder", async () => {
  const { snn, data } = await snnOf(eventNet(6), [2, 10, 10]);
  const encoder = poissonEncoder(11);
  const dense = await simulate(referenceBackend, snn, data, { T: 12, unitCounts: true, engine: 'dense', encoder, batchSize: 10, chunk: 5 });
  const event = await simulate(ort, snn, data, { T: 12, unitCounts: true, encoder, batchSize: 10, threads: 2 });
  assert.equal(event.engine, 'event');
  assert.ok(event.inputEvents! > 0);
  assert.equal(event.inputEvents, dense.inputEvents, 'the same input spikes');
  assertSameSimulation(event, dense);
  const other = await simulate(ort, snn, data, { T: 12, encoder: poissonEncoder(12), batchSize: 10, threads: 1 });
  assert.notEqual(other.inputEvents, event.inputEvents, 'another seed, other spikes');
});
