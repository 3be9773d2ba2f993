/** Ops that join values: Add (of two activations, or a bias folded into a Dense/Conv) and Concat (of activations, or of shapes). */
import { formatShape, tensor } from '../../tensor/tensor.js';
import { intAttr } from '../attributes.js';
import type { ConstTensor, ImportContext, Value } from '../import-context.js';
import { floats, normalizeAxis, shapeEntries, shapeValue } from '../values.js';

/**
 * Folds `value + c` into the bias of the Dense/Conv2d that produces `value`. Allowed when c is a
 * scalar or a per-channel vector ([O] / [1, O] after a Dense, [O, 1, 1] / [1, O, 1, 1] after a
 * Conv) and the pre-bias value has no other reader.
 */
function foldBias(ctx: ImportContext, onnxValue: string, value: string, c: ConstTensor): void {
  const producer = ctx.producer(value);
  function refuse(why: string): never {
    throw ctx.error(`adds a constant of shape ${formatShape(c.dims)} to '${onnxValue}': ${why}`);
  }
  if (producer === undefined || (producer.op !== 'Dense' && producer.op !== 'Conv2d')) {
    refuse('only a bias directly after a Dense (Gemm/MatMul) or Conv can be imported');
  }
  if (ctx.uses(onnxValue) !== 1)
    refuse(`'${onnxValue}' is also read elsewhere, so it cannot be folded into the bias of '${producer.name}'`);
  const channels = producer.weight.shape[0];
  const rank = producer.op === 'Dense' ? 2 : 4;
  const dims = [...c.dims];
  while (dims.length > 0 && dims[0] === 1) dims.shift();
  const perChannel = producer.op === 'Dense' ? [channels] : [channels, 1, 1];
  const ok =
    c.dims.length <= rank && (c.data.length === 1 || (dims.length === perChannel.length && dims.every((d, i) => d === perChannel[i])));
  if (!ok) refuse(`it is not a per-channel bias of '${producer.name}' (${channels} channels)`);
  const add = floats(c);
  const bias = new Float32Array(channels);
  for (let o = 0; o < channels; o++) bias[o] = (producer.bias?.data[o] ?? 0) + (add.length === 1 ? add[0] : add[o]);
  ctx.replace(producer, { ...producer, bias: tensor([channels], bias), output: ctx.node.outputs[0] });
}

export function add(ctx: ImportContext): void {
  const [a, b] = [ctx.input(0), ctx.input(1)];
  if (a === undefined || b === undefined) throw ctx.error('needs two inputs');
  if (a.kind === 'activation' && b.kind === 'activation') {
    ctx.emit({ op: 'Add', inputs: [a.ir, b.ir] });
    return;
  }
  if (a.kind === 'activation' && b.kind === 'constant') return foldBias(ctx, ctx.node.inputs[0], a.ir, b.tensor);
  if (b.kind === 'activation' && a.kind === 'constant') return foldBias(ctx, ctx.node.inputs[1], b.ir, a.tensor);
  throw ctx.error('adds values known at import time (constants or shapes); only activations and biases are supported');
}

export function concat(ctx: ImportContext): void {
  const values = ctx.node.inputs.map((_, i) => ctx.input(i));
  const axis = intAttr(ctx, 'axis', ctx.opset < 4 ? 1 : Number.NaN);
  if (Number.isNaN(axis)) throw ctx.error('axis is missing');
  if (values.every((v) => v?.kind === 'activation')) {
    const inputs = values.map((v) => (v as { ir: string }).ir);
    ctx.emit({ op: 'Concat', inputs, axis: normalizeAxis(ctx, axis, ctx.shapeOf(inputs[0]).length) });
    return;
  }
  if (values.some((v) => v === undefined || v.kind === 'activation')) {
    throw ctx.error('concatenates activations with constants or shapes, which is not supported');
  }
  // Shape arithmetic: all parts are integer vectors known at import time.
  const parts = values.map((v, i) => shapeEntries(ctx, v as Value, `input ${i}`));
  if (parts.some((p) => p.dims.length !== 1)) throw ctx.error('only rank-1 constants can be concatenated at import time');
  normalizeAxis(ctx, axis, 1);
  const entries = parts.flatMap((p) => p.entries);
  ctx.define(0, shapeValue([entries.length], entries, ctx.node.outputs[0]));
}
