/**
 * Builds the two ONNX graphs of a compiled Network:
 *
 *  - the training graph: forward pass (BatchNorm on batch statistics), softmax cross-entropy loss,
 *    and the gradient of every trainable parameter, emitted at build time by a small reverse-mode
 *    tape: each layer kind has a forward emitter and a backward emitter that add ONNX nodes; the
 *    backward pass walks the layers in reverse and sums the gradients of values read twice
 *    (residual fan-out). Inputs: the batch, the one-hot targets, 1/N, dropout masks and all
 *    parameters; outputs: loss, logits, `grad.<param>` and every BatchNorm's batch mean/variance.
 *  - the evaluation graph: forward only, BatchNorm on running statistics, dropout as identity.
 *
 * Parameters are graph inputs, not initializers: one session serves the whole run and the
 * optimizer updates plain Float32Arrays in TypeScript between calls.
 *
 * Gradient formulas (y = layer(x), dy = ∂L/∂y):
 *   conv     dX = Conv(dy, flip(Wᵀ)) at stride 1, ConvTranspose(dy, W) otherwise;
 *            dW[o, c·k²+t] = Σ_n Σ_p patches(x)[n, c·k²+t, p] · dy[n, o, p] (patches by a one-hot
 *            grouped convolution, then a batched MatMul and a sum over n); db = Σ dy
 *   dense    dX = dy W, dW = dyᵀ x, db = Σ_n dy
 *   clip     dX = dy · [0 ≤ x ≤ θ] (the shifted form tests x − θ/(2T)); relu: dy · [x > 0]
 *   qcfs     y = λ·clip(⌊uL + ½⌋/L, 0, 1), u = x/λ; the floor passes the gradient straight through,
 *            so (as Bu et al.'s clamp-then-floor code) with m = [0 ≤ u ≤ 1]:
 *            dX = dy · m,  dλ = Σ dy · (y/λ − u·m)   (y/λ − u inside, 1 above, 0 below)
 *   bn       dX = (1/σ)(dx̂ − mean(dx̂) − x̂ · mean(dx̂ · x̂)), dx̂ = γ dy; dγ = Σ dy x̂, dβ = Σ dy
 *   avgpool  dX = upsample(dy)/k² (depthwise ConvTranspose); gap: dX = dy/(HW) broadcast; flatten: reshape; dropout: dy · mask
 *   loss     L = −(1/N) Σ t · log softmax(z), dz = (softmax(z) − t)/N
 */
import type { onnx as O } from 'onnx-proto';
import { encodeModel, floatInitializer, int64Initializer, node, valueInfo, type AttrValue } from '../onnx/builder.js';
import { tensor } from '../tensor/tensor.js';
import type { ActivationSpec } from './spec.js';
import { TrainError, type ActLayer, type BnLayer, type ConvLayer, type Layer, type Network } from './network.js';

const OPSET = 17;

/** How the convolution weight gradient is computed (see bench/train.ts for the measurements). */
export type ConvGradStrategy = 'patches' | 'transpose-conv';

export interface TapeOptions {
  readonly convGrad?: ConvGradStrategy;
}

class GraphWriter {
  readonly nodes: O.INodeProto[] = [];
  readonly initializers: O.ITensorProto[] = [];
  private readonly constants = new Map<string, string>();
  private counter = 0;

  fresh(prefix: string): string {
    return `${prefix}__${this.counter++}`;
  }

  op(type: string, inputs: readonly string[], attrs: Record<string, AttrValue> = {}, output?: string): string {
    const out = output ?? this.fresh(type.toLowerCase());
    this.nodes.push(node(type, inputs, [out], attrs, `${type}_${out}`));
    return out;
  }

  i64(values: readonly number[]): string {
    const key = `i64:${values.join(',')}`;
    let name = this.constants.get(key);
    if (name === undefined) {
      name = `const_i64_${this.constants.size}`;
      this.initializers.push(int64Initializer(name, values));
      this.constants.set(key, name);
    }
    return name;
  }

  /** A float constant; shape [] for a scalar. */
  f32(values: readonly number[] | Float32Array, shape: readonly number[] = []): string {
    const data = values instanceof Float32Array ? values : Float32Array.from(values);
    const key = data.length <= 16 ? `f32:${shape.join('x')}:${Array.from(data).join(',')}` : undefined;
    if (key !== undefined) {
      const existing = this.constants.get(key);
      if (existing !== undefined) return existing;
    }
    const name = `const_f32_${this.counter++}`;
    this.initializers.push(floatInitializer(name, tensor(shape, data)));
    if (key !== undefined) this.constants.set(key, name);
    return name;
  }
}

