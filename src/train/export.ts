/**
 * A trained Network as an IR Graph: Conv2d / Dense with their weights, BatchNorm with running
 * statistics, Clip(min 0, max θ) for the threshold ReLU (Relu for plain ReLU), QuantClip(λ, L) with
 * the learned λ for QCFS, AvgPool,
 * GlobalAvgPool, Flatten, Add. Dropout is the identity at inference and is left out.
 *
 * The shifted activation clip(z − δ, 0, θ), δ = θ/(2T), becomes Clip(z′, 0, θ) with δ folded into
 * the bias of the layer that produces z (Conv/Dense bias, BatchNorm β, or through a residual Add
 * into its first branch), so the graph computes exactly the trained function. A standard Deng–Gu
 * conversion with the shift θ/(2T) on this graph then integrates the unshifted z, which is the
 * ANN-side shift's intent (docs/method.md §3).
 */
import type { Graph, Node } from '../ir/graph.js';
import { tensor } from '../tensor/tensor.js';
import { TrainError, type Layer, type Network } from './network.js';
import { cloneParams, type ParamStore } from './params.js';
import { activationShift } from './tape.js';

export function networkToGraph(net: Network, trained: ParamStore): Graph {
  const params = cloneParams(trained);
  const extraBias = new Map<string, Float32Array>();
  const producer = new Map<string, Layer>(net.layers.map((l) => [l.output, l]));
  const consumers = (value: string): Layer[] => net.layers.filter((l) => l.inputs.includes(value));

  // Fold each activation's shift into the bias that produces its input.
  const foldShift = (value: string, delta: number, at: Layer): void => {
    const p = producer.get(value);
    if (p === undefined) throw new TrainError(`${at.name}: cannot fold the activation shift into the graph input`);
    if (consumers(value).length !== 1)
      throw new TrainError(`${at.name}: cannot fold the activation shift into '${value}', which has other readers`);
    switch (p.kind) {
      case 'conv':
      case 'dense': {
        const size = p.outShape[0];
        const b = p.bias ? params.get(p.bias)! : (extraBias.get(p.name) ?? new Float32Array(size));
        for (let i = 0; i < size; i++) b[i] -= delta;
        if (!p.bias) extraBias.set(p.name, b);
        return;
      }
      case 'bn': {
        const b = params.get(p.bias)!;
        for (let i = 0; i < b.length; i++) b[i] -= delta;
        return;
      }
      case 'add':
        foldShift(p.inputs[0], delta, at);
        return;
      case 'avgpool':
      case 'gap':
      case 'flatten':
      case 'dropout':
        // Averages and reshapes commute with subtracting a constant.
        foldShift(p.inputs[0], delta, at);
        return;
      case 'act':
        throw new TrainError(`${at.name}: cannot fold the activation shift through activation ${p.name}`);
    }
  };
  for (const layer of net.layers) {
    if (layer.kind === 'act') {
      const delta = activationShift(layer.act);
      if (delta !== 0) foldShift(layer.inputs[0], delta, layer);
    }
  }

  const t = (name: string, shape: readonly number[]): ReturnType<typeof tensor> => tensor(shape, params.get(name)!);
  const shapeOf = (name: string): readonly number[] => net.params.find((p) => p.name === name)!.shape;
  const alias = new Map<string, string>();
  const resolve = (v: string): string => alias.get(v) ?? v;
  const nodes: Node[] = [];
  for (const layer of net.layers) {
    const inputs = layer.inputs.map(resolve);
    const base = { name: layer.name, inputs, output: layer.output };
    const bias = (b: string | null, size: number) =>
      b !== null ? t(b, [size]) : extraBias.has(layer.name) ? tensor([size], extraBias.get(layer.name)!) : null;
    switch (layer.kind) {
      case 'conv': {
        const p = layer.pad;
        nodes.push({
          ...base,
          op: 'Conv2d',
          weight: t(layer.weight, shapeOf(layer.weight)),
          bias: bias(layer.bias, layer.outShape[0]),
          strides: [layer.stride, layer.stride],
          pads: [p, p, p, p],
          dilations: [1, 1],
          groups: 1,
        });
        break;
      }
      case 'dense':
        nodes.push({ ...base, op: 'Dense', weight: t(layer.weight, shapeOf(layer.weight)), bias: bias(layer.bias, layer.outShape[0]) });
        break;
      case 'bn': {
        const c = layer.inShape[0];
        nodes.push({
          ...base,
          op: 'BatchNorm',
          scale: t(layer.scale, [c]),
          bias: t(layer.bias, [c]),
          mean: t(layer.mean, [c]),
          variance: t(layer.variance, [c]),
          epsilon: layer.eps,
        });
        break;
      }
      case 'act':
        if (layer.act.kind === 'relu') nodes.push({ ...base, op: 'Relu' });
        else if (layer.act.kind === 'qcfs')
          nodes.push({ ...base, op: 'QuantClip', max: params.get(layer.lambda!)![0], levels: layer.act.levels });
        else nodes.push({ ...base, op: 'Clip', min: 0, max: layer.act.theta });
        break;
      case 'avgpool': {
        const k = layer.size;
        nodes.push({
          ...base,
          op: 'AvgPool',
          kernel: [k, k],
          strides: [k, k],
          pads: [0, 0, 0, 0],
          ceilMode: false,
          countIncludePad: false,
        });
        break;
      }
      case 'gap':
        nodes.push({ ...base, op: 'GlobalAvgPool' });
        break;
      case 'flatten':
        nodes.push({ ...base, op: 'Flatten', axis: 1 });
        break;
      case 'dropout':
        alias.set(layer.output, inputs[0]);
        break;
      case 'add':
        nodes.push({ ...base, op: 'Add' });
        break;
    }
  }
  const output = resolve(net.output);
  return { input: { name: net.input, shape: [null, ...net.spec.input] }, output, nodes };
}
