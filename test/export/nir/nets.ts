/** SNNs for the NIR tests: converted with the bias shift and soft reset (what NIR keeps exactly). */
import { calibrate } from '../../../src/ann/calibrate.js';
import type { Backend } from '../../../src/backend/backend.js';
import { convertToSnn, defaultConversionOptions } from '../../../src/convert/index.js';
import type { ConversionOptions, SnnModel } from '../../../src/model/snn-model.js';
import type { InMemoryDataset } from '../../../src/data/in-memory-dataset.js';
import type { Graph, Node } from '../../../src/ir/graph.js';
import { mulberry32 } from '../../../src/tensor/random.js';
import { labelledByAnn } from '../../helpers/labelled.js';
import { conv3x3, randomTensor } from '../../helpers/nets.js';

export const biasShift: ConversionOptions = { ...defaultConversionOptions, shift: 'bias', tShift: 8, reset: 'soft' };

/**
 * conv 1→4 → clip → two convs 4→3 side by side, each → clip → Concat of their spikes → conv 6→4 →
 * clip → Concat with the first layer's spikes → flatten → dense; with `currents`, the two side convs
 * are concatenated before one clip instead (a Concat of currents; no Conv bias then carries a shift).
 */
export function concatNet(seed: number, currents = false): Graph {
  const r = mulberry32(seed);
  const clip = (name: string, input: string): Node => ({ op: 'Clip', name, inputs: [input], output: name, min: 0, max: 1 });
  const side: Node[] = currents
    ? [{ op: 'Concat', name: 'cat', inputs: ['left', 'right'], output: 'cat', axis: 1 }, clip('a2', 'cat')]
    : [clip('aL', 'left'), clip('aR', 'right'), { op: 'Concat', name: 'a2', inputs: ['aL', 'aR'], output: 'a2', axis: 1 }];
  const nodes: Node[] = [
    conv3x3(r, 'c1', 'x', 1, 4),
    clip('a1', 'c1'),
    conv3x3(r, 'left', 'a1', 4, 3),
    conv3x3(r, 'right', 'a1', 4, 3),
    ...side,
    conv3x3(r, 'c3', 'a2', 6, 4),
    clip('a3', 'c3'),
    { op: 'Concat', name: 'cat2', inputs: ['a3', 'a1'], output: 'cat2', axis: 1 },
    { op: 'Flatten', name: 'flat', inputs: ['cat2'], output: 'flat', axis: 1 },
    { op: 'Dense', name: 'fc', inputs: ['flat'], output: 'fc', weight: randomTensor([3, 8 * 36], 0.3, r), bias: null },
  ];
  return { input: { name: 'x', shape: [null, 1, 6, 6] }, output: 'fc', nodes };
}

export async function converted(
  backend: Backend,
  ann: Graph,
  shape: readonly [number, number, number],
  options: Partial<ConversionOptions> = {},
  images = 40,
): Promise<{ model: SnnModel; data: InMemoryDataset }> {
  const data = await labelledByAnn(backend, ann, images, shape);
  const stats = await calibrate(backend, ann, data);
  return { model: convertToSnn(ann, stats, { ...biasShift, ...options }), data };
}