/** Per-layer values saved by the forward pass for the backward pass. */
interface Saved {
  /** BatchNorm: normalized input, 1/σ (keepdims) and γ reshaped for broadcasting. */
  xhat?: string;
  invstd?: string;
  gamma?: string;
  /** Shifted activation: the value the clip mask is taken of. */
  pre?: string;
  /** QCFS: u = x/λ. */
  scaled?: string;
}

const bnAxes = (layer: BnLayer): number[] => (layer.inShape.length === 3 ? [0, 2, 3] : [0]);
const channelShape = (layer: BnLayer): number[] => (layer.inShape.length === 3 ? [1, -1, 1, 1] : [1, -1]);

export function dropoutMaskName(layer: Layer): string {
  return `mask.${layer.name}`;
}
export function gradName(param: string): string {
  return `grad.${param}`;
}
export function batchMeanName(layer: BnLayer): string {
  return `${layer.name}.batch_mean`;
}
export function batchVarName(layer: BnLayer): string {
  return `${layer.name}.batch_var`;
}

function clipBounds(g: GraphWriter, act: ActivationSpec): [string, string] {
  if (act.kind === 'relu') throw new TrainError('relu has no clip bounds');
  return [g.f32([0]), g.f32([act.theta])];
}

/** The constant shift of the clip-shift activation, θ/(2T); 0 for the others. */
export function activationShift(act: ActivationSpec): number {
  return act.kind === 'clip-shift' ? act.theta / (2 * act.tShift) : 0;
}

function emitForward(g: GraphWriter, layer: Layer, training: boolean, saved: Map<string, Saved>): void {
  const x = layer.inputs[0];
  const y = layer.output;
  switch (layer.kind) {
    case 'conv': {
      const inputs = layer.bias ? [x, layer.weight, layer.bias] : [x, layer.weight];
      g.op('Conv', inputs, convAttrs(layer), y);
      return;
    }
    case 'dense': {
      const inputs = layer.bias ? [x, layer.weight, layer.bias] : [x, layer.weight];
      g.op('Gemm', inputs, { transB: 1 }, y);
      return;
    }
    case 'bn': {
      if (!training) {
        g.op('BatchNormalization', [x, layer.scale, layer.bias, layer.mean, layer.variance], { epsilon: { float: layer.eps } }, y);
        return;
      }
      const axes = bnAxes(layer);
      const mean = g.op('ReduceMean', [x], { axes, keepdims: 1 });
      const xc = g.op('Sub', [x, mean]);
      const variance = g.op('ReduceMean', [g.op('Mul', [xc, xc])], { axes, keepdims: 1 });
      const invstd = g.op('Reciprocal', [g.op('Sqrt', [g.op('Add', [variance, g.f32([layer.eps])])])]);
      const xhat = g.op('Mul', [xc, invstd]);
      const gamma = g.op('Reshape', [layer.scale, g.i64(channelShape(layer))]);
      const beta = g.op('Reshape', [layer.bias, g.i64(channelShape(layer))]);
      g.op('Add', [g.op('Mul', [xhat, gamma]), beta], {}, y);
      g.op('Reshape', [mean, g.i64([-1])], {}, batchMeanName(layer));
      g.op('Reshape', [variance, g.i64([-1])], {}, batchVarName(layer));
      saved.set(layer.name, { xhat, invstd, gamma });
      return;
    }
    case 'act': {
      const act = layer.act;
      if (act.kind === 'relu') {
        g.op('Relu', [x], {}, y);
        return;
      }
      if (act.kind === 'qcfs') {
        // The IR's order (QuantClipNode), so that the exported graph computes the same bits.
        const lambda = layer.lambda!;
        const levels = g.f32([act.levels]);
        const scaled = g.op('Div', [x, lambda]);
        const level = g.op('Floor', [g.op('Add', [g.op('Mul', [scaled, levels]), g.f32([0.5])])]);
        const unit = g.op('Clip', [g.op('Div', [level, levels]), g.f32([0]), g.f32([1])]);
        g.op('Mul', [unit, lambda], {}, y);
        saved.set(layer.name, { scaled });
        return;
      }
      const shift = activationShift(act);
      const pre = shift === 0 ? x : g.op('Sub', [x, g.f32([shift])]);
      g.op('Clip', [pre, ...clipBounds(g, act)], {}, y);
      saved.set(layer.name, { pre });
      return;
    }
    case 'avgpool':
      g.op('AveragePool', [x], { kernel_shape: [layer.size, layer.size], strides: [layer.size, layer.size] }, y);
      return;
    case 'gap':
      g.op('GlobalAveragePool', [x], {}, y);
      return;
    case 'flatten':
      g.op('Flatten', [x], { axis: 1 }, y);
      return;
    case 'dropout':
      if (training && layer.p > 0) g.op('Mul', [x, dropoutMaskName(layer)], {}, y);
      else g.op('Identity', [x], {}, y);
      return;
    case 'add':
      g.op('Add', [layer.inputs[0], layer.inputs[1]], {}, y);
      return;
  }
}

