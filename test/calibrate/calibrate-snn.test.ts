/**
 * Li et al.'s corrections on a hand-checked net: a 1×1 identity conv feeding IF neurons with θ = 1,
 * T = 4, one image of 2 channels × 2 positions whose activations are a = (5/16, 11/16 | 11/16, 1/16).
 * With no shift a neuron fires ⌊4a⌋ times: rates (1/4, 1/2 | 1/2, 0), errors e = rate − a =
 * (−1/16, −3/16 | −3/16, −1/16), channel means ē = (−1/8, −1/8). All of it is exact in f32.
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

const a = [5 / 16, 11 / 16, 11 / 16, 1 / 16];
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

const oneImage: Dataset = {
  name: 'hand-checked',
  size: 1,
  sampleShape: [2, 1, 2],
  numClasses: 2,
  batches: () => [{ x: tensor([1, 2, 1, 2], Float32Array.from(a)), labels: Int32Array.of(0), start: 0 }],
};

/** θ = the Clip ceiling 1 (no statistics). */
function converted(options: Partial<ConversionOptions>): SnnModel {
  return convertToSnn(net(), null, { ...defaultConversionOptions, shift: 'none', ...options });
}

function nodeOf(model: SnnModel, name: string): Node {
  return model.graph.nodes.find((n) => n.name === name)!;
}

test('light: b_c −= ē_c, which zeroes the per-channel mean error of the layer here', async () => {
  const snn = converted({});
  const calibrated = await calibrateSnn(referenceBackend, snn, oneImage, { T, mode: 'light' });
  const conv1 = nodeOf(calibrated, 'conv1');
  assert.ok(conv1.op === 'Conv2d');
  assert.deepEqual([...conv1.bias!.data], [1 / 8, 1 / 8]);
  // After: rates (1/4, 3/4 | 3/4, 0) against a: e = (−1/16, +1/16 | +1/16, −1/16), channel means 0.
  const record = calibrated.conversion.calibration!;
  assert.equal(record.mode, 'light');
  assert.equal(record.T, T);
  assert.equal(record.images, 1);
  assert.deepEqual(
    record.layers.map((l) => l.node),
    ['act1', 'act2'],
  );
  assert.deepEqual(record.layers[0].channelError, { before: 1 / 8, after: 0 });
  assert.deepEqual(record.layers[0].unitError, { before: 1 / 8, after: 1 / 16 });
  assert.deepEqual(record.layers[0].theta, [1]);
  // The original is untouched.
  assert.deepEqual([...(nodeOf(snn, 'conv1') as { bias: { data: Float32Array } }).bias.data], [0, 0]);
});

test('advanced: v_i(0) −= T·e_i, one value per neuron in the sample shape', async () => {
  const calibrated = await calibrateSnn(referenceBackend, converted({}), oneImage, { T, mode: 'advanced' });
  const act1 = nodeOf(calibrated, 'act1');
  assert.ok(act1.op === 'Spike');
  assert.deepEqual(act1.initialPotential.shape, [2, 1, 2]);
  assert.deepEqual([...act1.initialPotential.data], [1 / 4, 3 / 4, 3 / 4, 1 / 4]);
  // Biases stay as they were; later layers got their own v(0).
  assert.deepEqual([...(nodeOf(calibrated, 'conv1') as { bias: { data: Float32Array } }).bias.data], [0, 0]);
  const act2 = nodeOf(calibrated, 'act2');
  assert.deepEqual(act2.op === 'Spike' && act2.initialPotential.shape, [2, 1, 2]);
  // From v(0) = θ/2 (shift v0) the correction adds to it.
  const fromHalf = await calibrateSnn(referenceBackend, converted({ shift: 'v0' }), oneImage, { T, mode: 'advanced' });
  const act1Half = nodeOf(fromHalf, 'act1');
  assert.ok(act1Half.op === 'Spike');
  // rates from v(0) = 1/2: ⌊(1/2 + 4a)⌋/4 = (1/4, 3/4 | 3/4, 0): e = (−1/16, 1/16 | 1/16, −1/16).
  assert.deepEqual([...act1Half.initialPotential.data], [3 / 4, 1 / 4, 1 / 4, 3 / 4]);
  // The calibrated SNN still runs on both engines alike.
  const dense = await simulate(referenceBackend, calibrated.graph, oneImage, { T, engine: 'dense' });
  const event = await simulate(referenceBackend, calibrated.graph, oneImage, { T, engine: 'event', threads: 1 });
  assert.deepEqual(
    dense.layers.map((l) => l.spikes),
    event.layers.map((l) => l.spikes),
  );
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
    calibrateSnn(referenceBackend, noBias, oneImage, { T, mode: 'light' }),
    (e: Error) => e instanceof SnnCalibrationError && /node 'act2': light calibration needs a Conv\/Dense bias/.test(e.message),
  );
  await assert.rejects(calibrateSnn(referenceBackend, snn, oneImage, { T: 0, mode: 'light' }), /positive integer/);
});
