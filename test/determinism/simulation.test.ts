/**
 * Determinism of simulation: with the Poisson encoder, image i draws from its own stream, seeded by
 * (seed, i), so the same seed gives bit-identical results — accuracy at every t, every unit's spike
 * count, the input events — whatever the batch size, the batches in flight, the dense engine's chunk,
 * ONNX Runtime's threads or the event engine's workers, and on both engines (exact on this net; the
 * tolerance for deep nets is in docs/design.md, "Determinism").
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { calibrate } from '../../src/ann/calibrate.js';
import { createOrtBackend } from '../../src/backend/ort/ort-backend.js';
import { referenceBackend } from '../../src/backend/reference/reference-backend.js';
import { convertToSnn, defaultConversionOptions } from '../../src/convert/index.js';
import { directEncoder, poissonEncoder, type Encoder } from '../../src/simulate/encoders.js';
import { simulate, type SimulateOptions, type SimulationResult } from '../../src/simulate/index.js';
import { tensor } from '../../src/tensor/tensor.js';
import { smallCnn } from '../helpers/nets.js';
import { syntheticImages } from '../helpers/synthetic-data.js';

const ann = smallCnn(3, 'relu');
const data = syntheticImages(30, [1, 8, 8], 5);
const T = 12;
/** One backend per thread count, shared (starting ONNX Runtime's worker thread costs a second on a loaded machine). */
const ort = [1, 2, 3].map((threads) => createOrtBackend({ threads }));

/** Everything a simulation reports that must not change, as one string. */
function fingerprint(r: SimulationResult): string {
  return [
    r.images,
    [...r.accuracyAt].join(','),
    r.inputEvents,
    ...r.layers.map((l) => `${l.node}:${l.spikes}:${[...(l.unitCounts ?? [])].join(',')}`),
  ].join('|');
}

test('the poisson encoder: an image’s spikes depend on (seed, image index) only, not on its batch', () => {
  const images = 5;
  const x = tensor(
    [images, 1, 2, 3],
    Float32Array.from({ length: images * 6 }, (_, i) => ((i * 37) % 11) / 10),
  );
  const encoder = poissonEncoder(9);
  const batch = encoder.start(x, 10).next(4); // [4 steps × 5 images × 6]
  for (let b = 0; b < images; b++) {
    const alone = encoder.start(tensor([1, 1, 2, 3], x.data.slice(b * 6, (b + 1) * 6)), 10 + b).next(4);
    for (let t = 0; t < 4; t++)
      assert.deepEqual(alone.subarray(t * 6, (t + 1) * 6), batch.subarray((t * images + b) * 6, (t * images + b + 1) * 6));
  }
  // Drawn in chunks or all at once: the same stream.
  const stream = encoder.start(x, 10);
  const chunks = [...stream.next(1), ...stream.next(3)];
  assert.deepEqual(chunks, [...batch]);
  assert.notDeepEqual([...poissonEncoder(10).start(x, 10).next(4)], [...batch], 'another seed, other spikes');
});

for (const [name, encoder] of [
  ['poisson', poissonEncoder(4)],
  ['direct', directEncoder],
] as const satisfies readonly (readonly [string, Encoder])[]) {
  test(`${name} input: bit-identical across runs, batch sizes, chunks, lanes, ORT threads, event workers and engines`, async () => {
    const stats = await calibrate(referenceBackend, ann, data);
    const snn = convertToSnn(ann, stats, { ...defaultConversionOptions, strategy: 'max-norm' });
    const base: SimulateOptions = { T, encoder, unitCounts: true };
    const expected = fingerprint(await simulate(ort[0], snn.graph, data, { ...base, engine: 'dense', batchSize: 30 }));
    const variants: [string, () => Promise<SimulationResult>][] = [
      ['dense again', () => simulate(ort[0], snn.graph, data, { ...base, engine: 'dense', batchSize: 30 })],
      [
        'dense, ORT 2 threads, batch 7, chunk 5, one lane',
        () => simulate(ort[1], snn.graph, data, { ...base, engine: 'dense', batchSize: 7, chunk: 5, inFlight: 1 }),
      ],
      [
        'dense, ORT 3 threads, batch 4, chunk 1',
        () => simulate(ort[2], snn.graph, data, { ...base, engine: 'dense', batchSize: 4, chunk: 1 }),
      ],
      [
        'dense, reference backend, batch 11',
        () => simulate(referenceBackend, snn.graph, data, { ...base, engine: 'dense', batchSize: 11 }),
      ],
      ['event, 1 worker, batch 30', () => simulate(ort[0], snn.graph, data, { ...base, engine: 'event', threads: 1, batchSize: 30 })],
    ];
    // Workers take seconds to start on a loaded machine: one multi-worker run, where the random stream is.
    if (name === 'poisson') {
      variants.push([
        'event, 3 workers, batch 7, one lane',
        () => simulate(ort[2], snn.graph, data, { ...base, engine: 'event', threads: 3, batchSize: 7, inFlight: 1 }),
      ]);
    }
    for (const [label, run] of variants) assert.equal(fingerprint(await run()), expected, label);
  });
}

test('poisson input: the first n images give the same spikes whether or not more images follow', async () => {
  const stats = await calibrate(referenceBackend, ann, data);
  const snn = convertToSnn(ann, stats, { ...defaultConversionOptions, strategy: 'max-norm' });
  const first = syntheticImages(30, [1, 8, 8], 5);
  const options: SimulateOptions = { T, encoder: poissonEncoder(4), unitCounts: true, engine: 'event', threads: 1 };
  const a = await simulate(referenceBackend, snn.graph, first, { ...options, limit: 10, batchSize: 10 });
  const b = await simulate(referenceBackend, snn.graph, first, { ...options, limit: 10, batchSize: 3 });
  assert.equal(fingerprint(a), fingerprint(b));
  const c = await simulate(referenceBackend, snn.graph, first, { ...options, encoder: poissonEncoder(5), limit: 10, batchSize: 10 });
  assert.notEqual(fingerprint(c), fingerprint(a), 'another seed gives other spikes');
});