function convAttrs(layer: ConvLayer): Record<string, AttrValue> {
  const p = layer.pad;
  return { kernel_shape: [layer.kernel, layer.kernel], strides: [layer.stride, layer.stride], pads: [p, p, p, p] };
}

/** Emits the gradients of the layer's inputs (null where no gradient is needed) and of its parameters. */
function emitBackward(
  g: GraphWriter,
  layer: Layer,
  dy: string,
  needInputGrad: (value: string) => boolean,
  saved: Map<string, Saved>,
  options: TapeOptions,
): (string | null)[] {
  const x = layer.inputs[0];
  const needDx = needInputGrad(x);
  switch (layer.kind) {
    case 'conv': {
      if (layer.bias) g.op('ReduceSum', [dy, g.i64([0, 2, 3])], { keepdims: 0 }, gradName(layer.bias));
      emitConvWeightGrad(g, layer, dy, options.convGrad ?? 'patches');
      return [needDx ? emitConvInputGrad(g, layer, dy) : null];
    }
    case 'dense': {
      g.op('Gemm', [dy, x], { transA: 1 }, gradName(layer.weight));
      if (layer.bias) g.op('ReduceSum', [dy, g.i64([0])], { keepdims: 0 }, gradName(layer.bias));
      return [needDx ? g.op('Gemm', [dy, layer.weight]) : null];
    }
    case 'bn': {
      const s = saved.get(layer.name)!;
      const axes = bnAxes(layer);
      g.op('ReduceSum', [dy, g.i64(axes)], { keepdims: 0 }, gradName(layer.bias));
      g.op('ReduceSum', [g.op('Mul', [dy, s.xhat!]), g.i64(axes)], { keepdims: 0 }, gradName(layer.scale));
      if (!needDx) return [null];
      const dxhat = g.op('Mul', [dy, s.gamma!]);
      const m1 = g.op('ReduceMean', [dxhat], { axes, keepdims: 1 });
      const m2 = g.op('ReduceMean', [g.op('Mul', [dxhat, s.xhat!])], { axes, keepdims: 1 });
      const inner = g.op('Sub', [g.op('Sub', [dxhat, m1]), g.op('Mul', [s.xhat!, m2])]);
      return [g.op('Mul', [inner, s.invstd!])];
    }
    case 'act': {
      const act = layer.act;
      if (!needDx && act.kind !== 'qcfs') return [null];
      const zero = g.f32([0]);
      if (act.kind === 'relu') return [g.op('Where', [g.op('Greater', [x, zero]), dy, zero])];
      if (act.kind === 'qcfs') {
        const dx = emitQcfsBackward(g, layer, dy, saved.get(layer.name)!.scaled!);
        return [needDx ? dx : null];
      }
      const pre = saved.get(layer.name)!.pre!;
      const [lo, hi] = clipBounds(g, act);
      const mask = g.op('And', [g.op('GreaterOrEqual', [pre, lo]), g.op('LessOrEqual', [pre, hi])]);
      return [g.op('Where', [mask, dy, zero])];
    }
    case 'avgpool': {
      if (!needDx) return [null];
      const [c, h, w] = layer.inShape;
      const [, ho, wo] = layer.outShape;
      const k = layer.size;
      // Upsampling by a depthwise ConvTranspose with a constant 1/k² kernel (measured ~4× faster
      // on ONNX Runtime than a broadcast Mul over a 6-D view).
      const dx = g.op('ConvTranspose', [dy, g.f32(new Float32Array(c * k * k).fill(1 / (k * k)), [c, 1, k, k])], {
        group: c,
        strides: [k, k],
        kernel_shape: [k, k],
      });
      if (ho * k === h && wo * k === w) return [dx];
      return [g.op('Pad', [dx, g.i64([0, 0, 0, 0, 0, 0, h - ho * k, w - wo * k])])];
    }
    case 'gap': {
      if (!needDx) return [null];
      const [, h, w] = layer.inShape;
      const spread = g.f32(new Float32Array(h * w).fill(1 / (h * w)), [1, 1, h, w]);
      return [g.op('Mul', [dy, spread])];
    }
    case 'flatten':
      return [needDx ? g.op('Reshape', [dy, g.i64([0, ...layer.inShape])]) : null];
    case 'dropout':
      if (!needDx) return [null];
      return [layer.p > 0 ? g.op('Mul', [dy, dropoutMaskName(layer)]) : dy];
    case 'add':
      return [needInputGrad(layer.inputs[0]) ? dy : null, needInputGrad(layer.inputs[1]) ? dy : null];
  }
}

