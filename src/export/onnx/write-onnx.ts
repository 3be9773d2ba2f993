/**
 * The SNN as ONNX (opset 17, IR version 8), runnable by a bare ONNX Runtime session:
 * - `writeOnnxStep`: one time step, stateful. Inputs: `input` [N, C, H, W], `t` (int64 scalar, the step
 *   index from 0), then every spiking layer's membrane potential `<layer>` [N, …] (f32) and the readout
 *   accumulator `readout` [N, classes] (f64). Outputs: `<layer>_next` …, `readout_next`, then
 *   `<layer>_spikes` [N] (int64, this step's spikes per image). Every state starts at zero. A spiking
 *   max pool is a layer here too: its state is its accumulators [N, …its input].
 * - `writeOnnxLoop`: T steps (fixed at export) in one ONNX `Loop` over the same step, the image-only
 *   part (the first layer's current) computed once before it. Input: `input` [N, C, H, W]. Outputs: `readout` [N, classes]
 *   (f64, the accumulated readout), `<layer>_spikes` [N] (int64, spikes over all T steps) and
 *   `predictions` [T, N] (int64, argmax of the accumulated readout after every step).
 */
import type { onnx as O } from 'onnx-proto';
import type { SnnModel } from '../../model/snn-model.js';
import { encodeModel, int64Initializer, node, typedInitializer, valueInfo } from '../../onnx/builder.js';
import { onnx } from '../../onnx/proto.js';
import { ExportError } from '../export-error.js';
import { IMAGE_INPUT, lowerStep, type LoweredStep } from './lower-step.js';

/** opset 17 (ir_version 8): ReduceSum with axes as an input (13), GreaterOrEqual (12), Loop with scan outputs (13). */
const OPSET = 17;

export function writeOnnxStep(model: SnnModel): Uint8Array {
  const step = lowerStep(model.graph, { opset: OPSET, prefix: '' });
  return encodeModel({
    name: 'ann2snn-snn-step',
    opset: OPSET,
    nodes: [...step.staticNodes, ...step.stepNodes],
    initializers: step.initializers,
    inputs: [valueInfo(IMAGE_INPUT, [null, ...step.inputShape]), valueInfo(step.t, [], 'int64'), ...stateInfos(step, 'state')],
    outputs: [...stateInfos(step, 'next'), ...step.layers.map((l) => valueInfo(l.spikes, [null], 'int64'))],
  });
}

export function writeOnnxLoop(model: SnnModel, T: number): Uint8Array {
  if (!Number.isInteger(T) || T < 1) throw new ExportError(`T must be a positive integer, got ${T}`);
  // The public outputs keep their names whatever the model calls its values (README: first output `readout`).
  const readout = 'readout';
  const predictions = 'predictions';
  const spiking = model.graph.nodes.filter((n) => n.op === 'Spike' || n.op === 'SpikeMaxPool').map((n) => `${n.name}_spikes`);
  const step = lowerStep(model.graph, { opset: OPSET, prefix: 'step/', reserved: [readout, predictions, ...spiking] });
  const name = (base: string) => step.fresh(base);
  const steps = name('T');
  const totals = step.layers.map((l) => `${l.node}_spikes`);
  const outer: O.INodeProto[] = [];
  const initializers: O.ITensorProto[] = [...step.initializers, int64Initializer(steps, [T], [])];

  // Zero states of the batch's size: ConstantOfShape([N, …sample]).
  const shape = name('input_shape');
  const batch = name('batch');
  const [start, end] = [name('batch.start'), name('batch.end')];
  initializers.push(int64Initializer(start, [0]), int64Initializer(end, [1]));
  outer.push(node('Shape', [IMAGE_INPUT], [shape]), node('Slice', [shape, start, end], [batch]));
  const zeros = (base: string, sample: readonly number[], type: 'float32' | 'float64' | 'int64'): string => {
    let dims = batch;
    if (sample.length > 0) {
      const rest = name(`${base}.dims`);
      initializers.push(int64Initializer(rest, sample));
      dims = name(`${base}.shape`);
      outer.push(node('Concat', [batch, rest], [dims], { axis: 0 }));
    }
    const out = name(`${base}.zero`);
    outer.push(node('ConstantOfShape', [dims], [out], { value: zeroTensor(type) }));
    return out;
  };
  const cond = name('cond');
  initializers.push(typedInitializer(cond, 'bool', [], Uint8Array.of(1)));

  const body = loopBody(step);
  const loop = node(
    'Loop',
    [
      steps,
      cond,
      ...step.layers.map((l) => zeros(l.node, l.sampleShape, 'float32')),
      zeros('readout', [step.readout.classes], 'float64'),
      ...step.layers.map((l) => zeros(`${l.node}_spikes`, [], 'int64')),
    ],
    [...step.layers.map((l) => name(`${l.node}.final`)), readout, ...totals, predictions],
    {},
    name('loop'),
  );
  loop.attribute = [{ name: 'body', type: onnx.AttributeProto.AttributeType.GRAPH, g: body }];

  return encodeModel({
    name: 'ann2snn-snn',
    opset: OPSET,
    nodes: [...step.staticNodes, ...outer, loop],
    initializers,
    inputs: [valueInfo(IMAGE_INPUT, [null, ...step.inputShape])],
    outputs: [
      asDouble(valueInfo(readout, [null, step.readout.classes])),
      ...totals.map((t) => valueInfo(t, [null], 'int64')),
      {
        name: predictions,
        type: { tensorType: { elemType: onnx.TensorProto.DataType.INT64, shape: { dim: [{ dimParam: 'T' }, { dimParam: 'N' }] } } },
      },
    ],
  });
}

