/** Small IR networks with seeded random weights, for conversion and simulation tests. */
import type { Graph, Node } from '../../src/ir/graph.js';
import { mulberry32 } from '../../src/tensor/random.js';
import { tensor, type Tensor } from '../../src/tensor/tensor.js';

export function randomTensor(shape: number[], scale: number, random: () => number, offset = 0): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tensor(
    shape,
    Float32Array.from({ length: n }, () => (random() * 2 - 1) * scale + offset),
  );
}

/**
 * conv(1→4, 3×3, pad 1) → clip(0,θ) → avgpool 2 → conv(4→6) → clip → flatten → dense(6·4·4→10)
 * on 8×8×1 inputs; `act` chooses Clip (threshold ReLU) or Relu.
 */
export function smallCnn(seed = 1, act: 'clip' | 'relu' = 'clip', theta = 1): Graph {
  const r = mulberry32(seed);
  const activation = (name: string, input: string): Node =>
    act === 'clip'
      ? { op: 'Clip', name, inputs: [input], output: name, min: 0, max: theta }
      : { op: 'Relu', name, inputs: [input], output: name };
  const nodes: Node[] = [
    conv3x3(r, 'conv1', 'x', 1, 4, { scale: 0.6 }),
    activation('act1', 'conv1'),
    avgPool2x2('pool1', 'act1'),
    conv3x3(r, 'conv2', 'pool1', 4, 6, { scale: 0.4 }),
    activation('act2', 'conv2'),
    { op: 'Flatten', name: 'flatten', inputs: ['act2'], output: 'flatten', axis: 1 },
    denseLayer(r, 'fc', 'flatten', [10, 96], 0.3, { scale: 0.1 }),
  ];
  return { input: { name: 'x', shape: [null, 1, 8, 8] }, output: 'fc', nodes };
}

/**
 * A 3×3 convolution with random weights (± scale, default 0.5) and biases (0.05 ± 0.1); stride 1,
 * padding 1 unless given.
 */
export function conv3x3(
  random: () => number,
  name: string,
  input: string,
  cin: number,
  cout: number,
  options: { strides?: [number, number]; pads?: [number, number, number, number]; scale?: number } = {},
): Node {
  return {
    op: 'Conv2d',
    name,
    inputs: [input],
    output: name,
    weight: randomTensor([cout, cin, 3, 3], options.scale ?? 0.5, random),
    bias: randomTensor([cout], 0.1, random, 0.05),
    strides: options.strides ?? [1, 1],
    pads: options.pads ?? [1, 1, 1, 1],
    dilations: [1, 1],
    groups: 1,
  };
}

/** A random Dense layer [outputs, inputs]: weights drawn first, then the bias (scale, offset). */
export function denseLayer(
  random: () => number,
  name: string,
  input: string,
  [outputs, inputs]: [number, number],
  weightScale: number,
  bias: { scale: number; offset?: number },
): Node {
  const weight = randomTensor([outputs, inputs], weightScale, random);
  return { op: 'Dense', name, inputs: [input], output: name, weight, bias: randomTensor([outputs], bias.scale, random, bias.offset) };
}

/** An integrate-and-fire layer: θ (one value or one per channel), v(0), reset and γ (spikes per step). */
export function ifSpike(
  name: string,
  input: string,
  threshold: Float32Array,
  initialPotential: Float32Array,
  options: { reset?: 'soft' | 'hard'; maxSpikesPerStep?: number } = {},
): Node {
  return {
    op: 'Spike',
    name,
    inputs: [input],
    output: name,
    neuron: 'if',
    reset: options.reset ?? 'soft',
    threshold: tensor([threshold.length], threshold),
    initialPotential: tensor([initialPotential.length], initialPotential),
    maxSpikesPerStep: options.maxSpikesPerStep ?? 1,
  };
}

/** 2×2 average pooling, stride 2. */
export function avgPool2x2(name: string, input: string): Node {
  return {
    op: 'AvgPool',
    name,
    inputs: [input],
    output: name,
    kernel: [2, 2],
    strides: [2, 2],
    pads: [0, 0, 0, 0],
    ceilMode: false,
    countIncludePad: false,
  };
}

/** A residual block: conv → relu → conv, + skip, relu → global average pool → dense, on 6×6×2. */
export function smallResidual(seed = 2): Graph {
  const r = mulberry32(seed);
  const conv = (name: string, input: string, cin: number, cout: number): Node => conv3x3(r, name, input, cin, cout);
  const nodes: Node[] = [
    conv('stem', 'x', 2, 4),
    { op: 'Relu', name: 'stem_act', inputs: ['stem'], output: 'stem_act' },
    conv('b1', 'stem_act', 4, 4),
    { op: 'Relu', name: 'b1_act', inputs: ['b1'], output: 'b1_act' },
    conv('b2', 'b1_act', 4, 4),
    { op: 'Add', name: 'add', inputs: ['b2', 'stem_act'], output: 'add' },
    { op: 'Relu', name: 'add_act', inputs: ['add'], output: 'add_act' },
    { op: 'GlobalAvgPool', name: 'gap', inputs: ['add_act'], output: 'gap' },
    { op: 'Flatten', name: 'flat', inputs: ['gap'], output: 'flat', axis: 1 },
    { op: 'Dense', name: 'fc', inputs: ['flat'], output: 'fc', weight: randomTensor([5, 4], 0.8, r), bias: null },
  ];
  return { input: { name: 'x', shape: [null, 2, 6, 6] }, output: 'fc', nodes };
}

