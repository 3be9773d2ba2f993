/**
 * Determinism of calibration and conversion: the same inputs give bit-identical activation
 * statistics, thresholds and .snn bytes across runs, ONNX Runtime intra-op thread counts (1, 2, 3)
 * and batch sizes; the reference backend sums in another order and agrees to RELATIVE_TOLERANCE
 * (docs/design.md, "Determinism"). Covers max-norm, percentile, per-channel θ and the calibrated
 * strategy (θ search + corrections).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { calibrate, type ActivationStats } from '../../src/ann/calibrate.js';
import { loadAnn } from '../../src/node/ann-file.js';
import type { Backend } from '../../src/backend/backend.js';
import { createOrtBackend } from '../../src/backend/ort/ort-backend.js';
import { referenceBackend } from '../../src/backend/reference/reference-backend.js';
import { calibrateSnn } from '../../src/calibrate/index.js';
import { convertToSnn, defaultConversionOptions } from '../../src/convert/index.js';
import { bundledMnist } from '../../src/data/mnist-bundled.js';
import type { Graph } from '../../src/ir/graph.js';
import { encodeSnn } from '../../src/model/snn-codec.js';
import type { ConversionOptions } from '../../src/model/snn-model.js';
import { smallCnn } from '../helpers/nets.js';
import { syntheticImages } from '../helpers/synthetic-data.js';
import { RELATIVE_TOLERANCE } from '../backend/conformance.js';

const ann = smallCnn(3, 'relu');
/** One backend per thread count, shared (starting ONNX Runtime's worker thread costs a second on a loaded machine). */
const ort = [1, 2, 3].map((threads) => createOrtBackend({ threads }));
const data = syntheticImages(40, [1, 8, 8], 5);
const conversions: readonly ConversionOptions[] = [
  { ...defaultConversionOptions, strategy: 'max-norm' },
  { ...defaultConversionOptions, strategy: 'percentile', percentile: 99.5, shift: 'bias' },
  { ...defaultConversionOptions, strategy: 'max-norm', thresholdScope: 'channel', reset: 'hard' },
  { ...defaultConversionOptions, strategy: 'deng-gu' },
];

/** Everything the statistics hold, as bytes: maxima, channel maxima, histogram bins and ranges, counts. */
function statsBytes(stats: ActivationStats): string {
  const parts: string[] = [String(stats.images)];
  for (const [name, l] of stats.layers) {
    const h = l.histogram;
    parts.push(name, String(l.max), String(l.count), String(h.range), String(h.count), [...l.channelMax].join(','), [...h.bins].join(','));
  }
  return parts.join('|');
}

/** Calibration, four conversions and the calibrated strategy's corrections, as bytes. */
async function pipeline(backend: Backend, graph: Graph, batchSize: number): Promise<{ stats: string; snn: string[] }> {
  const stats = await calibrate(backend, graph, data, { batchSize });
  const snn = conversions.map((o) => Buffer.from(encodeSnn(convertToSnn(graph, stats, o), { source: 'x' })).toString('base64'));
  const calibrated = convertToSnn(graph, stats, { ...defaultConversionOptions, strategy: 'calibrated', targetT: 8 });
  for (const mode of ['light', 'advanced'] as const) {
    const corrected = await calibrateSnn(backend, calibrated, data, { T: 8, mode, limit: 24, batchSize });
    snn.push(Buffer.from(encodeSnn(corrected)).toString('base64'));
  }
  return { stats: statsBytes(stats), snn };
}

test('calibration, conversion and the calibrated strategy: bit-identical across runs, ORT threads 1/2/3 and batch sizes', async () => {
  const expected = await pipeline(ort[0], ann, 40);
  for (const [threads, batch] of [
    [1, 40],
    [2, 7],
    [3, 16],
  ] as const) {
    const got = await pipeline(ort[threads - 1], ann, batch);
    assert.equal(got.stats, expected.stats, `statistics at ${threads} threads, batch ${batch}`);
    got.snn.forEach((bytes, i) => assert.equal(bytes, expected.snn[i], `.snn ${i} at ${threads} threads, batch ${batch}`));
  }
});

test('the reference backend: bit-identical across batch sizes, and within RELATIVE_TOLERANCE of ONNX Runtime', async () => {
  const a = await calibrate(referenceBackend, ann, data, { batchSize: 40 });
  const b = await calibrate(referenceBackend, ann, data, { batchSize: 7 });
  assert.equal(statsBytes(a), statsBytes(b));
  const viaOrt = await calibrate(ort[1], ann, data, { batchSize: 40 });
  for (const [name, l] of viaOrt.layers) {
    const r = a.layers.get(name)!;
    const close = (x: number, y: number) => Math.abs(x - y) <= RELATIVE_TOLERANCE * Math.max(1, Math.abs(y));
    assert.ok(close(r.max, l.max), `${name}: max ${r.max} vs ${l.max}`);
    l.channelMax.forEach((m, c) => assert.ok(close(r.channelMax[c], m), `${name}[${c}]: ${r.channelMax[c]} vs ${m}`));
  }
});

test('a real model (the demo): the statistics and the .snn bytes do not depend on ORT threads or batch size', async () => {
  const demo = await loadAnn('models/demo-mnist.onnx');
  const mnist = bundledMnist('train');
  const run = async (threads: number, batchSize: number) => {
    const stats = await calibrate(ort[threads - 1], demo, mnist, { batchSize, limit: 120 });
    const options = { ...defaultConversionOptions, strategy: 'max-norm', thresholdScope: 'channel' } as const;
    return statsBytes(stats) + Buffer.from(encodeSnn(convertToSnn(demo, stats, options))).toString('base64');
  };
  const expected = await run(1, 120);
  assert.equal(await run(3, 13), expected);
});