/** QCFS: writes dλ and returns dX (see the file comment); dX is cheap, so it is always made. */
function emitQcfsBackward(g: GraphWriter, layer: ActLayer, dy: string, scaled: string): string {
  const lambda = layer.lambda!;
  const zero = g.f32([0]);
  const inside = g.op('And', [g.op('GreaterOrEqual', [scaled, zero]), g.op('LessOrEqual', [scaled, g.f32([1])])]);
  const passed = g.op('Where', [inside, scaled, zero]);
  const slope = g.op('Sub', [g.op('Div', [layer.output, lambda]), passed]);
  const total = g.op('ReduceSum', [g.op('Mul', [dy, slope])], { keepdims: 0 });
  g.op('Reshape', [total, g.i64([1])], {}, gradName(lambda));
  return g.op('Where', [inside, dy, zero]);
}

function emitConvInputGrad(g: GraphWriter, layer: ConvLayer, dy: string): string {
  const { kernel: k, stride: s, pad: p } = layer;
  const [, h, w] = layer.inShape;
  if (s === 1 && k - 1 - p >= 0) {
    // Full correlation with the spatially flipped, in/out-swapped kernel: a plain forward Conv,
    // which ONNX Runtime runs faster than ConvTranspose.
    const q = k - 1 - p;
    const wt = g.op('Transpose', [layer.weight], { perm: [1, 0, 2, 3] });
    const big = -(2 ** 31);
    const wf = g.op('Slice', [wt, g.i64([-1, -1]), g.i64([big, big]), g.i64([2, 3]), g.i64([-1, -1])]);
    return g.op('Conv', [dy, wf], { kernel_shape: [k, k], pads: [q, q, q, q] });
  }
  const [, ho, wo] = layer.outShape;
  const outPad = [h - ((ho - 1) * s - 2 * p + k), w - ((wo - 1) * s - 2 * p + k)];
  return g.op('ConvTranspose', [dy, layer.weight], {
    kernel_shape: [k, k],
    strides: [s, s],
    pads: [p, p, p, p],
    output_padding: outPad,
  });
}

function emitConvWeightGrad(g: GraphWriter, layer: ConvLayer, dy: string, strategy: ConvGradStrategy): void {
  const x = layer.inputs[0];
  const { kernel: k, stride: s, pad: p } = layer;
  const c = layer.inShape[0];
  const o = layer.outShape[0];
  const out = gradName(layer.weight);
  if (strategy === 'transpose-conv') {
    // dW = Conv(xᵀ[C,N,H,W], dyᵀ[O,N,Ho,Wo] as kernel, dilation = stride), transposed back. The
    // full correlation can be larger than k×k when (H + 2p − k) is not a multiple of s: slice it.
    const xt = g.op('Transpose', [x], { perm: [1, 0, 2, 3] });
    const dyt = g.op('Transpose', [dy], { perm: [1, 0, 2, 3] });
    const [, ho, wo] = layer.outShape;
    const full = g.op('Conv', [xt, dyt], { kernel_shape: [ho, wo], pads: [p, p, p, p], dilations: [s, s] });
    const cut = g.op('Slice', [full, g.i64([0, 0]), g.i64([k, k]), g.i64([2, 3])]);
    g.op('Transpose', [cut], { perm: [1, 0, 2, 3] }, out);
    return;
  }
  // patches[n, c·k²+t, i, j] = x_padded[n, c, i·s + t/k, j·s + t%k]: a grouped one-hot Conv.
  const kk = k * k;
  const onehot = new Float32Array(c * kk * kk);
  for (let ch = 0; ch < c; ch++) for (let t = 0; t < kk; t++) onehot[(ch * kk + t) * kk + t] = 1;
  const patches = g.op('Conv', [x, g.f32(onehot, [c * kk, 1, k, k])], {
    kernel_shape: [k, k],
    strides: [s, s],
    pads: [p, p, p, p],
    group: c,
  });
  const p3 = g.op('Reshape', [patches, g.i64([0, c * kk, -1])]);
  const dyT = g.op('Transpose', [g.op('Reshape', [dy, g.i64([0, o, -1])])], { perm: [0, 2, 1] });
  const perSample = g.op('MatMul', [p3, dyT]); // [N, C·k², O]
  const sum = g.op('ReduceSum', [perSample, g.i64([0])], { keepdims: 0 });
  g.op('Reshape', [g.op('Transpose', [sum], { perm: [1, 0] }), g.i64([o, c, k, k])], {}, out);
}