const clip01 = (name: string, input: string): Node => ({ op: 'Clip', name, inputs: [input], output: name, min: 0, max: 1 });

/**
 * Every event-lowering case at once, on 10×10×2: conv 2→5 (3×3, pads [2, 0, 0, 0]: asymmetric) → clip →
 * avgpool 2×2 → conv 5→40 (3×3, stride 2, pad 1: 40 channels span two 32-channel blocks) → clip →
 * global average pool → flatten → dense 40→12 → clip → dense 12→3.
 */
export function eventNet(seed: number): Graph {
  const r = mulberry32(seed);
  const nodes: Node[] = [
    conv3x3(r, 'c1', 'x', 2, 5, { strides: [1, 1], pads: [2, 0, 0, 0] }),
    clip01('a1', 'c1'),
    avgPool2x2('p1', 'a1'),
    conv3x3(r, 'c2', 'p1', 5, 40, { strides: [2, 2], pads: [1, 1, 1, 1] }),
    clip01('a2', 'c2'),
    { op: 'GlobalAvgPool', name: 'gap', inputs: ['a2'], output: 'gap' },
    { op: 'Flatten', name: 'flat', inputs: ['gap'], output: 'flat', axis: 1 },
    denseLayer(r, 'd1', 'flat', [12, 40], 0.6, { scale: 0.1, offset: 0.1 }),
    clip01('a3', 'd1'),
    { op: 'Dense', name: 'd2', inputs: ['a3'], output: 'd2', weight: randomTensor([3, 12], 0.8, r), bias: null },
  ];
  return { input: { name: 'x', shape: [null, 2, 10, 10] }, output: 'd2', nodes };
}

/** conv 1→4 → clip → two convs 4→3 side by side → Concat → clip → flatten → dense, on 6×6×1: a branch that merges by Concat. */
export function concatNet(seed: number): Graph {
  const r = mulberry32(seed);
  const nodes: Node[] = [
    conv3x3(r, 'c1', 'x', 1, 4),
    clip01('a1', 'c1'),
    conv3x3(r, 'left', 'a1', 4, 3),
    conv3x3(r, 'right', 'a1', 4, 3),
    { op: 'Concat', name: 'cat', inputs: ['left', 'right'], output: 'cat', axis: 1 },
    clip01('a2', 'cat'),
    { op: 'Flatten', name: 'flat', inputs: ['a2'], output: 'flat', axis: 1 },
    { op: 'Dense', name: 'fc', inputs: ['flat'], output: 'fc', weight: randomTensor([3, 6 * 36], 0.3, r), bias: null },
  ];
  return { input: { name: 'x', shape: [null, 1, 6, 6] }, output: 'fc', nodes };
}

/** k×k max pooling, stride k, no padding. */
export function maxPool(name: string, input: string, k: number): Node {
  return { op: 'MaxPool', name, inputs: [input], output: name, kernel: [k, k], strides: [k, k], pads: [0, 0, 0, 0], ceilMode: false };
}

/**
 * conv(1→4, 3×3, pad 1) → act → maxpool k → conv(4→6) → act → maxpool k → flatten → dense(→10) on
 * 12×12×1, every pool with kernel = stride k (2: 12 → 6 → 3; 3: 12 → 4 → 1, the last row and column
 * of the 4×4 dropped).
 */
export function maxPoolCnn(seed: number, k = 2, act: 'clip' | 'relu' = 'clip'): Graph {
  const r = mulberry32(seed);
  const activation = (name: string, input: string): Node =>
    act === 'clip' ? clip01(name, input) : { op: 'Relu', name, inputs: [input], output: name };
  const side = Math.floor(Math.floor(12 / k) / k);
  const nodes: Node[] = [
    conv3x3(r, 'conv1', 'x', 1, 4, { scale: 0.6 }),
    activation('act1', 'conv1'),
    maxPool('pool1', 'act1', k),
    conv3x3(r, 'conv2', 'pool1', 4, 6, { scale: 0.4 }),
    activation('act2', 'conv2'),
    maxPool('pool2', 'act2', k),
    { op: 'Flatten', name: 'flatten', inputs: ['pool2'], output: 'flatten', axis: 1 },
    denseLayer(r, 'fc', 'flatten', [10, 6 * side * side], 0.3, { scale: 0.1 }),
  ];
  return { input: { name: 'x', shape: [null, 1, 12, 12] }, output: 'fc', nodes };
}
