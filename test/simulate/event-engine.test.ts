import { test } from 'node:test';
import assert from 'node:assert/strict';
import { calibrate } from '../../src/ann/calibrate.js';
import { createOrtBackend } from '../../src/backend/ort/ort-backend.js';
import { referenceBackend } from '../../src/backend/reference/reference-backend.js';
import { convertToSnn, defaultConversionOptions } from '../../src/convert/index.js';
import type { ConversionOptions } from '../../src/model/snn-model.js';
import type { Graph, Node } from '../../src/ir/graph.js';
import { sampleShapes } from '../../src/ir/shapes.js';
import { lowerToEvents } from '../../src/simulate/event/event-net.js';
import { quantizeChannelsLast } from '../../src/quantize/quantize-weights.js';
import { findStaticValues, poissonEncoder, simulate, type SimulationResult } from '../../src/simulate/index.js';
import { mulberry32 } from '../../src/tensor/random.js';
import { labelledByAnn } from '../helpers/labelled.js';
import { eventNet, randomTensor, smallCnn, smallResidual } from '../helpers/nets.js';

const ort = createOrtBackend({ threads: 1 });

async function snnOf(ann: Graph, shape: readonly [number, number, number], options: Partial<ConversionOptions> = {}) {
  const data = await labelledByAnn(ort, ann, 24, shape);
  const stats = await calibrate(ort, ann, data);
  return { snn: convertToSnn(ann, stats, { ...defaultConversionOptions, ...options }).graph, data };
}

/** The same spikes: the same correct images at every t and every unit's spike count. */
function assertSameSpikes(a: SimulationResult, b: SimulationResult): void {
  assert.deepEqual([...a.correctAt], [...b.correctAt]);
  assert.deepEqual(
    a.layers.map((l) => [l.node, [...l.unitCounts!]]),
    b.layers.map((l) => [l.node, [...l.unitCounts!]]),
  );
}

// Every engine against the oracle, spike for spike, on one table of cases: oracle-*.test.ts.

