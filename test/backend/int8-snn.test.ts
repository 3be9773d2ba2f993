import { test } from 'node:test';
import assert from 'node:assert/strict';
import { calibrate } from '../../src/ann/calibrate.js';
import { evaluateAnn } from '../../src/ann/evaluate.js';
import type { Backend } from '../../src/backend/backend.js';
import { createOrtBackend, type OrtCompiledGraph } from '../../src/backend/ort/ort-backend.js';
import { convertToSnn, defaultConversionOptions } from '../../src/convert/index.js';
import { simulate } from '../../src/simulate/index.js';
import { smallCnn } from '../helpers/nets.js';
import { syntheticImages } from '../helpers/synthetic-data.js';

const f32 = createOrtBackend({ threads: 1 });

/** The ORT backend, recording the precision every compiled graph runs at. */
function recording(): { backend: Backend; compiled: string[] } {
  const inner = createOrtBackend({ threads: 1 });
  const compiled: string[] = [];
  return {
    compiled,
    backend: {
      name: inner.name,
      async compile(graph, options) {
        const c = (await inner.compile(graph, options)) as OrtCompiledGraph;
        compiled.push(options?.spikeCountInput ? c.precision : 'not spike counts');
        return c;
      },
    },
  };
}

test('a small SNN simulated with int8 and int8x2 weights keeps the f32 accuracy', async () => {
  const ann = smallCnn(21);
  const unlabelled = syntheticImages(120, [1, 8, 8]);
  const { predictions } = await evaluateAnn(f32, ann, unlabelled);
  const data = syntheticImages(120, [1, 8, 8], 5, 10, Uint8Array.from(predictions));
  const stats = await calibrate(f32, ann, data);
  const snn = convertToSnn(ann, stats, defaultConversionOptions).graph;
  const reference = await simulate(f32, snn, data, { T: 48 });
  assert.ok(reference.accuracyAt[47] >= 0.85, `f32 accuracy ${reference.accuracyAt[47]}`);
  for (const [precision, tolerance] of [
    ['int8', 0.05],
    ['int8x2', 0.02],
  ] as const) {
    const { backend, compiled } = recording();
    const result = await simulate(backend, snn, data, { T: 48, engine: 'dense', precision });
    // smallCnn: conv1 is static (direct encoding); the conv2 and fc segments take spikes
    assert.deepEqual(
      compiled.filter((p) => p !== 'not spike counts'),
      [precision, precision],
    );
    const delta = Math.abs(result.accuracyAt[47] - reference.accuracyAt[47]);
    assert.ok(delta <= tolerance, `${precision}: accuracy ${result.accuracyAt[47]} vs f32 ${reference.accuracyAt[47]}`);
    const spikesF32 = reference.layers.map((l) => l.spikes);
    result.layers.forEach((l, i) =>
      assert.ok(
        Math.abs(l.spikes - spikesF32[i]) <= 0.05 * spikesF32[i] + 5,
        `${precision} ${l.node}: ${l.spikes} spikes vs ${spikesF32[i]}`,
      ),
    );
  }
});

test('signed neurons (spike counts −1/0/1) run their spike-fed layers in f32 under int8: u8 holds no −1', async () => {
  const ann = smallCnn(21);
  const unlabelled = syntheticImages(30, [1, 8, 8]);
  const { predictions } = await evaluateAnn(f32, ann, unlabelled);
  const data = syntheticImages(30, [1, 8, 8], 5, 10, Uint8Array.from(predictions));
  const stats = await calibrate(f32, ann, data);
  const snn = convertToSnn(ann, stats, { ...defaultConversionOptions, neuron: 'signed' }).graph;
  const reference = await simulate(f32, snn, data, { T: 16, engine: 'dense', unitCounts: true });
  const { backend, compiled } = recording();
  const result = await simulate(backend, snn, data, { T: 16, engine: 'dense', precision: 'int8', unitCounts: true });
  assert.deepEqual(
    compiled.filter((p) => p !== 'not spike counts'),
    ['f32', 'f32'],
  );
  assert.deepEqual([...result.correctAt], [...reference.correctAt]);
  assert.deepEqual(
    result.layers.map((l) => [l.spikes, [...l.unitCounts!]]),
    reference.layers.map((l) => [l.spikes, [...l.unitCounts!]]),
  );
});
