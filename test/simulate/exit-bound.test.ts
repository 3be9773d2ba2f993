/**
 * The per-step bound of certified exit is never violated (a property test on random nets: sizes,
 * weights, θ per layer or channel, bursts, resets, v(0), spiking or accumulating readout, through
 * AvgPool or not): every step's readout currents satisfy I_j − I_k ≤ B_jk. And a replay of an exit
 * rule on a full simulation's trace is what simulating with the rule records, on both engines.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { referenceBackend } from '../../src/backend/reference/reference-backend.js';
import type { Graph, Node } from '../../src/ir/graph.js';
import { mulberry32 } from '../../src/tensor/random.js';
import { exitRule, readoutBound, replayExit, simulate, type Probe } from '../../src/simulate/index.js';
import { syntheticImages } from '../helpers/synthetic-data.js';
import { avgPool2x2, conv3x3, ifSpike, randomTensor } from '../helpers/nets.js';
import { calibrate } from '../../src/ann/calibrate.js';
import { convertToSnn, defaultConversionOptions } from '../../src/convert/index.js';
import { labelledByAnn } from '../helpers/labelled.js';

interface NetSpec {
  readonly seed: number;
  readonly hidden: number;
  readonly classes: number;
  readonly perChannel: boolean;
  readonly burst: number;
  readonly hardReset: boolean;
  readonly spikingReadout: boolean;
  readonly pooled: boolean;
  readonly weightScale: number;
  /** Every hidden unit fires γ at every step and W_j ≥ W_k elementwise for j > k: the bound is reached. */
  readonly saturated: boolean;
}

function spike(name: string, input: string, channels: number, spec: NetSpec, r: () => number): Node {
  const theta = Float32Array.from({ length: spec.perChannel ? channels : 1 }, () => 0.2 + r() * 2);
  const v0 = Float32Array.of(r() * theta[0]);
  return ifSpike(name, input, theta, v0, { reset: spec.hardReset ? 'hard' : 'soft', maxSpikesPerStep: spec.burst });
}

/** x [1, 6, 6] → conv 1→C → Spike → (AvgPool 2) → Flatten → Dense → (Spike): a random SNN. */
function randomSnn(spec: NetSpec): Graph {
  const r = mulberry32(spec.seed);
  const C = spec.hidden;
  const features = spec.pooled ? C * 9 : C * 36;
  const conv = conv3x3(r, 'conv', 'x', 1, C, { scale: 1.5 });
  const weight = randomTensor([spec.classes, features], spec.weightScale, r);
  if (spec.saturated && conv.op === 'Conv2d') {
    conv.weight.data.fill(0);
    conv.bias!.data.fill(50);
    for (let c = 0; c < spec.classes; c++)
      for (let f = 0; f < features; f++) weight.data[c * features + f] = (c + 1) * Math.abs(weight.data[f]);
  }
  const nodes: Node[] = [
    conv,
    spike('s1', 'conv', C, spec, r),
    ...(spec.pooled ? [avgPool2x2('pool', 's1')] : []),
    { op: 'Flatten', name: 'flat', inputs: [spec.pooled ? 'pool' : 's1'], output: 'flat', axis: 1 },
    {
      op: 'Dense',
      name: 'fc',
      inputs: ['flat'],
      output: 'fc',
      weight,
      bias: randomTensor([spec.classes], 0.3, r),
    },
    ...(spec.spikingReadout ? [spike('out', 'fc', spec.classes, spec, r)] : []),
  ];
  return { input: { name: 'x', shape: [null, 1, 6, 6] }, output: spec.spikingReadout ? 'out' : 'fc', nodes };
}

const specs = fc.record({
  seed: fc.integer({ min: 1, max: 1e6 }),
  hidden: fc.integer({ min: 1, max: 12 }),
  classes: fc.integer({ min: 2, max: 6 }),
  perChannel: fc.boolean(),
  burst: fc.integer({ min: 1, max: 3 }),
  hardReset: fc.boolean(),
  spikingReadout: fc.boolean(),
  pooled: fc.boolean(),
  weightScale: fc.double({ min: 0.01, max: 3, noNaN: true }),
  saturated: fc.boolean(),
});

test('property: one step never changes a_j − a_k by more than B_jk (random nets)', async () => {
  await fc.assert(
    fc.asyncProperty(specs, async (spec) => {
      const snn = randomSnn(spec);
      const b = readoutBound(snn);
      assert.ok(!('reason' in b));
      let checked = 0;
      const probe: Probe = {
        onReadout(current, isStatic, chunk) {
          assert.ok(!isStatic);
          for (let row = 0; row < chunk.steps * chunk.batch; row++)
            for (let j = 0; j < b.classes; j++)
              for (let k = 0; k < b.classes; k++) {
                if (j === k) continue;
                const change = current[row * b.classes + j] - current[row * b.classes + k];
                assert.ok(change <= b.bound[j * b.classes + k], `step change ${change} > B_${j}${k} = ${b.bound[j * b.classes + k]}`);
                checked++;
              }
        },
      };
      await simulate(referenceBackend, snn, syntheticImages(6, [1, 6, 6], spec.seed), { T: 12, engine: 'dense', probes: [probe] });
      assert.ok(checked > 0);
    }),
    { numRuns: 60, seed: 13 },
  );
});