/** Loop body: (t, cond, states…, readout, totals…) → (cond, next states…, readout, totals…, prediction). */
function loopBody(step: LoweredStep): O.IGraphProto {
  const condIn = step.fresh('step/cond');
  const condOut = step.fresh('step/cond_next');
  const totalsIn = step.layers.map((l) => step.fresh(`${l.spikes}_total`));
  const totalsOut = step.layers.map((l) => step.fresh(`${l.spikes}_total_next`));
  const prediction = step.fresh('step/prediction');
  const nodes = [
    ...step.stepNodes,
    node('Identity', [condIn], [condOut]),
    ...step.layers.map((l, i) => node('Add', [totalsIn[i], l.spikes], [totalsOut[i]])),
    node('ArgMax', [step.readout.next], [prediction], { axis: 1, keepdims: 0 }),
  ];
  return {
    name: 'step',
    node: nodes,
    input: [
      valueInfo(step.t, [], 'int64'),
      valueInfo(condIn, [], 'bool'),
      ...stateInfos(step, 'state'),
      ...totalsIn.map((t) => valueInfo(t, [null], 'int64')),
    ],
    output: [
      valueInfo(condOut, [], 'bool'),
      ...stateInfos(step, 'next'),
      ...totalsOut.map((t) => valueInfo(t, [null], 'int64')),
      valueInfo(prediction, [null], 'int64'),
    ],
  };
}

/** The states in their fixed order: every spiking layer's membrane potential, then the readout accumulator. */
function stateInfos(step: LoweredStep, which: 'state' | 'next'): O.IValueInfoProto[] {
  return [
    ...step.layers.map((l) => valueInfo(l[which], [null, ...l.sampleShape])),
    asDouble(valueInfo(step.readout[which], [null, step.readout.classes])),
  ];
}

function asDouble(info: O.IValueInfoProto): O.IValueInfoProto {
  return { ...info, type: { tensorType: { ...info.type?.tensorType, elemType: onnx.TensorProto.DataType.DOUBLE } } };
}

function zeroTensor(type: 'float32' | 'float64' | 'int64'): O.ITensorProto {
  const T = onnx.TensorProto.DataType;
  if (type === 'float64') return { dims: [1], dataType: T.DOUBLE, rawData: new Uint8Array(8) };
  if (type === 'int64') return { dims: [1], dataType: T.INT64, rawData: new Uint8Array(8) };
  return { dims: [1], dataType: T.FLOAT, rawData: new Uint8Array(4) };
}
