import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultConversionOptions } from '../../../src/convert/index.js';
import { nirWarnings, vInit } from '../../../src/export/nir/notes.js';
import type { CalibrationRecord } from '../../../src/model/snn-model.js';

const record = (mode: CalibrationRecord['mode'], kept: boolean): CalibrationRecord => ({
  T: 8,
  mode,
  images: 10,
  layers: [{ node: 'act1', theta: [1], kept, channelError: { before: 0.1, after: 0 }, unitError: { before: 0.1, after: 0 } }],
});

test('NIR notes: a per-neuron v(0) kept by advanced calibration is named as lost; light calibration lives in the biases', () => {
  const none = { ...defaultConversionOptions, shift: 'none' as const };
  assert.deepEqual(nirWarnings(none, record('light', true)), []);
  assert.deepEqual(nirWarnings(none, record('advanced', false)), []);
  assert.match(nirWarnings(none, record('advanced', true)).join('\n'), /per-neuron v\(0\) of advanced calibration is not expressible/);
  assert.equal(nirWarnings(defaultConversionOptions, record('advanced', true)).length, 2);
  assert.match(vInit(none, record('advanced', true)), /^0 plus a per-neuron calibration/);
  assert.equal(vInit(none), '0');
  assert.match(vInit(defaultConversionOptions), /^theta\/2 \(not expressible/);
});