test('replaying an exit rule on a trace gives what simulating with it records, on both engines', async () => {
  const ann = ((): Graph => {
    const r = mulberry32(4);
    const nodes: Node[] = [
      conv3x3(r, 'c1', 'x', 1, 6, { scale: 0.8 }),
      { op: 'Clip', name: 'a1', inputs: ['c1'], output: 'a1', min: 0, max: 1 },
      { op: 'Flatten', name: 'flat', inputs: ['a1'], output: 'flat', axis: 1 },
      { op: 'Dense', name: 'fc', inputs: ['flat'], output: 'fc', weight: randomTensor([5, 216], 0.2, r), bias: null },
    ];
    return { input: { name: 'x', shape: [null, 1, 6, 6] }, output: 'fc', nodes };
  })();
  const data = await labelledByAnn(referenceBackend, ann, 30, [1, 6, 6]);
  const snn = convertToSnn(ann, await calibrate(referenceBackend, ann, data), defaultConversionOptions).graph;
  const T = 40;
  for (const engine of ['dense', 'event'] as const) {
    const full = await simulate(referenceBackend, snn, data, { T, engine, trace: true, batchSize: 8, threads: 1 });
    const trace = full.trace!;
    assert.deepEqual([...replayExit(trace, null).correctAt], [...full.correctAt]);
    for (const exit of [{ rule: 'certified' }, { rule: 'confidence', patience: 3, margin: 0.5 }, { rule: 'confidence' }] as const) {
      const run = await simulate(referenceBackend, snn, data, { T, engine, exit, batchSize: 8, threads: 1 });
      const replay = replayExit(trace, exitRule(snn, exit, T, 'f32'));
      assert.deepEqual([...replay.correctAt], [...run.correctAt], `${engine} ${exit.rule}: correct at every t`);
      assert.deepEqual([...replay.steps], [...run.exit.histogram], `${engine} ${exit.rule}: steps per image`);
      assert.deepEqual([...replay.spikes.subarray(1)], [...run.layers.map((l) => l.spikes)], `${engine} ${exit.rule}: spikes`);
    }
  }
});

test('per-channel θ through AvgPool → Flatten → Dense: the dense engine folds θ per pooled feature', async () => {
  // Found by the property above: the fold once took a pooled feature's channel from the unpooled H·W.
  const spec: NetSpec = {
    seed: 1,
    hidden: 4,
    classes: 6,
    perChannel: true,
    burst: 1,
    hardReset: false,
    spikingReadout: false,
    pooled: true,
    weightScale: 0.5,
    saturated: false,
  };
  const snn = randomSnn(spec);
  const spikes: number[][] = [];
  const readouts: number[][] = [];
  const probe: Probe = {
    onSpikes: (layer, s) => void (layer === 's1' && spikes.push([...s])),
    onReadout: (current) => void readouts.push([...current]),
  };
  await simulate(referenceBackend, snn, syntheticImages(5, [1, 6, 6], 3), {
    T: 4,
    engine: 'dense',
    probes: [probe],
    batchSize: 5,
    chunk: 1,
  });
  const s1 = snn.nodes.find((n) => n.name === 's1');
  const fc = snn.nodes.find((n) => n.name === 'fc');
  assert.ok(s1?.op === 'Spike' && fc?.op === 'Dense');
  const theta = s1.threshold.data;
  let checked = 0;
  spikes.forEach((step, t) =>
    step.forEach((_, unit) => {
      if (unit % 144 !== 0) return; // one row (image) of [4 channels × 6 × 6] at a time
      const image = unit / 144;
      for (let c = 0; c < spec.classes; c++) {
        let expected = fc.bias!.data[c];
        for (let f = 0; f < 36; f++) {
          const [ch, y, x] = [Math.floor(f / 9), Math.floor((f % 9) / 3), f % 3];
          let window = 0;
          for (const [dy, dx] of [
            [0, 0],
            [0, 1],
            [1, 0],
            [1, 1],
          ])
            window += step[unit + ch * 36 + (2 * y + dy) * 6 + 2 * x + dx];
          expected += fc.weight.data[c * 36 + f] * theta[ch] * (window / 4);
        }
        assert.ok(Math.abs(readouts[t][image * spec.classes + c] - expected) < 1e-4, `step ${t + 1}, image ${image}, class ${c}`);
        checked++;
      }
    }),
  );
  assert.equal(checked, 4 * 5 * 6);
});
