/**
 * The defining property of exact max pooling (ir/graph.ts SpikeMaxPool, docs/method.md §5): at every
 * step the pool's cumulative output equals the maximum of its window's cumulative input counts, and
 * its output is binary for binary input (0..γ for bursts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { referenceBackend } from '../../src/backend/reference/reference-backend.js';
import { InMemoryDataset } from '../../src/data/in-memory-dataset.js';
import type { Graph } from '../../src/ir/graph.js';
import { stepSpikeMaxPool } from '../../src/simulate/dense/spike-max-pool.js';
import { simulate, simulateOracle, type SimulationEngine } from '../../src/simulate/index.js';
import { mulberry32 } from '../../src/tensor/random.js';
import { tensor } from '../../src/tensor/tensor.js';

test('a 1×2 window traced by hand: o(t) = max cumulative count − what was emitted', () => {
  // s_a = 1 0 0 1 1, s_b = 0 1 1 0 0: cumulative a = 1 1 1 2 3, b = 0 1 2 2 2, max = 1 1 2 2 3 → o = 1 0 1 0 1.
  const a = [1, 0, 0, 1, 1];
  const b = [0, 1, 1, 0, 0];
  const counts = Float32Array.from(a.flatMap((x, t) => [x, b[t]]));
  const geometry = { input: [1, 1, 2], kernel: [1, 2] as const };
  const out = new Float32Array(5);
  assert.equal(stepSpikeMaxPool(geometry, counts, new Float32Array(2), out, 5, 1), 3);
  assert.deepEqual([...out], [1, 0, 1, 0, 1]);
  // The same in chunks of 2, 2 and 1 steps, the accumulators carried over.
  const accumulators = new Float32Array(2);
  const chunked = [0, 2, 4].flatMap((t0) => {
    const steps = Math.min(2, 5 - t0);
    const o = new Float32Array(steps);
    stepSpikeMaxPool(geometry, counts.subarray(t0 * 2, (t0 + steps) * 2), accumulators, o, steps, 1);
    return [...o];
  });
  assert.deepEqual(chunked, [1, 0, 1, 0, 1]);
});

test('random spike trains whose leader changes: Σ o = max of Σ s at every step; o ≤ γ', () => {
  const r = mulberry32(3);
  for (const gamma of [1, 3]) {
    const [C, H, W, batch, T] = [2, 4, 6, 3, 60];
    const geometry = { input: [C, H, W], kernel: [2, 3] as const };
    const units = C * H * W;
    const rates = Float64Array.from({ length: batch * units }, () => r());
    const accumulators = new Float32Array(batch * units);
    const cumulativeIn = new Float64Array(batch * units);
    const cumulativeOut = new Float64Array(batch * C * 2 * 2);
    const out = new Float32Array(batch * C * 4);
    for (let t = 0; t < T; t++) {
      // Every 15 steps the rates are redrawn, so the unit that leads a window changes.
      if (t % 15 === 0) for (let j = 0; j < rates.length; j++) rates[j] = r();
      const s = Float32Array.from(rates, (p) => Math.floor(r() * (gamma + 1) * p));
      stepSpikeMaxPool(geometry, s, accumulators, out, 1, batch);
      s.forEach((x, j) => (cumulativeIn[j] += x));
      out.forEach((o, k) => {
        assert.ok(Number.isInteger(o) && o >= 0 && o <= gamma, `o = ${o} with γ = ${gamma}`);
        cumulativeOut[k] += o;
      });
      for (let b = 0; b < batch; b++) {
        for (let c = 0; c < C; c++) {
          for (let oy = 0; oy < 2; oy++) {
            for (let ox = 0; ox < 2; ox++) {
              let max = 0;
              for (let dy = 0; dy < 2; dy++)
                for (let dx = 0; dx < 3; dx++) max = Math.max(max, cumulativeIn[b * units + (c * H + oy * 2 + dy) * W + ox * 3 + dx]);
              assert.equal(cumulativeOut[((b * C + c) * 2 + oy) * 2 + ox], max, `t = ${t + 1}, image ${b}, window (${c}, ${oy}, ${ox})`);
            }
          }
        }
      }
    }
  }
});

/**
 * The input (as currents, through a 1×1 identity Conv2d) → Spike (θ = 0.5, v(0) = 0) → SpikeMaxPool 2×2 → Flatten → Dense: two
 * windows of a 2×4 image, currents [1, 0.5 | 0.25, 0] and [0.25, 0.75 | 0.5, 0] (·255/255).
 */
function tinyNet(): Graph {
  return {
    input: { name: 'x', shape: [null, 1, 2, 4] },
    output: 'y',
    nodes: [
      {
        op: 'Conv2d',
        name: 'in',
        inputs: ['x'],
        output: 'in',
        weight: tensor([1, 1, 1, 1], [1]),
        bias: null,
        strides: [1, 1],
        pads: [0, 0, 0, 0],
        dilations: [1, 1],
        groups: 1,
      },
      {
        op: 'Spike',
        name: 's',
        inputs: ['in'],
        output: 's',
        neuron: 'if',
        reset: 'soft',
        threshold: tensor([1], [0.5]),
        initialPotential: tensor([1], [0]),
        maxSpikesPerStep: 1,
      },
      { op: 'SpikeMaxPool', name: 'pool', inputs: ['s'], output: 'pool', kernel: [2, 2] },
      { op: 'Flatten', name: 'flat', inputs: ['pool'], output: 'flat', axis: 1 },
      { op: 'Dense', name: 'y', inputs: ['flat'], output: 'y', weight: tensor([2, 2], [1, 0, 0, 1]), bias: null },
    ],
  };
}

const image = new InMemoryDataset({
  name: 'two windows',
  images: Uint8Array.of(255, 128, 64, 191, 64, 0, 128, 0),
  labels: Uint8Array.of(0),
  sampleShape: [1, 2, 4],
  numClasses: 2,
});

test('oracle, dense and event engines: the pool counts max of its window counts at every T, one spike a step at most', async () => {
  const net = tinyNet();
  let previous: number[] = [0, 0];
  for (let T = 1; T <= 10; T++) {
    const oracle = simulateOracle(net, image, { T });
    const [spikes, pool] = oracle.layers.map((l) => [...l.unitCounts]);
    // Windows: units (0, 1, 4, 5) and (2, 3, 6, 7) of the 2×4 grid.
    const want = [Math.max(spikes[0], spikes[1], spikes[4], spikes[5]), Math.max(spikes[2], spikes[3], spikes[6], spikes[7])];
    assert.deepEqual(pool, want, `T = ${T}`);
    assert.ok(
      pool.every((n, k) => n - previous[k] === 0 || n - previous[k] === 1),
      `one spike a step at most (T = ${T})`,
    );
    previous = pool;
    for (const engine of ['dense', 'event'] as SimulationEngine[]) {
      const result = await simulate(referenceBackend, net, image, { T, engine, unitCounts: true, threads: 1 });
      assert.deepEqual(
        result.layers.map((l) => [l.node, [...l.unitCounts!]]),
        [
          ['s', spikes],
          ['pool', pool],
        ],
        `${engine}, T = ${T}`,
      );
    }
  }
});
