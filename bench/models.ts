/** The benchmark networks of the conversion issue, with seeded random weights (speed does not depend on training). */
import type { Graph, Node } from '../src/ir/graph.js';
import { simplifyGraph } from '../src/ir/passes/index.js';
import { networkToGraph } from '../src/train/export.js';
import { compileNetwork } from '../src/train/network.js';
import { initParams } from '../src/train/params.js';
import { preset } from '../src/train/spec.js';
import { mulberry32 } from '../src/tensor/random.js';
import { tensor } from '../src/tensor/tensor.js';

function kaiming(shape: number[], fanIn: number, random: () => number) {
  const bound = Math.sqrt(6 / fanIn);
  const n = shape.reduce((a, b) => a * b, 1);
  return tensor(
    shape,
    Float32Array.from({ length: n }, () => (random() * 2 - 1) * bound),
  );
}

type Layer = { conv: number } | { pool: true } | { dense: number };

/** A chain of 3×3 same-padding convs, 2×2 average pools and dense layers, each conv/dense but the last followed by clip(0, 1). */
export function chainNet(input: [number, number, number], layers: readonly Layer[], seed = 1): Graph {
  const r = mulberry32(seed);
  const nodes: Node[] = [];
  let value = 'x';
  let [c, h, w] = input;
  let flat: number | null = null;
  layers.forEach((layer, i) => {
    const name = `l${i}`;
    const last = i === layers.length - 1;
    if ('pool' in layer) {
      nodes.push({
        op: 'AvgPool',
        name,
        inputs: [value],
        output: name,
        kernel: [2, 2],
        strides: [2, 2],
        pads: [0, 0, 0, 0],
        ceilMode: false,
        countIncludePad: false,
      });
      h /= 2;
      w /= 2;
    } else if ('conv' in layer) {
      nodes.push({
        op: 'Conv2d',
        name,
        inputs: [value],
        output: name,
        weight: kaiming([layer.conv, c, 3, 3], c * 9, r),
        bias: tensor([layer.conv]),
        strides: [1, 1],
        pads: [1, 1, 1, 1],
        dilations: [1, 1],
        groups: 1,
      });
      c = layer.conv;
    } else {
      if (flat === null) {
        nodes.push({ op: 'Flatten', name: `${name}_flat`, inputs: [value], output: `${name}_flat`, axis: 1 });
        value = `${name}_flat`;
        flat = c * h * w;
      }
      nodes.push({
        op: 'Dense',
        name,
        inputs: [value],
        output: name,
        weight: kaiming([layer.dense, flat], flat, r),
        bias: tensor([layer.dense]),
      });
      flat = layer.dense;
    }
    value = name;
    if (!('pool' in layer) && !last) {
      nodes.push({ op: 'Clip', name: `${name}_act`, inputs: [value], output: `${name}_act`, min: 0, max: 1 });
      value = `${name}_act`;
    }
  });
  return { input: { name: 'x', shape: [null, ...input] }, output: value, nodes };
}

/** cnn4: conv 1→32, 32→32, avgpool, 32→64, 64→64, avgpool, dense 3136→256, 256→10 on 28×28×1. */
export const cnn4 = (): Graph =>
  chainNet(
    [1, 28, 28],
    [{ conv: 32 }, { conv: 32 }, { pool: true }, { conv: 64 }, { conv: 64 }, { pool: true }, { dense: 256 }, { dense: 10 }],
  );

/** A VGG-style net on 32×32×3: 64,64,pool,128,128,pool,256,256,pool, dense 4096→512→10. */
export const vggSmall = (): Graph =>
  chainNet(
    [3, 32, 32],
    [
      { conv: 64 },
      { conv: 64 },
      { pool: true },
      { conv: 128 },
      { conv: 128 },
      { pool: true },
      { conv: 256 },
      { conv: 256 },
      { pool: true },
      { dense: 512 },
      { dense: 10 },
    ],
  );

/** ResNet-20 (the training preset: 3 stages of 3 residual blocks, 16/32/64 channels, clip(0, 1)) on 32×32×3, seeded initial weights, BatchNorm folded. */
export function resnet20(): Graph {
  const net = compileNetwork(preset('resnet20'), { kind: 'clip', theta: 1 });
  return simplifyGraph(networkToGraph(net, initParams(net, 1)));
}