test('event engine on worker threads = in this thread', async () => {
  const { snn, data } = await snnOf(smallCnn(21), [1, 8, 8]);
  const one = await simulate(ort, snn, data, { T: 12, unitCounts: true, engine: 'event', threads: 1, batchSize: 7 });
  const two = await simulate(ort, snn, data, { T: 12, unitCounts: true, engine: 'event', threads: 2, batchSize: 7 });
  assertSameSpikes(one, two);
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

test('residual networks lower to the event engine (shortcuts are identity maps, currents add up), also in int8', async () => {
  const { snn, data } = await snnOf(smallResidual(23), [2, 6, 6]);
  const lowering = lowerToEvents(snn, sampleShapes(snn), findStaticValues(snn, true));
  assert.ok('net' in lowering, 'reason' in lowering ? lowering.reason : '');
  assert.deepEqual(
    lowering.net.inputs.map((list) => list.map((s) => `${s.from}:${s.kernel.join('x')}`)),
    [[], ['0:3x3'], ['1:3x3', '0:1x1']],
  );
  const event = await simulate(ort, snn, data, { T: 16, threads: 1 });
  assert.equal(event.engine, 'event');
  const int8 = await simulate(ort, snn, data, { T: 16, threads: 1, precision: 'int8' });
  assert.equal(int8.engine, 'event');
  assert.ok(Math.abs(int8.correctAt[15] - event.correctAt[15]) <= 1);
});

test('auto runs graphs the event engine cannot lower on the dense engine and says why', async () => {
  // smallCnn with a Pad of 0.25 before conv2: its padding is an input of its own, not silence.
  const net = smallCnn(23);
  const nodes = net.nodes.flatMap((n): Node[] =>
    n.name === 'conv2' && n.op === 'Conv2d'
      ? [
          { op: 'Pad', name: 'pad', inputs: ['pool1'], output: 'pad', pads: [1, 1, 1, 1], value: 0.25 },
          { ...n, inputs: ['pad'], pads: [0, 0, 0, 0] },
        ]
      : [n],
  );
  const padded = await snnOf({ ...net, nodes }, [1, 8, 8]);
  const auto = await simulate(ort, padded.snn, padded.data, { T: 4 });
  assert.equal(auto.engine, 'dense');
  assert.match(auto.engineNote!, /'pad': a Pad of 0.25/);
});

test('lowering: a floor-mode pool sum-pools whole windows, a padded one gathers through one copy of W′ per divisor', async () => {
  const pool = (n: Node, edit: Partial<Extract<Node, { op: 'AvgPool' }>>): Node => (n.op === 'AvgPool' ? { ...n, ...edit } : n);
  const lower = async (ann: Graph) => {
    const { snn } = await snnOf(ann, [1, 8, 8]);
    const lowering = lowerToEvents(snn, sampleShapes(snn), findStaticValues(snn, true));
    assert.ok('net' in lowering, 'reason' in lowering ? lowering.reason : '');
    return { snn, conv2: lowering.net.inputs[1][0] };
  };
  // 3×3 stride 3 on 8×8, floor mode: windows at rows 0 and 3, rows 6 and 7 dropped.
  const net = smallCnn(30);
  const fc = (features: number): Node => ({ ...net.nodes[6], weight: randomTensor([10, 6 * features], 0.3, mulberry32(1)) }) as Node;
  const floor = await lower({
    ...net,
    nodes: [...net.nodes.slice(0, 2), pool(net.nodes[2], { kernel: [3, 3], strides: [3, 3] }), ...net.nodes.slice(3, 6), fc(4)],
  });
  assert.deepEqual([floor.conv2.pool, floor.conv2.gather, floor.conv2.input.height, floor.conv2.input.width], [[3, 3], null, 2, 2]);
  // 2×2 stride 2 pads 1 without countIncludePad on 8×8 → 5×5: border windows hold 1 or 2 rows (divisors 1, 2, 4).
  const padded = await lower({
    ...net,
    nodes: [...net.nodes.slice(0, 2), pool(net.nodes[2], { pads: [1, 1, 1, 1] }), ...net.nodes.slice(3, 6), fc(25)],
  });
  const { conv2 } = padded;
  const gather = conv2.gather!;
  assert.ok(gather);
  assert.deepEqual([conv2.input.height, conv2.input.width], [5, 5]);
  const copy = 3 * 3 * 4 * 32;
  assert.equal(conv2.weights.length, 3 * copy);
  // Read pixel (0, 0) is the corner window: source pixel (0, 0) alone, weight 1; (2, 2) is whole: four pixels at 1/4.
  const taps = (q: number) => [...gather.sources.subarray(gather.offsets[q], gather.offsets[q + 1])];
  assert.deepEqual(taps(0), [0]);
  assert.deepEqual(taps(2 * 5 + 2), [3 * 8 + 3, 3 * 8 + 4, 4 * 8 + 3, 4 * 8 + 4]);
  const copyOf = (q: number) => gather.rows[gather.offsets[q]] / (3 * 3 * 4);
  // W'[copy d][tap (1, 1)][ci 2][c 5]
  const w = (d: number) => conv2.weights[d * copy + ((1 * 3 + 1) * 4 + 2) * 32 + 5];
  assert.notEqual(w(copyOf(0)), 0);
  assert.ok(Math.abs(w(copyOf(0)) - 4 * w(copyOf(2 * 5 + 2))) < 1e-6, 'the corner copy weighs 4× the whole-window copy');
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

test('int8 event engine: s8 weights with per-channel scales, close to f32', async () => {
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
  assert.ok(Math.abs(i8.correctAt[31] - f32.correctAt[31]) <= 1, `int8 ${i8.correctAt[31]} vs f32 ${f32.correctAt[31]} correct at T=32`);
  for (let l = 0; l < f32.layers.length; l++) {
    const ratio = i8.layers[l].spikes / f32.layers[l].spikes;
    assert.ok(Math.abs(ratio - 1) < 0.02, `${f32.layers[l].node}: int8/f32 spikes ${ratio}`);
  }
});

test('Poisson input on the event engine: worker threads draw the same spikes as this thread; another seed, others', async () => {
  const { snn, data } = await snnOf(eventNet(6), [2, 10, 10]);
  const run = (seed: number, threads: number) =>
    simulate(ort, snn, data, { T: 12, unitCounts: true, encoder: poissonEncoder(seed), batchSize: 10, threads });
  const one = await run(11, 1);
  const two = await run(11, 2);
  assert.equal(two.engine, 'event');
  assert.ok(two.inputEvents! > 0);
  assert.equal(two.inputEvents, one.inputEvents);
  assertSameSpikes(one, two);
  assert.notEqual((await run(12, 1)).inputEvents, one.inputEvents);
});
