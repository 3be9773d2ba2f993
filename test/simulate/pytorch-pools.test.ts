/**
 * PyTorch exports with the average pools and zero pads PyTorch writes (models/pytorch/pools/, made by
 * scripts/pytorch/export_pool_models.py): floor mode on odd maps, padding with count_include_pad
 * true and false, ceil mode, overlapping windows, ZeroPad2d before a conv and before a pool, a
 * GlobalAveragePool of a pooled map. Each, imported as exported (its Pad nodes kept) and converted,
 * runs on the event engine when `auto` chooses (no fallback) and gives the dense engine's and the
 * oracle's spikes exactly at several T; in int8 it stays on the event engine, close to f32.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { calibrate } from '../../src/ann/calibrate.js';
import { createOrtBackend } from '../../src/backend/ort/ort-backend.js';
import { referenceBackend } from '../../src/backend/reference/reference-backend.js';
import { convertToSnn, defaultConversionOptions } from '../../src/convert/index.js';
import { sampleShapes } from '../../src/ir/shapes.js';
import { importOnnx } from '../../src/onnx/import.js';
import { lowerToEvents } from '../../src/simulate/event/event-net.js';
import { findStaticValues, simulate, simulateOracle, type SimulationResult } from '../../src/simulate/index.js';
import { labelledByAnn } from '../helpers/labelled.js';
import { assertMatchesOracle, exact } from './engine-suite.js';

const ort = createOrtBackend({ threads: 1 });
const SHAPE = [1, 11, 11] as const;

/** The case, the IR ops its pools and pads import as, and whether its lists are gathered (else sum-pooled or padding). */
const CASES = [
  { name: 'floor-avgpool', ops: ['AvgPool', 'AvgPool'], gathered: false },
  { name: 'padded-avgpool', ops: ['AvgPool', 'AvgPool'], gathered: true },
  { name: 'ceil-avgpool', ops: ['AvgPool', 'AvgPool'], gathered: true },
  { name: 'zero-pads', ops: ['Pad', 'Pad', 'AvgPool'], gathered: true },
  { name: 'overlap-gap', ops: ['AvgPool', 'AvgPool', 'GlobalAvgPool'], gathered: true },
] as const;

async function converted(name: string) {
  const ann = importOnnx(readFileSync(new URL(`../../models/pytorch/pools/${name}.onnx`, import.meta.url)), name);
  const data = await labelledByAnn(referenceBackend, ann, 24, SHAPE);
  const stats = await calibrate(referenceBackend, ann, data);
  return { ann, snn: convertToSnn(ann, stats, defaultConversionOptions).graph, data };
}

function assertSameSpikes(a: SimulationResult, b: SimulationResult): void {
  assert.deepEqual([...a.correctAt], [...b.correctAt]);
  assert.deepEqual(
    a.layers.map((l) => [l.node, [...l.unitCounts!]]),
    b.layers.map((l) => [l.node, [...l.unitCounts!]]),
  );
}

for (const c of CASES) {
  test(`PyTorch ${c.name}: the event engine runs it, spike for spike the dense engine and the oracle at T = 5, 12, 24`, async () => {
    const { ann, snn, data } = await converted(c.name);
    assert.deepEqual(
      ann.nodes.filter((n) => ['Pad', 'AvgPool', 'GlobalAvgPool'].includes(n.op)).map((n) => n.op),
      c.ops,
      'imported as exported',
    );
    const lowering = lowerToEvents(snn, sampleShapes(snn), findStaticValues(snn, true));
    assert.ok('net' in lowering, 'reason' in lowering ? lowering.reason : '');
    const maps = [...lowering.net.inputs.flat(), ...lowering.net.readout];
    assert.equal(
      maps.some((s) => s.gather !== null),
      c.gathered,
    );
    for (const T of [5, 12, 24]) {
      const event = await simulate(ort, snn, data, { T, unitCounts: true, threads: 1 });
      assert.equal(event.engine, 'event', event.engineNote ?? '');
      assert.equal(event.engineNote, null);
      const dense = await simulate(ort, snn, data, { T, unitCounts: true, engine: 'dense' });
      assertSameSpikes(event, dense);
      const oracle = simulateOracle(snn, data, { T });
      assert.ok(
        oracle.layers.every((l) => l.spikes > 0),
        'every layer spikes',
      );
      assertMatchesOracle(event, oracle, exact);
    }
  });
}

test('PyTorch pools in int8: on the event engine (exact integer sums), within one image and 3% of the spikes of f32', async () => {
  for (const c of CASES) {
    const { snn, data } = await converted(c.name);
    const f32 = await simulate(ort, snn, data, { T: 24, threads: 1 });
    const int8 = await simulate(ort, snn, data, { T: 24, threads: 1, precision: 'int8' });
    assert.equal(int8.engine, 'event', `${c.name}: ${int8.engineNote}`);
    assert.ok(Math.abs(int8.correctAt[23] - f32.correctAt[23]) <= 1, `${c.name}: int8 ${int8.correctAt[23]}, f32 ${f32.correctAt[23]}`);
    int8.layers.forEach((l, i) => {
      const ratio = l.spikes / f32.layers[i].spikes;
      assert.ok(Math.abs(ratio - 1) < 0.03, `${c.name} ${l.node}: int8/f32 spikes ${ratio}`);
    });
  }
});
