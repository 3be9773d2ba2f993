/** Random-weight nets for the ONNX export tests: VGG-style and residual with channel Concat. */
import type { Graph, Node } from '../../../src/ir/graph.js';
import type { SnnModel } from '../../../src/model/snn-model.js';
import { mulberry32 } from '../../../src/tensor/random.js';
import { avgPool2x2, conv3x3, denseLayer, randomTensor } from '../../helpers/nets.js';

const relu = (name: string, input: string): Node => ({ op: 'Relu', name, inputs: [input], output: name });

/**
 * stem conv 3→8, relu; block conv 8→8, relu, conv 8→8, + stem, relu; side conv 8→4, relu;
 * concat(block, side) (12 ch), avgpool 2, conv 12→8, relu, GAP, flatten, dense 8→10; on 3×12×12.
 */
export function residualConcatNet(seed: number): Graph {
  const r = mulberry32(seed);
  const nodes: Node[] = [
    conv3x3(r, 'stem', 'x', 3, 8),
    relu('stem_act', 'stem'),
    conv3x3(r, 'b1', 'stem_act', 8, 8, { scale: 0.3 }),
    relu('b1_act', 'b1'),
    conv3x3(r, 'b2', 'b1_act', 8, 8, { scale: 0.3 }),
    { op: 'Add', name: 'add', inputs: ['b2', 'stem_act'], output: 'add' },
    relu('add_act', 'add'),
    conv3x3(r, 'side', 'stem_act', 8, 4, { scale: 0.3 }),
    relu('side_act', 'side'),
    { op: 'Concat', name: 'cat', inputs: ['add_act', 'side_act'], output: 'cat', axis: 1 },
    avgPool2x2('pool', 'cat'),
    conv3x3(r, 'head', 'pool', 12, 8, { scale: 0.3 }),
    relu('head_act', 'head'),
    { op: 'GlobalAvgPool', name: 'gap', inputs: ['head_act'], output: 'gap' },
    { op: 'Flatten', name: 'flat', inputs: ['gap'], output: 'flat', axis: 1 },
    { op: 'Dense', name: 'fc', inputs: ['flat'], output: 'fc', weight: randomTensor([10, 8], 0.8, r), bias: randomTensor([10], 0.1, r) },
  ];
  return { input: { name: 'x', shape: [null, 3, 12, 12] }, output: 'fc', nodes };
}

/** conv 3→16, relu, conv 16→16, relu, pool; conv 16→32, relu, conv 32→32, relu, pool; dense 512→64, relu, dense 64→10; on 3×16×16. */
export function vggStyleNet(seed: number): Graph {
  const r = mulberry32(seed);
  const nodes: Node[] = [
    conv3x3(r, 'c1', 'x', 3, 16, { scale: 0.4 }),
    relu('c1_act', 'c1'),
    conv3x3(r, 'c2', 'c1_act', 16, 16, { scale: 0.2 }),
    relu('c2_act', 'c2'),
    avgPool2x2('p1', 'c2_act'),
    conv3x3(r, 'c3', 'p1', 16, 32, { scale: 0.2 }),
    relu('c3_act', 'c3'),
    conv3x3(r, 'c4', 'c3_act', 32, 32, { scale: 0.15 }),
    relu('c4_act', 'c4'),
    avgPool2x2('p2', 'c4_act'),
    { op: 'Flatten', name: 'flat', inputs: ['p2'], output: 'flat', axis: 1 },
    denseLayer(r, 'fc1', 'flat', [64, 512], 0.08, { scale: 0.05 }),
    relu('fc1_act', 'fc1'),
    { op: 'Dense', name: 'fc2', inputs: ['fc1_act'], output: 'fc2', weight: randomTensor([10, 64], 0.3, r), bias: null },
  ];
  return { input: { name: 'x', shape: [null, 3, 16, 16] }, output: 'fc2', nodes };
}

/** The same SNN with every AvgPool turned into a MaxPool of the same window (which no export expresses). */
export function withMaxPool(model: SnnModel): SnnModel {
  const nodes = model.graph.nodes.map((n): Node =>
    n.op === 'AvgPool'
      ? {
          name: n.name,
          op: 'MaxPool',
          inputs: n.inputs,
          output: n.output,
          kernel: n.kernel,
          strides: n.strides,
          pads: n.pads,
          ceilMode: n.ceilMode,
        }
      : n,
  );
  return { ...model, graph: { ...model.graph, nodes } };
}
