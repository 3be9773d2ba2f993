/**
 * `onnx-step` and `onnx` exports of small nets, run by a bare onnxruntime-node session, against our
 * dense simulator image by image: predictions at every t and spike counts, for every conversion
 * option the step expresses (shift v0 / bias, soft / hard reset, per-layer / per-channel θ, burst γ,
 * accumulating / spiking readout), on a CNN with AvgPool, a CNN with exact max pooling (SpikeMaxPool)
 * and a residual net with Add, Concat and GAP.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { calibrate } from '../../../src/ann/calibrate.js';
import { createOrtBackend } from '../../../src/backend/ort/ort-backend.js';
import { convertToSnn, defaultConversionOptions } from '../../../src/convert/index.js';
import type { ConversionOptions, SnnModel } from '../../../src/model/snn-model.js';
import { sampleShapes } from '../../../src/ir/shapes.js';
import { sizeOf, tensor } from '../../../src/tensor/tensor.js';
import { ExportError } from '../../../src/export/export-error.js';
import { writeOnnxLoop, writeOnnxStep } from '../../../src/export/onnx/write-onnx.js';
import type { Graph } from '../../../src/ir/graph.js';
import { maxPoolCnn, smallCnn } from '../../helpers/nets.js';
import { syntheticImages } from '../../helpers/synthetic-data.js';
import { residualConcatNet, withMaxPool } from './nets.js';
import { assertAgrees, loopTrace, simulatorTrace, stepTrace } from './trace.js';

const T = 16;
const images = 200;

const variants: readonly [string, Partial<ConversionOptions>][] = [
  ['v0 shift, soft reset', {}],
  ['bias shift (T_shift 8)', { shift: 'bias', tShift: 8 }],
  ['hard reset', { reset: 'hard' }],
  ['per-channel θ', { thresholdScope: 'channel' }],
  ['burst γ = 2', { maxSpikesPerStep: 2 }],
  ['spiking readout', { readout: 'spikes' }],
];

async function checkBoth(
  ann: Graph,
  options: Partial<ConversionOptions>,
  shape: [number, number, number],
  label: string,
  edit: (model: SnnModel) => SnnModel = (m) => m,
): Promise<void> {
  const data = syntheticImages(images, shape);
  const stats = await calibrate(createOrtBackend({ threads: 2 }), ann, data, { limit: 100 });
  const model = edit(convertToSnn(ann, stats, { ...defaultConversionOptions, ...options }));
  const ours = await simulatorTrace(model.graph, data, T, images);
  assertAgrees(ours, await stepTrace(writeOnnxStep(model), data, T, images), `${label}, onnx-step`);
  assertAgrees(ours, await loopTrace(writeOnnxLoop(model, T), data, T, images), `${label}, onnx`);
}

for (const [name, options] of variants) {
  test(`small CNN, ${name}: onnx-step and onnx agree with simulate`, async () => {
    await checkBoth(smallCnn(3), options, [1, 8, 8], `small CNN, ${name}`);
  });
}

/** v(0) with one value per unit (as advanced calibration leaves it): θ·(0.1 + 0.8·frac(0.37·i)). */
function perUnitV0(model: SnnModel): SnnModel {
  const shapes = sampleShapes(model.graph);
  const nodes = model.graph.nodes.map((n) => {
    if (n.op !== 'Spike') return n;
    const shape = shapes.get(n.output)!;
    const v0 = Float32Array.from({ length: sizeOf(shape) }, (_, i) => n.threshold.data[0] * (0.1 + 0.8 * ((0.37 * i) % 1)));
    return { ...n, initialPotential: tensor([...shape], v0) };
  });
  return { ...model, graph: { ...model.graph, nodes } };
}

test('small CNN, per-unit v(0): onnx-step and onnx agree with simulate', async () => {
  await checkBoth(smallCnn(3), {}, [1, 8, 8], 'small CNN, per-unit v(0)', perUnitV0);
});

test('CNN with exact max pools (2×2; 3×3 with dropped edges, per-channel θ, burst γ = 2): onnx-step and onnx agree with simulate', async () => {
  await checkBoth(maxPoolCnn(5), {}, [1, 12, 12], 'max pool 2×2');
  await checkBoth(maxPoolCnn(6, 3), { thresholdScope: 'channel', maxSpikesPerStep: 2 }, [1, 12, 12], 'max pool 3×3, options');
});

test('residual net with Add and Concat (per-channel θ, burst γ = 2, hard reset): onnx-step and onnx agree with simulate', async () => {
  await checkBoth(residualConcatNet(4), {}, [3, 12, 12], 'residual + concat');
  await checkBoth(
    residualConcatNet(5),
    { thresholdScope: 'channel', maxSpikesPerStep: 2, reset: 'hard' },
    [3, 12, 12],
    'residual + concat, options',
  );
});

test('the step graph names its inputs and outputs by the conventions', async () => {
  const model = convertToSnn(smallCnn(3), null, defaultConversionOptions);
  const ort = await import('onnxruntime-node');
  const step = await ort.InferenceSession.create(writeOnnxStep(model));
  assert.deepEqual(step.inputNames, ['input', 't', 'act1', 'act2', 'readout']);
  assert.deepEqual(step.outputNames, ['act1_next', 'act2_next', 'readout_next', 'act1_spikes', 'act2_spikes']);
  const loop = await ort.InferenceSession.create(writeOnnxLoop(model, 4));
  assert.deepEqual(loop.inputNames, ['input']);
  assert.deepEqual(loop.outputNames, ['readout', 'act1_spikes', 'act2_spikes', 'predictions']);
  // A layer named like a fixed name keeps the pattern `<name>`, `<name>_next`, `<name>_spikes`.
  const clash = {
    ...model,
    graph: { ...model.graph, nodes: model.graph.nodes.map((n) => (n.name === 'act1' ? { ...n, name: 'readout' } : n)) },
  };
  const renamed = await ort.InferenceSession.create(writeOnnxStep(clash));
  assert.deepEqual(renamed.inputNames, ['input', 't', 'readout_1', 'act2', 'readout']);
  assert.deepEqual(renamed.outputNames, ['readout_1_next', 'act2_next', 'readout_next', 'readout_1_spikes', 'act2_spikes']);
  // The Loop's public names stay fixed even when a value of the model is called `readout`.
  const last = model.graph.output;
  const renameLast = (name: string) => (name === last ? 'readout' : name);
  const valueClash = {
    ...model,
    graph: {
      ...model.graph,
      output: 'readout',
      nodes: model.graph.nodes.map((n) => ({ ...n, inputs: n.inputs.map(renameLast), output: renameLast(n.output) })),
    },
  };
  const loopClash = await ort.InferenceSession.create(writeOnnxLoop(valueClash, 4));
  assert.deepEqual(loopClash.outputNames, ['readout', 'act1_spikes', 'act2_spikes', 'predictions']);
});

test('what the step cannot express is refused with the node name', () => {
  const model = convertToSnn(smallCnn(3), null, defaultConversionOptions);
  const withMax = withMaxPool(model);
  assert.throws(
    () => writeOnnxStep(withMax),
    (e: Error) => e instanceof ExportError && /node 'pool1': MaxPool/.test(e.message),
  );
  assert.throws(() => writeOnnxLoop(model, 0), ExportError);
  assert.throws(() => writeOnnxStep({ ...model, graph: model.ann }), /no spiking layer/);
});
