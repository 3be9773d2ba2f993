/**
 * Li et al.'s corrections on a hand-checked net: a 1×1 identity conv feeding IF neurons with θ = 1,
 * T = 4, two images of 2 channels × 2 positions, activations a in sixteenths. With no shift a neuron
 * fires ⌊4a⌋ times and e = ⌊4a⌋/4 − a per image; everything is exact in f32.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { referenceBackend } from '../../src/backend/reference/reference-backend.js';
import { calibrateSnn, SnnCalibrationError } from '../../src/calibrate/index.js';
import { convertToSnn, defaultConversionOptions } from '../../src/convert/index.js';
import type { Dataset } from '../../src/data/dataset.js';
import type { Graph, Node } from '../../src/ir/graph.js';
import type { ConversionOptions, SnnModel } from '../../src/model/snn-model.js';
import { simulate } from '../../src/simulate/index.js';
import { tensor } from '../../src/tensor/tensor.js';

const T = 4;

function conv1x1(name: string, input: string, weight: number[]): Node {
  return {
    op: 'Conv2d',
    name,
    inputs: [input],
    output: name,
    weight: tensor([2, 2, 1, 1], Float32Array.from(weight)),
    bias: tensor([2], new Float32Array(2)),
    strides: [1, 1],
    pads: [0, 0, 0, 0],
    dilations: [1, 1],
    groups: 1,
  };
}

/** x → conv1 (identity) → act1 clip(0, 1) → conv2 → act2 clip(0, 1) → flatten → fc. */
function net(): Graph {
  const clip = (name: string, input: string): Node => ({ op: 'Clip', name, inputs: [input], output: name, min: 0, max: 1 });
  return {
    input: { name: 'x', shape: [null, 2, 1, 2] },
    output: 'fc',
    nodes: [
      conv1x1('conv1', 'x', [1, 0, 0, 1]),
      clip('act1', 'conv1'),
      conv1x1('conv2', 'act1', [0.5, 0.25, 0.25, 0.5]),
      clip('act2', 'conv2'),
      { op: 'Flatten', name: 'flatten', inputs: ['act2'], output: 'flatten', axis: 1 },
      {
        op: 'Dense',
        name: 'fc',
        inputs: ['flatten'],
        output: 'fc',
        weight: tensor([2, 4], Float32Array.of(1, 0, 0, 1, 0, 1, 1, 0)),
        bias: tensor([2], new Float32Array(2)),
      },
    ],
  };
}

/** Two images of [2, 1, 2] activations, given in sixteenths. */
function twoImages(first: number[], second: number[]): Dataset {
  const x = Float32Array.from([...first, ...second], (v) => v / 16);
  return {
    name: 'hand-checked',
    size: 2,
    sampleShape: [2, 1, 2],
    numClasses: 2,
    batches: () => [{ x: tensor([2, 2, 1, 2], x), labels: Int32Array.of(0, 1), start: 0 }],
  };
}

// e (in sixteenths) = (−1, −3 | −3, −1) and (−3, −1 | −1, −3): every channel mean and unit mean is −1/8.
const spread = twoImages([5, 11, 11, 1], [7, 13, 9, 3]);
// Units 1 and 2 see the same activation in both images: e = (−1, −3 | −1, −1) and (−3, −3 | −1, −3).
const repeated = twoImages([5, 11, 9, 1], [7, 11, 9, 3]);

/** θ = the Clip ceiling 1 (no statistics). */
function converted(options: Partial<ConversionOptions>): SnnModel {
  return convertToSnn(net(), null, { ...defaultConversionOptions, shift: 'none', ...options });
}

function nodeOf(model: SnnModel, name: string): Node {
  return model.graph.nodes.find((n) => n.name === name)!;
}

test('light: b_c −= ē_c, which zeroes the per-channel mean error of the layer here', async () => {
  const snn = converted({});
  const calibrated = await calibrateSnn(referenceBackend, snn, spread, { T, mode: 'light' });
  const conv1 = nodeOf(calibrated, 'conv1');
  assert.ok(conv1.op === 'Conv2d');
  assert.deepEqual([...conv1.bias!.data], [1 / 8, 1 / 8]);
  // After (a + 2/16): e = (−1, +1 | +1, −1) and (+1, −1 | −1, +1) sixteenths: channel and unit means 0.
  const record = calibrated.conversion.calibration!;
  assert.equal(record.mode, 'light');
  assert.equal(record.T, T);
  assert.equal(record.images, 2);
  assert.deepEqual(
    record.layers.map((l) => l.node),
    ['act1', 'act2'],
  );
  assert.deepEqual(record.layers[0].channelError, { before: 1 / 8, after: 0 });
  assert.deepEqual(record.layers[0].unitError, { before: 1 / 8, after: 0 });
  assert.equal(record.layers[0].kept, true);
  assert.deepEqual(record.layers[0].theta, [1]);
  // The original is untouched.
  assert.deepEqual([...(nodeOf(snn, 'conv1') as { bias: { data: Float32Array } }).bias.data], [0, 0]);
});

