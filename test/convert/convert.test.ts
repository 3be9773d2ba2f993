import { test } from 'node:test';
import assert from 'node:assert/strict';
import { convertToSnn, defaultConversionOptions } from '../../src/convert/index.js';
import type { Graph, Node } from '../../src/ir/graph.js';
import { tensor } from '../../src/tensor/tensor.js';
import { smallCnn } from '../helpers/nets.js';

const options = { ...defaultConversionOptions, strategy: 'deng-gu' };

function batchNorm(name: string, input: string, channels: number): Node {
  const ones = tensor([channels], new Float32Array(channels).fill(1));
  return {
    op: 'BatchNorm',
    name,
    inputs: [input],
    output: name,
    scale: ones,
    bias: tensor([channels]),
    mean: tensor([channels]),
    variance: ones,
    epsilon: 1e-5,
  };
}

test('Clip ceilings become thresholds without calibration data; Relu needs data', () => {
  const snn = convertToSnn(smallCnn(1, 'clip', 2), null, options);
  assert.deepEqual(
    snn.conversion.layers.map((l) => [l.node, l.theta[0], l.source]),
    [
      ['act1', 2, 'Clip ceiling'],
      ['act2', 2, 'Clip ceiling'],
    ],
  );
  assert.ok(snn.graph.nodes.every((n) => n.op !== 'Clip'));
  assert.throws(() => convertToSnn(smallCnn(1, 'relu'), null, options), /needs calibration data for activation 'act1'/);
});

test('shift modes: v0 = θ/2, or θ/(2·T_shift) added to the feeding bias', () => {
  const ann = smallCnn(1, 'clip', 1);
  const v0 = convertToSnn(ann, null, { ...options, shift: 'v0' });
  const spike = v0.graph.nodes.find((n) => n.name === 'act1');
  assert.equal(spike?.op === 'Spike' && spike.initialPotential.data[0], 0.5);
  const bias = convertToSnn(ann, null, { ...options, shift: 'bias', tShift: 8 });
  const conv = (g: Graph) => g.nodes.find((n) => n.name === 'conv1') as Extract<Node, { op: 'Conv2d' }>;
  assert.ok(Math.abs(conv(bias.graph).bias!.data[0] - (conv(ann).bias!.data[0] + 1 / 16)) < 1e-6);
  assert.equal(conv(v0.graph).bias!.data[0], conv(ann).bias!.data[0]);
});

test('an overlapping MaxPool and a BatchNorm inside the spiking part are refused by name; an input BatchNorm stays', () => {
  const ann = smallCnn(2, 'clip', 1);
  const withMax: Graph = {
    ...ann,
    nodes: ann.nodes.map((n) => (n.name === 'pool1' ? { ...n, op: 'MaxPool', strides: [1, 1] } : n)) as Node[],
  };
  assert.throws(() => convertToSnn(withMax, null, options), /max pooling cannot be converted exactly.*'pool1'/);
  const bnAfterPool: Graph = {
    ...ann,
    nodes: ann.nodes.flatMap((n) =>
      n.name === 'pool1' ? [n, batchNorm('bn', 'pool1', 4)] : [n.name === 'conv2' ? { ...n, inputs: ['bn'] } : n],
    ),
  };
  assert.throws(() => convertToSnn(bnAfterPool, null, options), /BatchNorm not directly after a Conv\/Dense cannot be folded: 'bn'/);
  const inputBn: Graph = {
    ...ann,
    nodes: [batchNorm('bn_in', 'x', 1), ...ann.nodes.map((n) => (n.name === 'conv1' ? { ...n, inputs: ['bn_in'] } : n))],
  };
  assert.equal(convertToSnn(inputBn, null, options).graph.nodes[0].op, 'BatchNorm');
});
