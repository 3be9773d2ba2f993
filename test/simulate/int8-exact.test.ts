/**
 * The int8 event kernels sum exactly: on weights that s8 × a per-channel scale represents, with
 * biases, thresholds and potentials on the same grid (every f32 sum exact), the int8 engine fires
 * the very spikes of the f32 engine — also where one step's sum of a conv block runs past 2¹⁵ and an
 * i16 accumulator alone would wrap or clip — and so does the dense engine's int8 path.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createOrtBackend } from '../../src/backend/ort/ort-backend.js';
import type { Graph, Node } from '../../src/ir/graph.js';
import { simulate, type SimulationResult } from '../../src/simulate/index.js';
import { mulberry32 } from '../../src/tensor/random.js';
import { tensor, type Tensor } from '../../src/tensor/tensor.js';
import { syntheticImages } from '../helpers/synthetic-data.js';
import { avgPool2x2, ifSpike } from '../helpers/nets.js';

const ort = createOrtBackend({ threads: 1 });

/** k/denominator with integer k in [lo, hi], one ±127 per output channel (so scale = 1/denominator exactly). */
function gridWeight(shape: number[], lo: number, hi: number, denominator: number, random: () => number): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const inner = n / shape[0];
  const k = Int32Array.from({ length: n }, () => lo + Math.floor(random() * (hi - lo + 1)));
  for (let o = 0; o < shape[0]; o++) k[o * inner + Math.floor(random() * inner)] = random() < 0.5 && lo < 0 ? -127 : 127;
  return tensor(
    shape,
    Float32Array.from(k, (v) => v / denominator),
  );
}

function spike(name: string, input: string, theta: number): Node {
  return ifSpike(name, input, Float32Array.of(theta), Float32Array.of(theta / 2));
}

function conv(name: string, input: string, weight: Tensor, bias: number): Node {
  return {
    op: 'Conv2d',
    name,
    inputs: [input],
    output: name,
    weight,
    bias: tensor([weight.shape[0]], new Float32Array(weight.shape[0]).fill(bias)),
    strides: [1, 1],
    pads: [1, 1, 1, 1],
    dilations: [1, 1],
    groups: 1,
  };
}

/**
 * x → conv 1→64 (static: s1 fires at every step) → s1 (θ 1) → conv 64→32, weights k/64 with k in
 * 0…127 (an interior pixel sums 576 rows, Σk ≈ 36,600 > 2¹⁵) → s2 (θ 512) → avg pool 2 → conv 32→32
 * (W′ = 512·W/4 = 2k) → s3 (θ 4) → flatten → dense readout (W′ = 4·k/64).
 */
function exactNet(seed: number): Graph {
  const r = mulberry32(seed);
  const c1 = conv(
    'c1',
    'x',
    tensor(
      [64, 1, 3, 3],
      Float32Array.from({ length: 576 }, () => r() * 0.05),
    ),
    1,
  );
  return {
    input: { name: 'x', shape: [null, 1, 8, 8] },
    output: 'fc',
    nodes: [
      c1,
      spike('s1', 'c1', 1),
      conv('c2', 's1', gridWeight([32, 64, 3, 3], 0, 127, 64, r), -100),
      spike('s2', 'c2', 512),
      avgPool2x2('p2', 's2'),
      conv('c3', 'p2', gridWeight([32, 32, 3, 3], -127, 127, 64, r), 0.25),
      spike('s3', 'c3', 4),
      { op: 'Flatten', name: 'flat', inputs: ['s3'], output: 'flat', axis: 1 },
      {
        op: 'Dense',
        name: 'fc',
        inputs: ['flat'],
        output: 'fc',
        weight: gridWeight([10, 512], -127, 127, 64, r),
        bias: tensor(
          [10],
          Float32Array.from({ length: 10 }, (_, i) => i / 64),
        ),
      },
    ],
  };
}

function assertSameSpikes(a: SimulationResult, b: SimulationResult): void {
  assert.deepEqual([...a.correctAt], [...b.correctAt]);
  assert.deepEqual(
    a.layers.map((l) => [l.node, [...l.unitCounts!]]),
    b.layers.map((l) => [l.node, [...l.unitCounts!]]),
  );
}

for (const seed of [1, 2, 3]) {
  test(`int8 event engine = f32 event engine spike for spike on representable weights, sums past 2¹⁵ included (seed ${seed})`, async () => {
    const snn = exactNet(seed);
    const data = syntheticImages(6, [1, 8, 8], seed);
    const run = (engine: 'event' | 'dense', precision: 'f32' | 'int8') =>
      simulate(ort, snn, data, { T: 12, unitCounts: true, engine, threads: 1, precision });
    const f32 = await run('event', 'f32');
    const int8 = await run('event', 'int8');
    assert.equal(int8.engine, 'event');
    assert.ok(f32.layers[1].spikes > 0 && f32.layers[2].spikes > 0, 'the deep layers fire');
    assertSameSpikes(f32, int8);
    // The dense engine's int8 segments (ONNX Runtime, u8 × s8 → i32) quantize the same way.
    assertSameSpikes(f32, await run('dense', 'int8'));
  });
}
