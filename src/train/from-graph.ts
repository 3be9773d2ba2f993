/**
 * Fine-tuning from an imported model (`--init-from model.onnx`): an IR Graph that is a chain of
 * Conv2d / Dense / BatchNorm / Clip / Relu / AvgPool (kernel = stride, no padding) /
 * GlobalAvgPool / Flatten (and Identity, Dropout, a trailing Softmax, which are dropped) becomes a
 * ModelSpec plus initial parameters. Every Clip/Relu/QuantClip becomes an `act` layer: the run's
 * activation replaces it (the usual use: fine-tune a ReLU model with the threshold ReLU); with
 * --act qcfs a QuantClip's λ is the layer's initial λ.
 */
import type { Graph, Node } from '../ir/graph.js';
import { foldPad, removeIdentity } from '../ir/passes/index.js';
import { inferShapes } from '../ir/shapes.js';
import { compileNetwork, TrainError } from './network.js';
import type { ParamStore } from './params.js';
import type { ActivationSpec, LayerSpec, ModelSpec } from './spec.js';

export interface ImportedModel {
  readonly spec: ModelSpec;
  readonly params: ParamStore;
}

export function modelFromGraph(source: Graph, name: string, act: ActivationSpec): ImportedModel {
  const graph = foldPad(removeIdentity(source));
  const shape = graph.input.shape;
  if (shape.length !== 4 || shape.slice(1).some((d) => d === null)) {
    throw new TrainError(`${name}: the input must be [N, C, H, W], got [${shape.map((d) => d ?? 'N').join(', ')}]`);
  }
  const nodes = graph.nodes[graph.nodes.length - 1]?.op === 'Softmax' ? graph.nodes.slice(0, -1) : graph.nodes;
  const output = nodes[nodes.length - 1]?.output;
  if (output === undefined) throw new TrainError(`${name}: the graph has no nodes`);
  const shapes = inferShapes(graph, 1);

  const layers: LayerSpec[] = [];
  const sources: Node[] = [];
  /** QCFS: the λ of the k-th activation (1-based, as the act layers are named), where it was a QuantClip. */
  const actSources = new Map<number, number>();
  let previous = graph.input.name;
  for (const node of nodes) {
    if (node.inputs.length !== 1 || node.inputs[0] !== previous) {
      throw new TrainError(`${name}: node '${node.name}' (${node.op}) breaks the chain; --init-from takes sequential models only`);
    }
    previous = node.output;
    const refuse = (why: string): never => {
      throw new TrainError(`${name}: node '${node.name}' (${node.op}) cannot be trained here: ${why}`);
    };
    switch (node.op) {
      case 'Conv2d': {
        const [, , kh, kw] = node.weight.shape;
        const [pt, pl, pb, pr] = node.pads;
        if (node.groups !== 1) refuse('grouped convolution');
        if (kh !== kw) refuse('non-square kernel');
        if (node.strides[0] !== node.strides[1]) refuse('unequal strides');
        if (!(pt === pl && pl === pb && pb === pr)) refuse('asymmetric padding');
        if (node.dilations[0] !== 1 || node.dilations[1] !== 1) refuse('dilation');
        layers.push({ type: 'conv', out: node.weight.shape[0], kernel: kh, stride: node.strides[0], pad: pt, bias: node.bias !== null });
        sources.push(node);
        break;
      }
      case 'Dense':
        layers.push({ type: 'dense', out: node.weight.shape[0], bias: node.bias !== null });
        sources.push(node);
        break;
      case 'BatchNorm':
        layers.push({ type: 'bn', eps: node.epsilon });
        sources.push(node);
        break;
      case 'Relu':
        layers.push({ type: 'act' });
        break;
      case 'QuantClip':
        layers.push({ type: 'act' });
        actSources.set(layers.filter((l) => l.type === 'act').length, node.max);
        break;
      case 'Clip':
        if (node.min !== 0) refuse(`Clip with min ${node.min} (only the threshold ReLU, min 0, is an activation here)`);
        layers.push({ type: 'act' });
        break;
      case 'AvgPool': {
        const [k0, k1] = node.kernel;
        if (k0 !== k1 || node.strides[0] !== k0 || node.strides[1] !== k0 || node.pads.some((p) => p !== 0)) {
          refuse('only square average pooling with stride = kernel and no padding');
        }
        layers.push({ type: 'avgpool', size: k0 });
        break;
      }
      case 'GlobalAvgPool':
        layers.push({ type: 'gap' });
        break;
      case 'Flatten':
      case 'Reshape': {
        const out = shapes.get(node.output)!;
        if (out.length !== 2) refuse('only a flatten to [N, F]');
        if (node.op === 'Flatten' && node.axis !== 1) refuse(`Flatten axis ${node.axis}`);
        layers.push({ type: 'flatten' });
        break;
      }
      default:
        refuse('unsupported in training');
    }
  }
  const out = shapes.get(output)!;
  if (out.length !== 2) throw new TrainError(`${name}: the model must end in [N, classes] logits, got [${out.join(', ')}]`);
  const spec: ModelSpec = {
    name,
    input: [shape[1]!, shape[2]!, shape[3]!],
    classes: out[1],
    layers,
  };

  // The compiled layers with parameters come in the same order as `sources`.
  const net = compileNetwork(spec, act);
  const params: ParamStore = new Map();
  const withParams = net.layers.filter((l) => l.kind === 'conv' || l.kind === 'dense' || l.kind === 'bn');
  withParams.forEach((layer, i) => {
    const node = sources[i];
    if ((layer.kind === 'conv' && node.op === 'Conv2d') || (layer.kind === 'dense' && node.op === 'Dense')) {
      params.set(layer.weight, node.weight.data.slice());
      if (layer.bias !== null && node.bias !== null) params.set(layer.bias, node.bias.data.slice());
    } else if (layer.kind === 'bn' && node.op === 'BatchNorm') {
      params.set(layer.scale, node.scale.data.slice());
      params.set(layer.bias, node.bias.data.slice());
      params.set(layer.mean, node.mean.data.slice());
      params.set(layer.variance, node.variance.data.slice());
    } else {
      throw new TrainError(`${name}: internal mismatch between ${layer.name} and node '${node.name}'`);
    }
  });
  // A QuantClip's λ starts a --act qcfs run where the imported model left it.
  net.layers.forEach((layer) => {
    if (layer.kind !== 'act' || layer.lambda === null) return;
    const lambda = actSources.get(Number(layer.name.slice('act'.length)));
    if (lambda !== undefined) params.set(layer.lambda, Float32Array.of(lambda));
  });
  return { spec, params };
}