test('advanced: v_i(0) −= T·e_i, one value per neuron in the sample shape', async () => {
  // Unit means of e: (−2, −3 | −1, −2) sixteenths → v(0) = (1/2, 3/4 | 1/4, 1/2). After: units 0 and 3
  // reach 0 (their two images fall on both sides of the step), unit 1 overshoots to +1, unit 2 stays
  // at −1: mean |e_i| 1/8 → 1/32.
  const calibrated = await calibrateSnn(referenceBackend, converted({}), repeated, { T, mode: 'advanced' });
  const act1 = nodeOf(calibrated, 'act1');
  assert.ok(act1.op === 'Spike');
  assert.deepEqual(act1.initialPotential.shape, [2, 1, 2]);
  assert.deepEqual([...act1.initialPotential.data], [1 / 2, 3 / 4, 1 / 4, 1 / 2]);
  const record = calibrated.conversion.calibration!.layers[0];
  assert.deepEqual(record.unitError, { before: 1 / 8, after: 1 / 32 });
  assert.equal(record.kept, true);
  // Biases stay as they were.
  assert.deepEqual([...(nodeOf(calibrated, 'conv1') as { bias: { data: Float32Array } }).bias.data], [0, 0]);
  // The calibrated SNN runs alike on both engines.
  const dense = await simulate(referenceBackend, calibrated.graph, repeated, { T, engine: 'dense' });
  const event = await simulate(referenceBackend, calibrated.graph, repeated, { T, engine: 'event', threads: 1 });
  assert.deepEqual(
    dense.layers.map((l) => l.spikes),
    event.layers.map((l) => l.spikes),
  );
});

test('a correction that does not reduce the error it aims at is undone', async () => {
  // From v(0) = 1/2 (rounding) e = (−1, +1 | −1, −1) and (+1, +1 | −1, +1) sixteenths, unit means
  // (0, 1 | −1, 0), mean |e_i| = 1/32. The proposed v(0) = (1/2, 1/4 | 3/4, 1/2) leaves unit 1's
  // count as it was and pushes unit 2 to +3/16: worse, so it is undone and v(0) stays θ/2.
  const snn = converted({ shift: 'v0' });
  const calibrated = await calibrateSnn(referenceBackend, snn, repeated, { T, mode: 'advanced' });
  const act1 = nodeOf(calibrated, 'act1');
  assert.ok(act1.op === 'Spike');
  assert.deepEqual([...act1.initialPotential.data], [1 / 2]);
  const record = calibrated.conversion.calibration!.layers[0];
  assert.equal(record.kept, false);
  assert.deepEqual(record.unitError, { before: 1 / 32, after: 1 / 32 });
});

test('light calibration refuses a layer without a Conv/Dense bias, naming it; bad T and mode are refused', async () => {
  const snn = converted({});
  const noBias: SnnModel = {
    ...snn,
    graph: {
      ...snn.graph,
      nodes: snn.graph.nodes.flatMap((n): Node[] =>
        n.name === 'act2' && n.op === 'Spike'
          ? [
              {
                op: 'AvgPool',
                name: 'pool',
                inputs: ['conv2'],
                output: 'pool',
                kernel: [1, 1],
                strides: [1, 1],
                pads: [0, 0, 0, 0],
                countIncludePad: false,
                ceilMode: false,
              },
              { ...n, inputs: ['pool'] },
            ]
          : [n],
      ),
    },
  };
  await assert.rejects(
    calibrateSnn(referenceBackend, noBias, spread, { T, mode: 'light' }),
    (e: Error) => e instanceof SnnCalibrationError && /node 'act2': light calibration needs a Conv\/Dense bias/.test(e.message),
  );
  await assert.rejects(calibrateSnn(referenceBackend, snn, spread, { T: 0, mode: 'light' }), /positive integer/);
});
