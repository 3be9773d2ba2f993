/**
 * Certified early exit changes no prediction: on every conformance case (engine-cases.ts) and on
 * converted nets of many seeds and settings (soft and hard reset, per-channel θ, bursts, spiking and
 * accumulating readout, Poisson input), both engines give the same correct images at every t with
 * `exit: certified` as without, while simulating fewer steps. The confidence rule exits no later.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { calibrate } from '../../src/ann/calibrate.js';
import { referenceBackend } from '../../src/backend/reference/reference-backend.js';
import { convertToSnn, defaultConversionOptions } from '../../src/convert/index.js';
import type { ConversionOptions } from '../../src/model/snn-model.js';
import type { Graph } from '../../src/ir/graph.js';
import type { Dataset } from '../../src/data/dataset.js';
import { EarlyExitError, poissonEncoder, simulate, type Encoder, type SimulateOptions } from '../../src/simulate/index.js';
import { labelledByAnn } from '../helpers/labelled.js';
import { eventNet, maxPoolCnn, smallCnn, smallResidual } from '../helpers/nets.js';
import { engineCases } from './engine-cases.js';

const engines = ['dense', 'event'] as const;
const saved = { steps: 0, of: 0 };

async function sameAtEveryT(snn: Graph, data: Dataset, options: SimulateOptions, engine: 'dense' | 'event'): Promise<void> {
  const base = { ...options, engine, threads: 1 };
  const full = await simulate(referenceBackend, snn, data, base);
  const certified = await simulate(referenceBackend, snn, data, { ...base, exit: { rule: 'certified' } });
  assert.deepEqual([...certified.correctAt], [...full.correctAt], `${engine}: correct images at every t`);
  assert.equal(full.exit.reduction, 0);
  assert.ok(certified.exit.steps <= full.exit.steps);
  const confidence = await simulate(referenceBackend, snn, data, { ...base, exit: { rule: 'confidence', patience: 2, margin: 0 } });
  assert.ok(confidence.exit.steps <= certified.exit.steps, 'the confidence rule exits no later than the certified one');
  saved.steps += full.exit.steps - certified.exit.steps;
  saved.of += full.exit.steps;
}

for (const c of engineCases) {
  test(`certified exit: bit-identical accuracy at every t: ${c.name}`, async (t) => {
    const { snn, data } = await c.build();
    const options = { T: c.T, encoder: c.encoder, batchSize: c.batchSize, chunk: c.chunk };
    const runs = engines.filter((e) => c.engines.includes(e));
    const bound = simulate(referenceBackend, snn, data, { ...options, engine: runs[0], exit: { rule: 'certified' } });
    await bound.catch((e: unknown) => {
      if (e instanceof EarlyExitError) t.skip(e.message);
      else throw e;
    });
    for (const engine of runs) await sameAtEveryT(snn, data, options, engine);
  });
}

async function convertedSnn(ann: Graph, options: Partial<ConversionOptions>, images: number): Promise<{ snn: Graph; data: Dataset }> {
  const shape = ann.input.shape.slice(1).map(Number) as [number, number, number];
  const data = await labelledByAnn(referenceBackend, ann, images, shape);
  const stats = await calibrate(referenceBackend, ann, data);
  return { snn: convertToSnn(ann, stats, { ...defaultConversionOptions, ...options }).graph, data };
}

const settings: readonly { readonly name: string; readonly options: Partial<ConversionOptions>; readonly encoder?: Encoder }[] = [
  { name: 'soft reset, v0', options: {} },
  { name: 'hard reset, bias shift', options: { reset: 'hard', shift: 'bias', tShift: 16 } },
  { name: 'per-channel θ, max-norm', options: { strategy: 'max-norm', thresholdScope: 'channel', shift: 'none' } },
  { name: 'burst γ = 3', options: { strategy: 'max-norm', maxSpikesPerStep: 3 } },
  { name: 'spiking readout', options: { readout: 'spikes' } },
  { name: 'spiking readout, burst γ = 2, per-channel θ', options: { readout: 'spikes', maxSpikesPerStep: 2, thresholdScope: 'channel' } },
  { name: 'Poisson input', options: {}, encoder: poissonEncoder(3) },
];
const nets: readonly { readonly name: string; readonly build: (seed: number) => Graph }[] = [
  { name: 'cnn', build: (seed) => smallCnn(seed) },
  { name: 'event net', build: (seed) => eventNet(seed) },
  { name: 'residual', build: (seed) => smallResidual(seed) },
  { name: 'max pool', build: (seed) => maxPoolCnn(seed) },
];

for (const net of nets) {
  for (const s of settings) {
    test(`certified exit: bit-identical at every t on 3 seeds, both engines: ${net.name}, ${s.name}`, async () => {
      for (const seed of [31, 32, 33]) {
        const { snn, data } = await convertedSnn(net.build(seed), s.options, 20);
        for (const engine of engines) await sameAtEveryT(snn, data, { T: 48, encoder: s.encoder, batchSize: 7 }, engine);
      }
    });
  }
}

test('certified exit saves steps on these nets (else the tests above test little)', () => {
  console.log(`certified exit saved ${saved.steps} of ${saved.of} steps`);
  assert.ok(saved.of > 0);
  assert.ok(saved.steps / saved.of > 0.05, `saved ${saved.steps} of ${saved.of} steps`);
});

test('certified exit is refused with int8 sums and with probes; bad settings are refused', async () => {
  const { snn, data } = await convertedSnn(smallCnn(3), {}, 4);
  const run = (options: Partial<SimulateOptions>) => simulate(referenceBackend, snn, data, { T: 4, ...options });
  await assert.rejects(run({ precision: 'int8', exit: { rule: 'certified' } }), /certified exit needs f32/);
  await assert.rejects(run({ exit: { rule: 'certified' }, probes: [{}] }), EarlyExitError);
  await assert.rejects(run({ exit: { rule: 'confidence', patience: 0 } }), /patience must be a positive integer/);
  await assert.rejects(run({ exit: { rule: 'confidence', margin: -1 } }), /margin must be a finite number/);
});