const batchShape = (sample: readonly number[]): (number | null)[] => [null, ...sample];

function paramInputs(net: Network, includeBuffers: boolean): O.IValueInfoProto[] {
  return net.params.filter((p) => p.trainable || includeBuffers).map((p) => valueInfo(p.name, p.shape));
}

/** The training graph (see the file comment for its inputs and outputs). */
export function buildTrainModel(net: Network, options: TapeOptions = {}): Uint8Array {
  const g = new GraphWriter();
  const saved = new Map<string, Saved>();
  for (const layer of net.layers) emitForward(g, layer, true, saved);

  const k = net.spec.classes;
  const lsm = g.op('LogSoftmax', [net.output], { axis: 1 });
  const total = g.op('ReduceSum', [g.op('Mul', [lsm, 'target'])], { keepdims: 0 });
  g.op('Neg', [g.op('Mul', [total, 'inv_batch'])], {}, 'loss');
  g.op('Identity', [net.output], {}, 'logits');
  const dz = g.op('Mul', [g.op('Sub', [g.op('Exp', [lsm]), 'target']), 'inv_batch']);

  const grads = new Map<string, string>([[net.output, dz]]);
  const needInputGrad = (value: string): boolean => value !== net.input;
  for (let i = net.layers.length - 1; i >= 0; i--) {
    const layer = net.layers[i];
    const dy = grads.get(layer.output);
    if (dy === undefined) throw new TrainError(`${layer.name}: its output does not reach the loss`);
    const dxs = emitBackward(g, layer, dy, needInputGrad, saved, options);
    layer.inputs.forEach((value, j) => {
      const dx = dxs[j];
      if (dx === null) return;
      const prev = grads.get(value);
      grads.set(value, prev === undefined ? dx : g.op('Add', [prev, dx]));
    });
  }

  const dropouts = net.layers.filter((l) => l.kind === 'dropout' && l.p > 0);
  const bns = net.layers.filter((l): l is BnLayer => l.kind === 'bn');
  const inputs = [
    valueInfo(net.input, batchShape(net.spec.input)),
    valueInfo('target', [null, k]),
    valueInfo('inv_batch', []),
    ...dropouts.map((l) => valueInfo(dropoutMaskName(l), batchShape(l.inShape))),
    ...paramInputs(net, false),
  ];
  const outputs = [
    valueInfo('loss', []),
    valueInfo('logits', [null, k]),
    ...net.params.filter((p) => p.trainable).map((p) => valueInfo(gradName(p.name), p.shape)),
    ...bns.flatMap((l) => [valueInfo(batchMeanName(l), [l.inShape[0]]), valueInfo(batchVarName(l), [l.inShape[0]])]),
  ];
  return encodeModel({ nodes: g.nodes, initializers: g.initializers, inputs, outputs, opset: OPSET, name: `${net.spec.name}-train` });
}

/** The evaluation graph: input and every parameter (running statistics included) in, logits out. */
export function buildEvalModel(net: Network): Uint8Array {
  const g = new GraphWriter();
  const saved = new Map<string, Saved>();
  for (const layer of net.layers) emitForward(g, layer, false, saved);
  g.op('Identity', [net.output], {}, 'logits');
  const inputs = [valueInfo(net.input, batchShape(net.spec.input)), ...paramInputs(net, true)];
  return encodeModel({
    nodes: g.nodes,
    initializers: g.initializers,
    inputs,
    outputs: [valueInfo('logits', [null, net.spec.classes])],
    opset: OPSET,
    name: `${net.spec.name}-eval`,
  });
}
